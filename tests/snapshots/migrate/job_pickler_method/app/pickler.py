import io
import pickle

from .store import Store


class ChildJobPickling:
    """The pickler is built in a method: it is the one the entry is set on."""

    def pickle_job(self, job):
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer)
        pickler.dispatch_table[Store] = _reduce_object
        pickler.dump(job)
        return buffer


class Snapshot:
    # Same method and variable names, another pickler: it stays a pickle.Pickler.
    def pickle_job(self, out):
        pickler = pickle.Pickler(out)
        pickler.dump(self)


def _reduce_object(instance):
    cls = type(instance)
    return (cls.__new__, (cls,), instance.get_state_for_child_job_pickling())
