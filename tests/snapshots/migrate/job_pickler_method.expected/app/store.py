from .serialization import JOB, JobSerializable, clear


@clear("_handle", scope=JOB)
class Store(JobSerializable):
    def __init__(self, path):
        self.path = path
        self._handle = open(path)
