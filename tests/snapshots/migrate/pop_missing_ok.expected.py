from serialization import JobSerializable, clear


# Only set while a request runs.
@clear("request", "profiler", missing_ok=True)
class Session(JobSerializable):
    def __init__(self):
        self.user = None
