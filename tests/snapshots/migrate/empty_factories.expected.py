from serialization import JobSerializable, clear


# Caches are rebuilt on demand.
@clear("by_name", factory=dict)
@clear("pending", factory=list)
@clear("seen", factory=set, missing_ok=True)
class Index(JobSerializable):
    def __init__(self):
        self.by_name = {}
        self.pending = []
        self.seen = set()
