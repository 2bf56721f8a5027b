"""Rewrites of files that libcst does not print back byte for byte.

libcst prints a few valid spellings back differently (seen with 1.9.0:
``except OSError :`` comes back as ``except OSError:``).  A file like that
can still be rewritten: the rewrite is the difference between libcst's print
of the untouched parse and libcst's print of the rewritten tree, and that
difference is applied to the original text, as a three-way merge by lines.
Where a rewritten region touches a line that libcst changed on its own, the
merge is refused and the file is left as it was.

The same merge applies the rewrite of an outline of a file (read/outline.py,
which changes some lines and keeps every line's place) to the file itself
(``splice_outline``); where the rewrite touches a line the outline changed,
the caller parses the file whole instead.
"""

from __future__ import annotations

import difflib
from typing import List, Optional, Tuple

Edit = Tuple[int, int, List[str]]  # replace base lines [start, end) with these


def _edits(base: List[str], other: List[str], autojunk: bool = False) -> List[Edit]:
    matcher = difflib.SequenceMatcher(a=base, b=other, autojunk=autojunk)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _changed_lines(base: List[str], other: List[str]) -> List[Edit]:
    """The edits from ``base`` to ``other``, two texts of as many lines that
    differ line for line: each run of differing lines, replaced."""
    edits: List[Edit] = []
    start = None
    for index, (mine, theirs) in enumerate(zip(base, other)):
        if mine != theirs and start is None:
            start = index
        elif mine == theirs and start is not None:
            edits.append((start, index, other[start:index]))
            start = None
    if start is not None:
        edits.append((start, len(base), other[start:]))
    return edits


def _touch(a: Edit, b: Edit) -> bool:
    """Two edits of the base overlap or are adjacent (an insertion counts as
    touching the lines on both sides)."""
    return a[0] <= b[1] and b[0] <= a[1]


def _share_lines(change: Edit, damage: Edit) -> bool:
    """A change and a damaged run of lines share a line, or the change inserts
    lines at an end of the run (where, before or after it, is not known)."""
    if change[0] == change[1]:
        return damage[0] <= change[0] <= damage[1]
    return change[0] < damage[1] and damage[0] < change[1]


def splice(printed: str, original: str, rewritten: str) -> Tuple[Optional[str], int]:
    """``original`` with the change from ``printed`` to ``rewritten``, and 0; or
    None and the (1-based) line of ``original`` where that change touches a line
    that ``original`` and ``printed`` spell differently."""
    base = printed.splitlines(keepends=True)
    damage = _edits(base, original.splitlines(keepends=True))
    change = _edits(base, rewritten.splitlines(keepends=True))
    return _merge(base, damage, change)


def splice_outline(printed: str, original: str, rewritten: str) -> Optional[str]:
    """``original`` with the change from ``printed`` (libcst's print of an
    outline of it) to ``rewritten``; None where the change touches a line that
    ``printed`` and ``original`` spell differently, or the two do not have as
    many lines.  A change next to an outline's line is applied: the outline keeps
    each statement of the text on its lines, so a change of the lines after a
    method's body left out is the same change of the text.  Their differences
    are found line by line, and the
    rewrite's with ``difflib``'s junk heuristic: a rewrite changes a few places
    among thousands of alike lines (empty ones, the outline's ``)``), which its
    exhaustive search takes seconds over; any edit script it gives is a correct
    one, at worst wider, and so refused sooner."""
    base = printed.splitlines(keepends=True)
    lines = original.splitlines(keepends=True)
    if len(base) != len(lines):
        return None
    merged, _ = _merge(base, _changed_lines(base, lines),
                       _edits(base, rewritten.splitlines(keepends=True), autojunk=True),
                       touch=_share_lines)
    return merged


def _merge(base: List[str], damage: List[Edit], change: List[Edit],
           touch=_touch) -> Tuple[Optional[str], int]:
    for d in damage:
        if any(touch(c, d) for c in change):
            shift = sum(len(lines) - (end - start) for start, end, lines in damage if end <= d[0])
            return None, d[0] + shift + 1
    result: List[str] = []
    position = 0
    for start, end, lines in sorted(damage + change, key=lambda edit: (edit[0], edit[1])):
        result.extend(base[position:start])
        result.extend(lines)
        position = end
    result.extend(base[position:])
    return "".join(result), 0
