"""What the scan learnt of a job pickler: plain data, sent from the worker that
read it to the process that plans, which does not import libcst (read/job_pickler.py reads it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple


@dataclass(frozen=True)
class Entry:
    function: Optional[str]  # the module-level function it is in, None at module level
    pickler: str
    key: Optional[str]  # what the key names, fully qualified
    reducer: Optional[str]  # the reducer, when it is a plain name
    convertible: bool  # the pickler is built from pickle.Pickler in the same function
    text: str = ""  # the key as written


@dataclass
class PicklerFacts:
    entries: List[Entry] = field(default_factory=list)
    generic_reducers: List[str] = field(default_factory=list)
    # name -> how often it is written, other than as an entry's reducer (a function's
    # own definition counts once)
    other_uses: Dict[str, int] = field(default_factory=dict)
    # (job-state method name, enclosing module-level function or None)
    job_method_refs: List[Tuple[str, Optional[str]]] = field(default_factory=list)
