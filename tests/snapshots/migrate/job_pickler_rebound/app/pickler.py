import io
import pickle

from .store import Store


def pickle_job(job, wrap):
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    if wrap is not None:
        pickler = wrap(pickler)  # maybe not a pickle.Pickler any more
    pickler.dispatch_table[Store] = _reduce_object
    pickler.dump(job)
    return buffer


def _reduce_object(instance):
    cls = type(instance)
    return (cls.__new__, (cls,), instance.get_state_for_child_job_pickling())
