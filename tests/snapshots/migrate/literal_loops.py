class Batch:
    def __getstate__(self):
        state = self.__dict__.copy()
        # Handles and caches never travel.
        for key in ("_handle", "_cache"):
            del state[key]
        return state


class Lenient:
    def __getstate__(self):
        state = self.__dict__.copy()
        for name in ["_peer", "_timer"]:
            state.pop(name, None)
        state.pop("_log")
        return state


class Compact:
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        [state.pop(k, None) for k in ("listener", "monitor")]
        return state


class WithDefault:
    def __getstate__(self):
        state = vars(self).copy()
        state.pop("_stream", False)
        return state
