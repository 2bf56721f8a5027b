class Job:
    def __init__(self):
        self._lock = None

    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def run(self):
        return 0
