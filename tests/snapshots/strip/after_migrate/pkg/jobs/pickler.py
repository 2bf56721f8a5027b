import io
import pickle

from ..serialization import JobPickler


def pickle_job(job, factories):
    buffer = io.BytesIO()
    pickler = JobPickler(buffer)
    pickler.dispatch_table = {}
    for plugin_class, factory in factories.items():
        pickler.dispatch_table[plugin_class] = _plugin_reducer(factory)
    pickler.dump(job)
    buffer.seek(0)
    return buffer


def run_pickled(buffer, *args):
    job = pickle.load(buffer)
    return job.run(*args)


def _plugin_reducer(factory):
    def reduce_plugin(plugin):
        kind, state = plugin._get_args_for_child_job_pickling()
        return factory.create, (kind,), state

    return reduce_plugin
