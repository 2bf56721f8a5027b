def start(context, job):
    # Forked children inherit the job as it is.
    target, args = job.run, []
    return target, args


def prepare(platform, job):
    job.prepare()


def only_statement(platform, job):
    pass


def negated(platform, job):
    job.fork()
    return job


def chained(platform, job, verbose):
    if verbose:
        print("forking")
    else:
        job.fork()


def inner_elif(platform, job, verbose):
    if verbose:
        print("starting")
    else:
        job.fork()


def one_line(platform, job):
    job.fork()


def nested(self, job):
    for part in job.parts:
        if part.ready:
            part.fork()
