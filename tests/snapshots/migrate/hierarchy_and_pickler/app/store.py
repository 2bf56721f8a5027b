class Store:
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state


class Widget:
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_callback"]
        return state
