from .base import Recorder


class TimedRecorder(Recorder):
    """No hooks of its own: it only adds a clock."""

    def __init__(self, sink, clock):
        super().__init__(sink)
        self.clock = clock
