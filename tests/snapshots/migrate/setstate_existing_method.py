class Template:
    def __init__(self, text):
        self.text = text
        self._compiled = None
        self._compile()

    def _compile(self):
        self._compiled = self.text.split()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_compiled"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        # Compiled form is derived; rebuild it.
        self._compile()
