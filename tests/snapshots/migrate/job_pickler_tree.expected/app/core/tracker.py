from ..serialization import JobSerializable, clear


@clear("log")
class Tracker(JobSerializable):
    def __init__(self):
        self.seen = {}
        self.log = None


class SubTracker(Tracker):
    # Keeps the log: the subclass writes it in the child too.
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["extra"]
        return state


@clear("log", "noise")
class QuietTracker(Tracker):
    pass
