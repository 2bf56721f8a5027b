import multiprocessing
import os


class Worker:
    def __init__(self):
        self._pipe = None

    def start(self):
        process = multiprocessing.Process(target=self.run, args=[os.getpid()])
        process.start()
        return process

    def run(self, parent):
        return parent
