"""What ``strip`` learnt of a file's start methods, and the tree's findings
about them (CM209-CM211): plain data and the rules over it, without libcst, so
that the process that plans can use what its workers read
(read/start_method.py reads a file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from .codemod import finding
from .report import Finding

FORK_NOT_FORCED = "CM209"  # processes start, or jobs were pickled, and nothing forces fork
OTHER_START_METHOD = "CM210"  # a call or argument that selects (or can) another start method
START_METHOD_FROM_ENV = "CM211"  # an environment variable read for the start method

_DEFAULTS = ("the default start method (forkserver on Linux since Python 3.14, spawn on macOS) "
             "would pickle the job")


@dataclass(frozen=True)
class Place:
    """A line of the file that one finding is about."""

    line: int
    column: int
    code: str
    message: str


@dataclass(frozen=True)
class StartMethodFacts:
    """What one file does about start methods (picklable: it crosses from the scan)."""

    sets_fork: bool = False  # calls set_start_method("fork")
    sets_other: bool = False  # calls set_start_method with anything else (reported)
    fork_context: bool = False  # makes a fork context (get_context("fork"))
    context_starts: bool = False  # starts processes from a context it names (any method)
    # processes started with the platform's default method: (line, column, the fix
    # there, or "" for a subclass of Process, made wherever it is instantiated)
    default_starts: Tuple[Tuple[int, int, str], ...] = ()
    selections: Tuple[Place, ...] = ()  # CM210 and CM211, in this file
    unread: bool = False  # this Python's ast cannot parse it: it may force fork, or not


# The whole tree ------------------------------------------------------------------------------

Where = Tuple[Path, int, int]


def _fork_not_forced(shown_fix: Optional[str], others: int) -> str:
    more = f" (and at {others} other place{'s' if others > 1 else ''})" if others else ""
    fix = 'call multiprocessing.set_start_method("fork") at the program\'s start'
    if shown_fix is None:  # no process start found: where job pickling was
        return f"nothing in the tree forces fork: {_DEFAULTS}; {fix}"
    here = f", or write {shown_fix} here" if shown_fix else ""
    return f"starts a process, and nothing in the tree forces fork: {_DEFAULTS}; {fix}{here}{more}"


def start_method_findings(facts: Mapping[Path, StartMethodFacts],
                          pickling: Sequence[Where]) -> Dict[Path, List[Finding]]:
    """Every file's start-method findings, CM209 (at most one, for the tree) among them.

    ``facts`` are the files that processes will start from after strip (the job
    pickler, which strip deletes, is not among them); ``pickling`` the places
    where the tree used job pickling, best first (``strip``'s own findings).
    CM209 goes on the first process started with the default method, or else on
    the first of ``pickling``; not at all when a ``set_start_method`` call is in
    the tree (``"fork"``, or another reported with the fix that forces fork),
    or when every process starts from a context already (a fork one, or another
    reported where it is made).
    """
    found: Dict[Path, List[Finding]] = {}
    for path in sorted(facts):
        for place in facts[path].selections:
            found.setdefault(path, []).append(
                finding(path, place.line, place.code, place.message, column=place.column))
    # Calls first: a subclass of Process (no fix of its own) only when there is none.
    starts = sorted(((path, line, column, fix) for path, fact in facts.items()
                     for line, column, fix in fact.default_starts),
                    key=lambda start: (not start[3], start))
    # A file not read may force fork: "nothing forces it" would be a guess.
    forced = any(f.sets_fork or f.sets_other or f.unread for f in facts.values())
    if forced:
        return found
    if starts:
        path, line, column, fix = starts[0]
        message = _fork_not_forced(fix, len(starts) - 1)
    elif pickling and not any(f.fork_context or f.context_starts for f in facts.values()):
        path, line, column = pickling[0]
        message = _fork_not_forced(None, 0)
    else:
        return found
    found.setdefault(path, []).append(finding(path, line, FORK_NOT_FORCED, message,
                                              column=column))
    found[path].sort(key=lambda f: (f.line, f.column, f.code))
    return found
