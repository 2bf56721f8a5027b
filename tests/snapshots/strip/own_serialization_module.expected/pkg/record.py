from .serialization import dumps


class Record:
    def save(self):
        return dumps(self.__dict__)
