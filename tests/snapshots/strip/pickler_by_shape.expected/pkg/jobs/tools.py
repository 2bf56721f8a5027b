import sys

from pkg.jobs import pickler
import pkg.jobs.pickler, os.path


def save(job, path):
    with open(path, "wb") as handle:
        handle.write(pickler.pickle_job(job).getvalue())
    return os.path.exists(path) and sys.platform
