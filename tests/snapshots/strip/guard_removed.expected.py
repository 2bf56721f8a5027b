class Scheduler:
    def __init__(self):
        self.queue = []
