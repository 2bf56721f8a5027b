import copyreg
import io
import pickle

from ..core import Store
from ..proto import Message


def pickle_job(job):
    data = io.BytesIO()
    pickler = pickle.Pickler(data)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Store] = _reduce_object
    pickler.dispatch_table[Message] = _reduce_message
    pickler.dump(job)
    return data


# Rebuild an object from its job state.
def _reduce_object(instance):
    cls = type(instance)
    return (cls.__new__, (cls,), instance.get_state_for_child_job_pickling())


def _reduce_message(message):
    return (Message.parse, (message.serialize(),))
