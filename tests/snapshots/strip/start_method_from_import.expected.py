from multiprocessing import get_context
from multiprocessing.dummy import Pool as ThreadPool


class Scheduler:
    def __init__(self, platform):
        self._platform = platform
        self._context = get_context("spawn")
        self._threads = ThreadPool(4)

    def start(self, job):
        process = self._context.Process(target=print, args=[job])
        process.start()
        return process

    def map(self, items):
        with get_context().Pool() as pool:
            return pool.map(print, items)
