class Recorder:
    """Keeps what it saw; the sink is a live connection."""

    def __init__(self, sink):
        self.sink = sink
        self.seen = []

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["sink"]
        return state
