# snapshot-settings: {"job_methods": ["state_for_worker"]}

class Pool:
    def __init__(self):
        self.threads = []
        self.size = 4

    def state_for_worker(self):
        state = self.__dict__.copy()
        del state["threads"]
        return state
