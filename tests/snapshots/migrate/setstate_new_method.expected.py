from serialization import JobSerializable, on_restore


class Counter(JobSerializable):
    def __init__(self):
        self.total = 0
        self.listeners = []

    @on_restore
    def _on_restore(self):
        # Listeners are per process.
        self.listeners = []
        self.restored = True
