import multiprocessing

from .jobs import Job


def run_many(count):
    with multiprocessing.Pool(4) as pool:
        return pool.map(Job.run, [Job() for _ in range(count)])
