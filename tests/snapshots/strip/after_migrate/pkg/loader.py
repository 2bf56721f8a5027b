# Loader
#
# Reads project files.
from pkg.serialization import JOB, JobSerializable, JobUnserializable, clear, job_state


# The fetcher belongs to the front end.
@clear("_fetch", scope=JOB)
# Caches are rebuilt on demand.
@clear("_cache", scope=JOB, factory=dict, missing_ok=True)
class Loader(JobSerializable):
    def __init__(self, fetch):
        self._fetch = fetch
        self._cache = {}

    def load(self, name):
        return self._cache.setdefault(name, self._fetch(name))


@clear("_notify", scope=JOB, value=None, missing_ok=True)
class Plugin(JobSerializable):
    def __init__(self, kind):
        self.__kind = kind
        self._notify = None

    def _get_args_for_child_job_pickling(self):
        return self.__kind, job_state(self)


# A session holds the terminal; it stays in the parent.
class Session(JobUnserializable, reason="Session objects must not be pickled"):
    pass
