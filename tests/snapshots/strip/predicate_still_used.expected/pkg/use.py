def wait(platform):
    while platform.does_multiprocessing_start_require_pickling():
        pass


def start(platform, job):
    job.fork()
