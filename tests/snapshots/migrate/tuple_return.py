class Plugin:
    pass


class Task(Plugin):
    def __init__(self, kind, notify):
        self.__kind = kind
        self.__notify = notify

    def _get_args_for_child_job_pickling(self):
        state = self.__dict__.copy()
        # The notifier talks to the parent's main loop.
        del state["_Task__notify"]
        return self.__kind, state
