import multiprocessing

from .pickler import pickle_job, run_pickled


class Job:
    def __init__(self, platform, factories):
        self._platform = platform
        self._factories = factories

    def start(self, pipe):
        if self._platform.does_multiprocessing_start_require_pickling():
            buffer = pickle_job(self, self._factories)
            process = multiprocessing.Process(target=run_pickled, args=[buffer, pipe])
        else:
            process = multiprocessing.Process(target=self.run, args=[pipe])
        process.start()
        return process

    def run(self, pipe):
        pipe.send("done")
