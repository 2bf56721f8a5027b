# snapshot-settings: {"job_methods": ["state_for_worker"]}

from serialization import JOB, JobSerializable, clear


@clear("threads", scope=JOB)
class Pool(JobSerializable):
    def __init__(self):
        self.threads = []
        self.size = 4
