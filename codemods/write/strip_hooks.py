"""Pickling hooks that ``strip`` removes from a class.

    def __getstate__(self): ...                         -> removed
    def __setstate__(self, state): ...                  -> removed
    def get_state_for_child_job_pickling(self): ...     -> removed (any job-state method,
                                                           also one that returns
                                                           ``kind, job_state(self)``)
    def __getstate__(self):
        raise TypeError("do not pickle this")           -> removed too, unless keep_guards

Each goes with the comment block that documents it (see ``strip_blocks``).
"""

from __future__ import annotations

import libcst as cst

from ..read.class_hooks import GETSTATE, SETSTATE
from ..read.raise_only import read_raise_only
from ..settings import Settings
from ..strip_words import hook_names

PICKLE_HOOKS = (GETSTATE, SETSTATE)


def is_guard(method: cst.FunctionDef) -> bool:
    """A ``__getstate__`` that only raises: the class refuses to be pickled."""
    return method.name.value == GETSTATE and read_raise_only(method) is not None


def is_stripped_hook(method: cst.FunctionDef, settings: Settings) -> bool:
    """Whether ``strip`` removes ``method``, a method of a class."""
    if settings.keep_guards and is_guard(method):
        return False
    return method.name.value in hook_names(settings)
