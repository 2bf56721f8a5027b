from .serialization import JOB, JobSerializable, clear, job_state


@clear("_handle", scope=JOB)
class Store(JobSerializable):
    def get_state_for_child_job_pickling(self):
        return job_state(self)


@clear("_callback", scope=JOB)
class Widget(JobSerializable):
    def get_state_for_child_job_pickling(self):
        return job_state(self)
