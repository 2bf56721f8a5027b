class Message:
    @classmethod
    def parse(cls, data):
        return cls()

    def serialize(self):
        return b""
