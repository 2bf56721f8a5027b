from serialization import JobSerializable, clear


@clear("running", missing_ok=True)
class Service(JobSerializable):
    pass


@clear("_context", missing_ok=True)
class ContextFactory(JobSerializable):
    pass


@clear("connector", "retries", "delay", missing_ok=True)
class Reconnecting(JobSerializable):
    pass


@clear("_parse_args", "_parse_args_stats", missing_ok=True)
class Distribution(JobSerializable):
    pass


@clear("record", factory=list, missing_ok=True)
@clear("_renderer", value=None, missing_ok=True)
class Callback(JobSerializable):
    pass


@clear("_id_cache", missing_ok=True)
class Timed(Callback):
    pass


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
