def make_connection_type():
    class Connection:
        def __getstate__(self):
            state = self.__dict__.copy()
            del state["socket"]
            return state

    return Connection


class Registry:
    def build(self):
        class Entry(dict):
            def __setstate__(self, state):
                self.__dict__.update(state)

        return Entry
