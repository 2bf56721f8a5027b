from app import other


def run(job, platform):
    return other.fork(job)
