import multiprocessing
import os


class Worker:
    def __init__(self):
        self._pipe = None

    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_pipe"]
        return state

    def start(self):
        process = multiprocessing.Process(target=self.run, args=[os.getpid()])
        process.start()
        return process

    def run(self, parent):
        return parent
