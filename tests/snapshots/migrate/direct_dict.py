class Origin:
    pass


class Fetcher(Origin):
    def __init__(self, kind):
        self.__kind = kind

    def _get_args_for_child_job_pickling(self):
        # Nothing to leave out: the whole dict goes to the child.
        return self.__kind, self.__dict__
