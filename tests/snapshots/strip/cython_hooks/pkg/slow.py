class Slow:
    def __init__(self, value):
        self.value = value

    def __getstate__(self):
        return {"value": self.value}
