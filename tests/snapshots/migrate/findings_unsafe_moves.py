class Formatted:
    def __getstate__(self):
        raise TypeError("cannot pickle %s" % self.name)


class OtherError:
    def __getstate__(self):
        raise RuntimeError("do not pickle")


class ReadsState:
    def get_state_for_child_job_pickling(self):
        state = self.__dict__.copy()
        del state["_q"]
        return len(state), state
