def choose(platform, job):
    spawn = platform.does_multiprocessing_start_require_pickling()
    if job.large and platform.does_multiprocessing_start_require_pickling():
        job.shrink()
    while platform.does_multiprocessing_start_require_pickling():
        job.wait()
    return spawn
