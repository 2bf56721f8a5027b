from serialization import JobSerializable, clear


@clear("a")
class FromDict(JobSerializable):
    pass


@clear("b")
class FromCopyModule(JobSerializable):
    pass


@clear("c")
class FromVars(JobSerializable):
    pass


@clear("d")
class FromUnpacking(JobSerializable):
    pass
