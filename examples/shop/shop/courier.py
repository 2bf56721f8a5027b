class Courier:
    def __init__(self, name, dispatcher):
        self.name = name
        self.__dispatcher = dispatcher
        self.parcels = []

    # get_state_for_child_job_pickling()
    #
    # What a delivery job in a child process needs of the courier.
    #
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        # The dispatcher lives in the parent process only.
        del state["_Courier__dispatcher"]
        return state


class Dispatcher:
    def __getstate__(self):
        raise TypeError("Dispatcher objects should not be pickled.")
