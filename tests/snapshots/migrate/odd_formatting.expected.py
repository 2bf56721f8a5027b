from serialization import JobSerializable, clear


# both on one line
@clear("a")
class Tabbed(JobSerializable):
	pass


class OneLine:
    def __getstate__(self): return self.__dict__.copy()


@clear("b")
class Parenthesized(JobSerializable):
    pass
