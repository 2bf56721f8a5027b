class Widget:
    def __init__(self, scheduler):
        self.__scheduler = scheduler
        self.__cache = {}
        self.name = "widget"

    # get_state_for_child_job_pickling()
    #
    # What a child job needs of this widget.
    #
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()

        # The scheduler stays in the parent.
        del state["_Widget__scheduler"]

        # The cache is refilled in the child.
        assert "_Widget__cache" in state
        state["_Widget__cache"] = None

        return state
