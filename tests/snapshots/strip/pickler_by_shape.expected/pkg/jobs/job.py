import multiprocessing

from .pickler import unpickle_job


class Job:
    def start(self, platform):
        target, args = self.run, []
        return multiprocessing.Process(target=target, args=args)

    def run(self):
        return 0


def _run_pickled(buffer):
    return unpickle_job(buffer).run()
