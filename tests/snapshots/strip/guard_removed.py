class Scheduler:
    def __init__(self):
        self.queue = []

    def __getstate__(self):
        # A scheduler owns the event loop: pickling one is always a mistake,
        # so fail early and say so.
        raise TypeError("Scheduler objects must not be pickled")
