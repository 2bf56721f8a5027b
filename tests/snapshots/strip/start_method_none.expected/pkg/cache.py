import threading


class Cache:
    """Process the entries of a pool of connections (no multiprocessing here)."""

    def __init__(self):
        self._lock = threading.Lock()
