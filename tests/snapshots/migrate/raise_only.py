class Registry:
    def lookup(self, name):
        return name

    def __getstate__(self):
        # Anything that reaches the registry while pickling is a bug:
        # say so here rather than deep inside a child job.
        raise TypeError("Registry objects must not be pickled.")
