from serialization import JOB, JobSerializable, clear


# The scheduler stays in the parent.
@clear("__scheduler", scope=JOB)
# The cache is refilled in the child.
@clear("__cache", scope=JOB, value=None)
class Widget(JobSerializable):
    def __init__(self, scheduler):
        self.__scheduler = scheduler
        self.__cache = {}
        self.name = "widget"
