"""A module whose import section holds a plain statement."""

from __future__ import annotations

__docformat__ = "reStructuredText"

import os
import threading

from serialization import JobSerializable, clear

if os.name == "nt":
    import msvcrt


# Save some space on the pickle by not saving the cache.
@clear("_cache", value=None, missing_ok=True)
class Image(JobSerializable):
    def __init__(self):
        self.lock = threading.Lock()
