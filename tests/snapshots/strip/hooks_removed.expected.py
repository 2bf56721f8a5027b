"""Pickling hooks of several classes, each documented differently."""

import threading


class Cache:
    """An in-memory cache shared by the workers."""

    def __init__(self):
        self._entries = {}
        self._lock = threading.Lock()

    ##########################################
    #              Pickling                  #
    ##########################################

    def get(self, key):
        with self._lock:
            return self._entries.get(key)
    # end of Cache


class Worker:
    def run(self):
        return "ran"


class Record:
    pass


class Described:
    """Only its docstring stays."""
