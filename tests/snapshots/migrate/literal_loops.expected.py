from serialization import JOB, JobSerializable, clear


# Handles and caches never travel.
@clear("_handle", "_cache")
class Batch(JobSerializable):
    pass


@clear("_peer", "_timer", missing_ok=True)
@clear("_log")
class Lenient(JobSerializable):
    pass


@clear("listener", "monitor", scope=JOB, missing_ok=True)
class Compact(JobSerializable):
    pass


@clear("_stream", missing_ok=True)
class WithDefault(JobSerializable):
    pass
