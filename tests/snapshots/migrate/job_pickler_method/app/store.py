class Store:
    def __init__(self, path):
        self.path = path
        self._handle = open(path)

    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state
