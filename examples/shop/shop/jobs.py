import copyreg
import io
import pickle

from . import Courier


def pickle_delivery_job(job):
    data = io.BytesIO()
    pickler = pickle.Pickler(data)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Courier] = _reduce_object
    pickler.dump(job)
    return data


def _reduce_object(instance):
    cls = type(instance)
    return (cls.__new__, (cls,), instance.get_state_for_child_job_pickling())
