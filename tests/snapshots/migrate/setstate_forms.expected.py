import threading

from serialization import JobSerializable, clear, on_restore


@clear("_lock")
class Assigns(JobSerializable):
    @on_restore
    def _on_restore(self):
        self._lock = threading.Lock()


@clear("_lock")
class SetsBefore(JobSerializable):
    @on_restore
    def _on_restore(self):
        # A fresh lock for the copy.
        self._lock = threading.Lock()


class ReadsState(JobSerializable):
    @on_restore
    def _on_restore(self):
        self._index = {item: n for n, item in enumerate(self.__dict__["items"])}


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
