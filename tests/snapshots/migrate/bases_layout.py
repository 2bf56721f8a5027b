class Legacy(object):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state


class OnePerLine(
    dict,  # a mapping too
    Exception,  # and an error
):
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state
