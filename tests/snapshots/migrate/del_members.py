class Recorder:
    def __init__(self, sink):
        self.sink = sink
        self.lock = None
        self.entries = []

    def __getstate__(self):
        state = self.__dict__.copy()

        # A sink is a live connection; the child opens its own.
        del state["sink"]
        # Locks never pickle.
        del state["lock"]
        return state

    def record(self, entry):
        self.entries.append(entry)
