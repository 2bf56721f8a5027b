import socket


# A content store that talks to a local daemon.
# Sockets cannot cross a process boundary.
class Store:
    def __init__(self, path):
        self._path = path
        self._conn = None
        self._connect()

    def _connect(self):
        self._conn = socket.socket()


class Index:
    def __init__(self):
        self._entries = {}
        self._hits = 0

    def _on_restore(self):
        self._warm = False
        self._hits += 1
