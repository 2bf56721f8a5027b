class Index:
    def __init__(self):
        self.by_name = {}
        self.pending = []
        self.seen = set()

    def __getstate__(self):
        state = self.__dict__.copy()
        # Caches are rebuilt on demand.
        assert "by_name" in state
        state["by_name"] = {}
        assert "pending" in state
        state["pending"] = []
        state["seen"] = set()
        return state
