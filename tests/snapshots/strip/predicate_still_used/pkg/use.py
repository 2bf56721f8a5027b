def wait(platform):
    while platform.does_multiprocessing_start_require_pickling():
        pass


def start(platform, job):
    if platform.does_multiprocessing_start_require_pickling():
        job.pickle()
    else:
        job.fork()
