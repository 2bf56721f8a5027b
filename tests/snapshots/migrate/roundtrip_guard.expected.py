from serialization import JobSerializable, clear


@clear("lock")
class Cache(JobSerializable):
    def load(self):
        try:
            return open(self.path).read()
        except OSError :
            return None
