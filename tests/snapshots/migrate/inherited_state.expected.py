from serialization import JobSerializable, clear, on_restore


@clear("_conn")
class Base(JobSerializable):
    def __init__(self):
        self._conn = object()

    @on_restore
    def _connect(self):
        self._conn = None


# Scratch space is rebuilt on demand.
@clear("_scratch", missing_ok=True)
class Child(Base):
    @on_restore
    def _on_restore(self):
        self._ready = True


@clear("_tmp")
class Explicit(Base):
    pass


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


class Restarting(JobSerializable):
    @on_restore
    def _on_restore(self):
        self.started = False


class RestartingTwice(Restarting):
    @on_restore
    def _on_restore_restarting_twice(self):
        self.restarts = 0
