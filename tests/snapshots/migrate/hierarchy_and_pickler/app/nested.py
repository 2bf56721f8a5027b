class A:
    class Inner:
        def __getstate__(self):
            state = self.__dict__.copy()
            del state["x"]
            return state


class B:
    class Inner:
        def __getstate__(self):
            state = self.__dict__.copy()
            if state:
                del state["x"]
            return state
