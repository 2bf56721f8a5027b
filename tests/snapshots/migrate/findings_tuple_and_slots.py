class TupleState:
    def __getstate__(self):
        state = self.__dict__.copy()
        return 1, state


class Slotted:
    __slots__ = ("a", "b")

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["a"]
        return state


class Abstract:
    def get_state_for_child_job_pickling(self):
        raise NotImplementedError("subclasses say what a child job needs")
