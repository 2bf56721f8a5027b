class Base:
    def __init__(self):
        self._conn = object()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_conn"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._connect()

    def _connect(self):
        self._conn = None


class Child(Base):
    def __getstate__(self):
        state = super().__getstate__()
        # Scratch space is rebuilt on demand.
        state.pop("_scratch", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._ready = True


class Explicit(Base):
    def __getstate__(self):
        state = Base.__getstate__(self)
        del state["_tmp"]
        return state


class Overlap(Base):
    def __getstate__(self):
        state = super().__getstate__()
        state["_conn"] = None
        return state


class FromObject:
    def __getstate__(self):
        state = super().__getstate__()
        del state["_x"]
        return state


class Restarting:
    def __setstate__(self, state):
        self.__dict__.update(state)
        self.started = False


class RestartingTwice(Restarting):
    def __setstate__(self, state):
        super().__setstate__(state)
        self.restarts = 0
