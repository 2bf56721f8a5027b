# -*- coding: latin-1 -*-
class Legacy:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_handle"]
        return state
