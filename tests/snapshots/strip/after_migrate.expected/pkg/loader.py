# Loader
#
# Reads project files.
# The fetcher belongs to the front end.
class Loader:
    def __init__(self, fetch):
        self._fetch = fetch
        self._cache = {}

    def load(self, name):
        return self._cache.setdefault(name, self._fetch(name))


class Plugin:
    def __init__(self, kind):
        self.__kind = kind
        self._notify = None


# A session holds the terminal; it stays in the parent.
class Session:
    pass
