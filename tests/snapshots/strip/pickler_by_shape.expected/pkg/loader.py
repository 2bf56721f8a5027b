class Loader:
    def __init__(self, fetch):
        self._fetch = fetch

    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_fetch"]
        return state
