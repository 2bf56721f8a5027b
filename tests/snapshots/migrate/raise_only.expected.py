from serialization import JobUnserializable


# Anything that reaches the registry while pickling is a bug:
# say so here rather than deep inside a child job.
class Registry(JobUnserializable, reason="Registry objects must not be pickled."):
    def lookup(self, name):
        return name
