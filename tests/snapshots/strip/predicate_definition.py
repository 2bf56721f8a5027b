import multiprocessing
import os
import sys


def does_multiprocessing_start_require_pickling():
    return multiprocessing.get_start_method() != "fork"


class Platform:
    def cpu_count(self):
        return os.cpu_count()

    # does_multiprocessing_start_require_pickling():
    #
    # Whether arguments of a new process are pickled.
    #
    def does_multiprocessing_start_require_pickling(self):
        return multiprocessing.get_start_method() != "fork"

    ##################################################
    #                Sandbox functions               #
    ##################################################
    def sandbox(self):
        return sys.platform
