class Tabbed:
	def __getstate__(self):
		state = self.__dict__.copy(); del state["a"]  # both on one line
		return state


class OneLine:
    def __getstate__(self): return self.__dict__.copy()


class Parenthesized:
    def __getstate__(self):
        state = (self.__dict__.copy())
        del state[("b")]
        return (state)
