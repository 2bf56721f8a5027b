from .serialization import dumps


class Record:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["cache"]
        return state

    def save(self):
        return dumps(self.__dict__)
