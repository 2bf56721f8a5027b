from ..util import helper
from ..serialization import JOB, JobSerializable, clear


@clear("_handle", scope=JOB)
class Store(JobSerializable):
    def __init__(self):
        self.path = helper()
        self._handle = None
