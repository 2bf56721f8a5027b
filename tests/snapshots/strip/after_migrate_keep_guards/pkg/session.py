from .serialization import JOB, JobUnserializable, clear


# A session holds the terminal; it stays in the parent.
class Session(JobUnserializable, reason="Session objects must not be pickled"):
    pass


@clear("_terminal", scope=JOB)
class Console:
    def __init__(self, terminal):
        self._terminal = terminal
