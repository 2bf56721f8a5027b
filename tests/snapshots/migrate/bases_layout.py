class Legacy(object):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state


class Mixin:
    pass


class OnePerLine(
    dict,  # a mapping too
    Mixin,  # and a mixin
):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state
