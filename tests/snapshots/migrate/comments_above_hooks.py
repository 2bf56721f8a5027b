import threading


class Worker:
    def __init__(self):
        self.pool = threading.Lock()
        self.results = []

    # Workaround: a lock cannot cross a process boundary, so the copy
    # goes without it.
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["pool"]
        return state

    # __setstate__()
    #
    # Puts back what __getstate__ left out.
    #
    def __setstate__(self, state):
        self.__dict__.update(state)
        self._reset()

    # The pool is rebuilt on every restore.
    def _reset(self):
        self.pool = threading.Lock()


class Journal:
    def __init__(self):
        self.file = None

    # ---- pickling support ----

    def __getstate__(self):
        state = self.__dict__.copy()
        state["file"] = None
        return state


class Counter:
    def __init__(self):
        self.total = 0

    # Counters restart their clock when they come back.
    def __setstate__(self, state):
        self.__dict__.update(state)
        self.started = None

    def bump(self):
        self.total += 1
