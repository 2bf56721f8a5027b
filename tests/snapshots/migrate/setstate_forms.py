import threading


class Assigns:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        self.__dict__ = state
        self._lock = threading.Lock()


class SetsBefore:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state):
        # A fresh lock for the copy.
        self._lock = threading.Lock()
        self.__dict__.update(state)


class ReadsState:
    def __setstate__(self, state):
        vars(self).update(state)
        self._index = {item: n for n, item in enumerate(state["items"])}


class WithNew:
    def __new__(cls, *args):
        self = super().__new__(cls)
        self.created = True
        return self

    def __setstate__(self, state):
        self.__dict__ = state
        self.ready = True


class SetsBeforeKept:
    def __setstate__(self, state):
        self.size = 0
        self.__dict__.update(state)


class ReadsAfterCall:
    def __setstate__(self, state):
        self.__dict__.update(state)
        self._refresh()
        self.total = state["total"]

    def _refresh(self):
        self.total = 0


class TupleState:
    def __setstate__(self, state):
        self.x, self.y = state


class Setattrs:
    def __setstate__(self, state):
        for key, value in state.items():
            setattr(self, key, value)


class ReInit:
    def __setstate__(self, state):
        self.__init__(**state)
