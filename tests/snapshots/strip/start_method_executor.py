import multiprocessing
from concurrent import futures
from concurrent.futures import ProcessPoolExecutor

FORK = multiprocessing.get_context("fork")


class Job:
    def get_state_for_child_job_pickling(self):
        return self.__dict__.copy()

    def run(self):
        return 0


def run_all(jobs, mp_context):
    with ProcessPoolExecutor(max_workers=4, mp_context=mp_context) as pool:
        list(pool.map(Job.run, jobs))
    with ProcessPoolExecutor(4, multiprocessing.get_context("fork")) as pool:
        list(pool.map(Job.run, jobs))
    with futures.ProcessPoolExecutor(mp_context=FORK) as pool:
        list(pool.map(Job.run, jobs))
    with futures.ProcessPoolExecutor() as pool:
        list(pool.map(Job.run, jobs))
