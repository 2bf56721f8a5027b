from ..util import helper


class Store:
    def __init__(self):
        self.path = helper()
        self._handle = None

    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state
