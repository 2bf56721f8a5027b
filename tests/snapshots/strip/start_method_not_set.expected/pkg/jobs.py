class Job:
    def __init__(self):
        self._lock = None

    def run(self):
        return 0
