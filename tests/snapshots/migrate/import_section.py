"""A module whose import section holds a plain statement."""

from __future__ import annotations

__docformat__ = "reStructuredText"

import os
import threading

if os.name == "nt":
    import msvcrt


class Image:
    def __init__(self):
        self.lock = threading.Lock()

    def __getstate__(self):
        # Save some space on the pickle by not saving the cache.
        return {**self.__dict__, "_cache": None}
