class Worker:
    def __init__(self):
        self.on_done = None
        self.retries = 3
        self.label = "idle"
        self.verbose = False

    def __getstate__(self):
        state = self.__dict__.copy()
        # Callbacks point back into the parent process.
        assert "on_done" in state
        state["on_done"] = None
        assert "retries" in state
        state["retries"] = 0
        state["label"] = "restored"  # set whether or not it was there
        state["verbose"] = False
        return state
