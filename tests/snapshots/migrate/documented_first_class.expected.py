#!/usr/bin/env python3
# This header stays at the top of the file.

from serialization import JobSerializable, clear


# Holder
#
# Keeps a handle that must not reach a child process.
@clear("handle")
class Holder(JobSerializable):
    pass
