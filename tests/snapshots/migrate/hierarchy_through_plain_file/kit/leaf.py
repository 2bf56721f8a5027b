from kit.middle import TimedRecorder


class ReplayRecorder(TimedRecorder):
    # A replay needs its sink in the copy, but not the clock.
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["clock"]
        return state


class QuietRecorder(TimedRecorder):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["sink"]
        del state["clock"]
        return state
