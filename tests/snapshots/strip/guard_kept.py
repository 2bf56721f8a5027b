# snapshot-settings: {"keep_guards": true}
class Scheduler:
    def __init__(self):
        self.queue = []

    def __getstate__(self):
        # A scheduler owns the event loop: pickling one is always a mistake.
        raise TypeError("Scheduler objects must not be pickled")

    def get_state_for_child_job_pickling(self):
        raise NotImplementedError("job methods go even with keep_guards")


class Settings:
    def __getstate__(self):
        return dict(self.__dict__)
