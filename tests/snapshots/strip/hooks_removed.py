"""Pickling hooks of several classes, each documented differently."""

import copy
import threading


class Cache:
    """An in-memory cache shared by the workers."""

    def __init__(self):
        self._entries = {}
        self._lock = threading.Lock()

    ##########################################
    #              Pickling                  #
    ##########################################

    # __getstate__()
    #
    # Locks cannot be pickled: leave it out.
    #
    def __getstate__(self):
        state = copy.copy(self.__dict__)
        del state["_lock"]
        return state

    # Rebuild the lock after unpickling.
    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._entries.get(key)
    # end of Cache


class Worker:
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        state.pop("_thread", None)
        return state

    def run(self):
        return "ran"


class Record:
    def _get_args_for_child_job_pickling(self):
        return type(self).__name__, self.__dict__


class Described:
    """Only its docstring stays."""

    def __getstate__(self):
        return {}
