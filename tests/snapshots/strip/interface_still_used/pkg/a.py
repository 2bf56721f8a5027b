import pickle

from .serialization import SerializationError, clear


@clear("_handle")
class Resource:
    def __init__(self, handle):
        self._handle = handle


def save(resource):
    try:
        return pickle.dumps(resource)
    except SerializationError:
        return None
