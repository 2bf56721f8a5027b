from multiprocessing import Process

from .jobs import Job


def run_one(platform):
    job = Job()
    process = Process(target=job.run)
    process.start()
    return process
