import io
import pickle

from .serialization import JobPickler


class ChildJobPickling:
    """The pickler is built in a method: it is the one the entry is set on."""

    def pickle_job(self, job):
        buffer = io.BytesIO()
        pickler = JobPickler(buffer)
        pickler.dump(job)
        return buffer


class Snapshot:
    # Same method and variable names, another pickler: it stays a pickle.Pickler.
    def pickle_job(self, out):
        pickler = pickle.Pickler(out)
        pickler.dump(self)
