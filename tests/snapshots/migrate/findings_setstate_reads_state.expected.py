class Versioned:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["cache"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if state.get("version", 1) < 2:
            self.upgrade()

    def upgrade(self):
        self.version = 2
