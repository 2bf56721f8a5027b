import io
import pickle

from .. import nodes, registry
from ..loader import Loader


def pickle_job(job):
    snapshot = nodes.save_counters()
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    pickler.dispatch_table = {}
    pickler.dispatch_table[Loader] = _reduce
    pickler.dump((job, snapshot, registry.names()))
    return buffer


def unpickle_job(buffer):
    job, snapshot, _ = pickle.load(buffer)
    nodes.restore_counters(snapshot)
    return job


def _reduce(instance):
    return _rebuild, (type(instance),), _state_of(instance)


def _state_of(instance):
    return instance.get_state_for_child_job_pickling()


def _rebuild(cls):
    return cls.__new__(cls)
