import multiprocessing
import os

START_METHOD_VARIABLE = "APP_START_METHOD"


class Task:
    pass


def configure():
    # The method is read into a variable first, then normalised.
    method = os.environ.get("JOBS_MP", "spawn")
    method = method.strip().lower()
    multiprocessing.set_start_method(method, force=True)


def settings():
    home = os.environ.get("HOME")  # nothing to do with start methods
    os.environ["JOBS_MP"] = "fork"  # written, not read
    return {"home": home, "start": os.getenv(START_METHOD_VARIABLE),
            "worker": os.environ["WORKER_START_METHOD"]}
