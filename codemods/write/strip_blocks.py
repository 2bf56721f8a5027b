"""Statements taken out of a block, or replaced, without blank-line debris.

Every ``strip`` rule removes or replaces whole statements; this module is where
they leave the block, so that the result reads as if written that way:

- a removed statement takes the comment block just above it (the comments
  directly over its first line, which document it) and the blank lines before
  that; comments further up, separated from it by a blank line, document
  something else and stay, above the next statement;
- when the first statement of a block goes, the blank lines that separated it
  from the next one go too; otherwise the next one keeps the separation the
  removed one had from what came before (``import a`` / ``import b`` after a
  docstring: removing ``import a`` keeps the blank line after the docstring);
- a block left empty gets ``pass``; a module whose first statements went
  (imports among them, removed last, once nothing uses them) starts at the
  next one, without the blank lines that followed them (done where the imports
  are removed, by ``imports.RemoveImportsKeepingComments``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Mapping, Sequence, Tuple

import libcst as cst

from ..read.common import leading_blanks


@dataclass(frozen=True)
class Edit:
    """What becomes of one statement: nothing (it is removed), or ``statements``
    in its place, followed by ``trailing_lines`` (comments that closed a block
    the statements came from)."""

    statements: Sequence[cst.BaseStatement] = ()
    trailing_lines: Sequence[cst.EmptyLine] = ()


REMOVE = Edit()


def _documenting_block_start(lines: Sequence[cst.EmptyLine]) -> int:
    """Where the run of comment lines directly above a statement begins."""
    start = len(lines)
    while start > 0 and lines[start - 1].comment is not None:
        start -= 1
    return start


def _surviving_lines(lines: Sequence[cst.EmptyLine]) -> List[cst.EmptyLine]:
    """The lines above a removed statement that stay: comments that a blank
    line separates from it (trailing blank lines trimmed); nothing when there
    are none."""
    kept = list(lines[:_documenting_block_start(lines)])
    if not any(line.comment is not None for line in kept):
        return []
    while kept and kept[-1].comment is None:
        kept.pop()
    return kept


def _same(lines: Sequence[cst.EmptyLine], others: Sequence[cst.EmptyLine]) -> bool:
    return len(lines) == len(others) and all(a is b for a, b in zip(lines, others))


def _splice(
    body: Sequence[cst.BaseStatement], edits: Mapping[int, Edit]
) -> Tuple[List[cst.BaseStatement], List[cst.EmptyLine]]:
    """The statements with ``edits`` applied (by index), and the lines left
    over after the last statement."""
    result: List[cst.BaseStatement] = []
    carried: List[cst.EmptyLine] = []  # lines waiting for the next statement
    gap: List[cst.EmptyLine] = []  # blank lines before the removed run
    for index, statement in enumerate(body):
        edit = edits.get(index)
        if edit is not None and not edit.statements:
            if not carried and not gap:
                gap = leading_blanks(statement.leading_lines)
            carried.extend(_surviving_lines(statement.leading_lines))
            carried.extend(edit.trailing_lines)
            continue
        if edit is None:
            new = [statement]
            own_lines = list(statement.leading_lines)
        else:
            new = list(edit.statements)
            own_lines = [*statement.leading_lines, *new[0].leading_lines]
        lines = [*carried, *own_lines]
        if not result and index > 0:
            lines = lines[len(leading_blanks(lines)):]  # the block now starts here
        elif not leading_blanks(lines):
            lines = [*gap, *lines]
        if not _same(lines, new[0].leading_lines):  # a kept statement stays the same node
            new[0] = new[0].with_changes(leading_lines=lines)
        result.extend(new)
        carried = list(edit.trailing_lines) if edit is not None else []
        gap = []
    return result, carried


def splice_block(block: cst.IndentedBlock, edits: Mapping[int, Edit]) -> cst.IndentedBlock:
    """``block`` with ``edits`` applied; ``pass`` when nothing is left."""
    if not edits:
        return block
    body, leftover = _splice(block.body, edits)
    if not body:
        body = [cst.SimpleStatementLine(body=[cst.Pass()])]
    return block.with_changes(body=body, footer=[*leftover, *block.footer])


def splice_module(module: cst.Module, edits: Mapping[int, Edit]) -> cst.Module:
    """``module`` with ``edits`` applied to its top-level statements."""
    if not edits:
        return module
    body, leftover = _splice(module.body, edits)
    return module.with_changes(body=body, footer=[*leftover, *module.footer])
