class Tracker:
    def __init__(self):
        self.seen = {}
        self.log = None

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["log"]
        return state


class SubTracker(Tracker):
    # Keeps the log: the subclass writes it in the child too.
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["extra"]
        return state


class QuietTracker(Tracker):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["log"]
        del state["noise"]
        return state
