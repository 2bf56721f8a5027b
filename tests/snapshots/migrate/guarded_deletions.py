class Service:
    def __getstate__(self):
        state = self.__dict__.copy()
        if "running" in state:
            del state["running"]
        return state


class ContextFactory:
    def __getstate__(self):
        d = self.__dict__.copy()
        try:
            del d["_context"]
        except KeyError:
            pass
        return d


class Reconnecting:
    def __getstate__(self):
        state = self.__dict__.copy()
        for key in ["connector", "retries", "delay"]:
            if key in state:
                del state[key]
        return state


class Distribution:
    def __getstate__(self):
        dct = self.__dict__.copy()
        attrs = ["_parse_args", "_parse_args_stats"]
        [dct.pop(attr, None) for attr in attrs]
        return dct


class Callback:
    def __getstate__(self):
        return {**self.__dict__, "record": [], "_renderer": None}


class Timed(Callback):
    def __getstate__(self):
        state = super().__getstate__().copy()
        state.pop("_id_cache", None)
        return state


class ListUsedTwice:
    def __getstate__(self):
        state = self.__dict__.copy()
        names = ["a", "b"]
        for name in names:
            state.pop(name, None)
        state["names"] = names
        return state


class GuardsAnotherKey:
    def __getstate__(self):
        state = self.__dict__.copy()
        if "a" in state:
            del state["b"]
        return state
