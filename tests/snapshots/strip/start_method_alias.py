import multiprocessing as mp

import psutil


class Job:
    def get_state_for_child_job_pickling(self):
        return self.__dict__.copy()

    def run(self):
        return 0


class Worker(mp.Process):
    pass


def start(job):
    process = mp.Process(target=job.run)
    process.start()
    with mp.get_context("spawn").Pool(2) as pool:
        pool.map(print, [1, 2])
    forked = mp.get_context("fork").Process(target=job.run)
    forked.start()
    return psutil.Process(process.pid)
