import copyreg
import io

from ..proto import Message
from ..serialization import JobPickler


def pickle_job(job):
    data = io.BytesIO()
    pickler = JobPickler(data)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    pickler.dispatch_table[Message] = _reduce_message
    pickler.dump(job)
    return data


def _reduce_message(message):
    return (Message.parse, (message.serialize(),))
