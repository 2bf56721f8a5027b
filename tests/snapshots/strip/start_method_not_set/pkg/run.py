from multiprocessing import Process

from .jobs import Job


def run_one(platform):
    job = Job()
    if platform.does_multiprocessing_start_require_pickling():
        raise RuntimeError("jobs cannot be pickled here")
    process = Process(target=job.run)
    process.start()
    return process
