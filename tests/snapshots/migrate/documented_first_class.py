#!/usr/bin/env python3
# This header stays at the top of the file.

# Holder
#
# Keeps a handle that must not reach a child process.
class Holder:
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["handle"]
        return state
