import os


class Platform:
    def cpu_count(self):
        return os.cpu_count()
