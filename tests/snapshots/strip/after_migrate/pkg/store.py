import socket

from pkg.serialization import JobSerializable, clear, on_restore


# A content store that talks to a local daemon.
# Sockets cannot cross a process boundary.
@clear("_conn")
class Store(JobSerializable):
    def __init__(self, path):
        self._path = path
        self._conn = None
        self._connect()

    @on_restore
    def _connect(self):
        self._conn = socket.socket()


@clear("_hits", value=0, missing_ok=True)
class Index(JobSerializable):
    def __init__(self):
        self._entries = {}
        self._hits = 0

    @on_restore
    def _on_restore(self):
        self._warm = False
        self._hits += 1
