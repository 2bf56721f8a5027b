import pickle

from spawn import run_pickled, send


def start(context, job):
    if context.platform.does_multiprocessing_start_require_pickling():
        data = pickle.dumps(job)
        target, args = run_pickled, [data]
    else:
        # Forked children inherit the job as it is.
        target, args = job.run, []
    return target, args


def prepare(platform, job):
    if platform.does_multiprocessing_start_require_pickling():
        # Spawned children need the class data again.
        job.reload()

    job.prepare()


def only_statement(platform, job):
    if platform.does_multiprocessing_start_require_pickling():
        job.reload()


def negated(platform, job):
    if not platform.does_multiprocessing_start_require_pickling():
        job.fork()
    else:
        send(job)
    return job


def chained(platform, job, verbose):
    if platform.does_multiprocessing_start_require_pickling():
        send(job)
    elif verbose:
        print("forking")
    else:
        job.fork()


def inner_elif(platform, job, verbose):
    if verbose:
        print("starting")
    # pickling spawns
    elif platform.does_multiprocessing_start_require_pickling():
        send(job)
    else:
        job.fork()


def one_line(platform, job):
    if does_multiprocessing_start_require_pickling(): send(job)
    else: job.fork()


def nested(self, job):
    for part in job.parts:
        if self._context.platform.does_multiprocessing_start_require_pickling():
            send(part)
        else:
            if part.ready:
                part.fork()
