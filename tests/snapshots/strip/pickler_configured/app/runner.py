import app.spawn
from app import spawn as spawning, other


def run(job, platform):
    if platform.does_multiprocessing_start_require_pickling():
        return spawning.spawn(job)
    return other.fork(job)
