from kit.middle import TimedRecorder
from kit.serialization import clear


class ReplayRecorder(TimedRecorder):
    # A replay needs its sink in the copy, but not the clock.
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["clock"]
        return state


@clear("sink", "clock")
class QuietRecorder(TimedRecorder):
    pass
