import copy


class FromDict:
    def __getstate__(self):
        state = dict(self.__dict__)
        del state["a"]
        return state


class FromCopyModule:
    def __getstate__(self):
        state = copy.copy(self.__dict__)
        del state["b"]
        return state


class FromVars:
    def __getstate__(self):
        state = vars(self).copy()
        del state["c"]
        return state


class FromUnpacking:
    def __getstate__(self):
        state = {**self.__dict__}
        del state["d"]
        return state
