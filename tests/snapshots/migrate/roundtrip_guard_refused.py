class Reader:
    def __setstate__(self, state):
        self.__dict__.update(state)
        try: self.handle = open(self.path)
        except OSError : self.handle = None

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["handle"]
        return state
