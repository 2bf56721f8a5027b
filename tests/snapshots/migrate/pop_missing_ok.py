class Session:
    def __init__(self):
        self.user = None

    def __getstate__(self):
        state = self.__dict__.copy()
        # Only set while a request runs.
        state.pop("request", None)
        state.pop("profiler", None)
        return state
