# -*- coding: latin-1 -*-
from serialization import JobSerializable, clear


@clear("_handle")
class Legacy(JobSerializable):
    pass
