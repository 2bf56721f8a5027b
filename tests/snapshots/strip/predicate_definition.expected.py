import os
import sys


class Platform:
    def cpu_count(self):
        return os.cpu_count()

    ##################################################
    #                Sandbox functions               #
    ##################################################
    def sandbox(self):
        return sys.platform
