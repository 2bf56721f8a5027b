from serialization import JOB, JobSerializable, clear


# Handles of the parent process.
@clear("pipe", "lock", "timer", scope=JOB)
@clear("trace", scope=JOB, missing_ok=True)
class Job(JobSerializable):
    pass
