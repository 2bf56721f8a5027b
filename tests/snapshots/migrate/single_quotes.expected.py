from serialization import JobSerializable, clear


@clear('handle', value=None, missing_ok=True)
class Buffer(JobSerializable):
    def __init__(self):
        self.data = b''
        self.handle = None
