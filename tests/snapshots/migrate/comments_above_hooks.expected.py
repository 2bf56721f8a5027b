import threading

from serialization import JobSerializable, clear, on_restore


# Workaround: a lock cannot cross a process boundary, so the copy
# goes without it.
@clear("pool")
class Worker(JobSerializable):
    def __init__(self):
        self.pool = threading.Lock()
        self.results = []

    # The pool is rebuilt on every restore.
    @on_restore
    def _reset(self):
        self.pool = threading.Lock()


@clear("file", value=None, missing_ok=True)
class Journal(JobSerializable):
    def __init__(self):
        self.file = None

    # ---- pickling support ----


class Counter(JobSerializable):
    def __init__(self):
        self.total = 0

    # Counters restart their clock when they come back.
    @on_restore
    def _on_restore(self):
        self.started = None

    def bump(self):
        self.total += 1
