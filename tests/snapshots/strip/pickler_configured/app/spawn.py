"""Starts jobs in spawned processes (the configured job pickler)."""

import pickle


def spawn(job):
    return pickle.dumps(job)
