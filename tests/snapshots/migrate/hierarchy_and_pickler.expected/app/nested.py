from .serialization import JobSerializable, clear


class A:
    @clear("x")
    class Inner(JobSerializable):
        pass


class B:
    class Inner:
        def __getstate__(self):
            state = self.__dict__.copy()
            if state:
                del state["x"]
            return state
