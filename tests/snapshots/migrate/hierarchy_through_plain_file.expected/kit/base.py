from .serialization import JobSerializable, clear


@clear("sink")
class Recorder(JobSerializable):
    """Keeps what it saw; the sink is a live connection."""

    def __init__(self, sink):
        self.sink = sink
        self.seen = []
