class AfterReturn:
    def __getstate__(self):
        state = self.__dict__.copy()
        return state
        del state["x"]


class AssertOnly:
    def __getstate__(self):
        state = self.__dict__.copy()
        assert "x" in state
        return state


class Twice:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["x"]
        state.pop("x", None)
        return state


class EditsOwnDict:
    def __getstate__(self):
        state = self.__dict__
        del state["x"]
        return state


class Parameters:
    def __getstate__(self, protocol):
        return self.__dict__.copy()
