class Counter:
    def __init__(self):
        self.total = 0
        self.listeners = []

    def __setstate__(self, state):
        self.__dict__.update(state)
        # Listeners are per process.
        self.listeners = []
        self.restored = True
