from serialization import JobSerializable, job_state


class Origin:
    pass


class Fetcher(Origin, JobSerializable):
    def __init__(self, kind):
        self.__kind = kind

    def _get_args_for_child_job_pickling(self):
        # Nothing to leave out: the whole dict goes to the child.
        return self.__kind, job_state(self)
