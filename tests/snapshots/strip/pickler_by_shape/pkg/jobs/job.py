import multiprocessing

from .pickler import pickle_job, unpickle_job


class Job:
    def start(self, platform):
        if platform.does_multiprocessing_start_require_pickling():
            target, args = _run_pickled, [pickle_job(self)]
        else:
            target, args = self.run, []
        return multiprocessing.Process(target=target, args=args)

    def run(self):
        return 0


def _run_pickled(buffer):
    return unpickle_job(buffer).run()
