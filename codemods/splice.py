"""Rewrites of files that libcst does not print back byte for byte.

libcst prints a few valid spellings back differently (seen with 1.9.0:
``except OSError :`` comes back as ``except OSError:``).  A file like that
can still be rewritten: the rewrite is the difference between libcst's print
of the untouched parse and libcst's print of the rewritten tree, and that
difference is applied to the original text, as a three-way merge by lines.
Where a rewritten region touches a line that libcst changed on its own, the
merge is refused and the file is left as it was.
"""

from __future__ import annotations

import difflib
from typing import List, Optional, Tuple

Edit = Tuple[int, int, List[str]]  # replace base lines [start, end) with these


def _edits(base: List[str], other: List[str]) -> List[Edit]:
    matcher = difflib.SequenceMatcher(a=base, b=other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _touch(a: Edit, b: Edit) -> bool:
    """Two edits of the base overlap or are adjacent (an insertion counts as
    touching the lines on both sides)."""
    return a[0] <= b[1] and b[0] <= a[1]


def splice(printed: str, original: str, rewritten: str) -> Tuple[Optional[str], int]:
    """``original`` with the change from ``printed`` to ``rewritten``, and 0; or
    None and the (1-based) line of ``original`` where that change touches a line
    that ``original`` and ``printed`` spell differently."""
    base = printed.splitlines(keepends=True)
    damage = _edits(base, original.splitlines(keepends=True))
    change = _edits(base, rewritten.splitlines(keepends=True))
    for d in damage:
        if any(_touch(c, d) for c in change):
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
