class Loader:
    def __init__(self, fetch):
        self._fetch = fetch
