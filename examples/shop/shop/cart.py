import threading


class Cart:
    def __init__(self, owner):
        self.owner = owner
        self.items = []
        self._lock = threading.Lock()
        self._totals = {}

    def __getstate__(self):
        state = self.__dict__.copy()
        # Locks cannot cross a process boundary.
        del state["_lock"]
        # Totals are a cache, recomputed on demand.
        assert "_totals" in state
        state["_totals"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()
