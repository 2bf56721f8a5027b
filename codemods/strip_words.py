"""The words ``strip`` looks for in a file's text before it parses anything.

Kept apart from the rules (write/strip_*.py), which need libcst: deciding which
files to parse must not load it.
"""

from __future__ import annotations

import re
from typing import Tuple

from .settings import Settings

GETSTATE, SETSTATE = "__getstate__", "__setstate__"
JOB_PICKLER = "JobPickler"  # the interface's pickler class

# A file can select a start method only if it has one of WORDS and one of MODULES.
START_METHOD_WORDS = ("start_method", "START_METHOD", "get_context", "Process", "Pool",
                      "mp_context")
START_METHOD_MODULES = ("multiprocessing", "concurrent", "START_METHOD", "start_method")


def hook_names(settings: Settings) -> Tuple[str, ...]:
    """Every method name ``strip`` removes from a class."""
    return (GETSTATE, SETSTATE, *settings.job_methods)


def needs_reading(text: str) -> bool:
    """Whether a file can hold anything the start-method rule reports."""
    return any(word in text for word in START_METHOD_WORDS) and any(
        word in text for word in START_METHOD_MODULES)


def defines_any(text: str, names) -> bool:
    """Whether ``text`` may define a function or method named one of ``names``
    (``def name``, across a line continuation too): where it cannot, no walk
    of its tree looks for such definitions."""
    names = [re.escape(name) for name in names]
    return bool(names) and re.search(r"\bdef\b[\s\\]*(?:%s)\b" % "|".join(names), text) is not None
