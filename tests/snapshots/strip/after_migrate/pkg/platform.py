import multiprocessing
import os


class Platform:
    def cpu_count(self):
        return os.cpu_count()

    # Whether a new process receives its arguments pickled.
    def does_multiprocessing_start_require_pickling(self):
        return multiprocessing.get_start_method() != "fork"
