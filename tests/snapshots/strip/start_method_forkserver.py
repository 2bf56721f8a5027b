import multiprocessing


class Job:
    def run(self):
        return 0


def start(job, platform):
    if platform.does_multiprocessing_start_require_pickling():
        # Gone with the arm strip removes: not reported.
        context = multiprocessing.get_context("spawn")
    else:
        context = multiprocessing.get_context("forkserver")
    process = context.Process(target=job.run)
    process.start()
    return process
