class WithCondition:
    def __getstate__(self):
        state = self.__dict__.copy()
        if state["conn"] is not None:
            state["conn"] = None
        return state


class WithLoop:
    def __getstate__(self):
        state = self.__dict__.copy()
        for key in self._transient:
            del state[key]
        return state


class WithComputedValue:
    def __getstate__(self):
        state = self.__dict__.copy()
        state["channel"] = self.manager.new_channel()
        return state


class WithCall:
    def __getstate__(self):
        state = self.__dict__.copy()
        state.update(extra=1)
        return state
