from serialization import JobSerializable, clear


# A sink is a live connection; the child opens its own.
@clear("sink")
# Locks never pickle.
@clear("lock")
class Recorder(JobSerializable):
    def __init__(self, sink):
        self.sink = sink
        self.lock = None
        self.entries = []

    def record(self, entry):
        self.entries.append(entry)
