import multiprocessing


class Job:
    def run(self):
        return 0


def start(job, platform):
    context = multiprocessing.get_context("forkserver")
    process = context.Process(target=job.run)
    process.start()
    return process
