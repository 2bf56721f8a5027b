import copyreg
import pickle

from .store import Widget
from .serialization import JobPickler


def save_cache(obj, f):
    pickler = pickle.Pickler(f)
    pickler.dump(obj)


def pickle_job(job, f):
    pickler = JobPickler(f)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Widget] = _reduce_widget
    pickler.dump(job)


def _reduce_widget(widget):
    return (make_widget, (widget.name,), widget.get_state_for_child_job_pickling())


def make_widget(name):
    return Widget.__new__(Widget)
