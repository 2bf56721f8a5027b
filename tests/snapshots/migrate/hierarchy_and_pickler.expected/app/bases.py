from .serialization import JobSerializable, clear, on_restore


class Conditional:
    def __getstate__(self):
        state = self.__dict__.copy()
        if state.get("conn") is not None:
            state["conn"] = None
        return state


class AfterConditional(Conditional):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_a"]
        return state


@clear("_a")
class Plain(JobSerializable):
    pass


class JobChild(Plain):
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_b"]
        return state


class Restoring(JobSerializable):
    @on_restore
    def _init_caches(self):
        self._cache = {}


class OwnRestore(Restoring):
    def __setstate__(self, state):
        self.__dict__.update(state)
        self.restored = True


class Refuser:
    def __getstate__(self):
        raise TypeError("Refusers are not pickled.")


class Overrider(Refuser):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["x"]
        return state
