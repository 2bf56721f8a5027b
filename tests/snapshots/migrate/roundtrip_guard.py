class Cache:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["lock"]
        return state

    def load(self):
        try:
            return open(self.path).read()
        except OSError :
            return None
