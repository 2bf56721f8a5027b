from .serialization import JobSerializable


class Done(JobSerializable):
    def __setstate__(self, state):
        self.__dict__.update(state)
        self._init()

    def _init(self):
        self.ready = True
