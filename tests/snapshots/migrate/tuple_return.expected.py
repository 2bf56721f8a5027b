from serialization import JOB, JobSerializable, clear, job_state


class Plugin:
    pass


# The notifier talks to the parent's main loop.
@clear("__notify", scope=JOB)
class Task(Plugin, JobSerializable):
    def __init__(self, kind, notify):
        self.__kind = kind
        self.__notify = notify

    def _get_args_for_child_job_pickling(self):
        return self.__kind, job_state(self)
