"""Branches on a "does starting a process require pickling" predicate, taken as
always false once job pickling is gone.

A predicate is a call of a configured name, on any receiver
(``platform.does_multiprocessing_start_require_pickling()``,
``self._context.platform.does_...()``, or a bare function):

    if p(): A else: B            ->  B, dedented into the enclosing block
    if p(): A                    ->  (removed)
    if not p(): A else: B        ->  A
    if p(): A elif q: B else: C  ->  if q: B else: C
    if q: A elif p(): B else: C  ->  if q: A else: C

The definition of the predicate (a method or function of that name) goes too.
A predicate used any other way is left alone and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, List, Optional, Union

import libcst as cst
import libcst.matchers as m

from .strip_blocks import REMOVE, Edit

Tail = Union[cst.If, cst.Else, None]


def predicate_call(names: Collection[str]) -> m.BaseMatcherNode:
    """Matches a call of one of the predicates ``names``."""
    name = m.Name(m.MatchIfTrue(lambda value: value in names))
    return m.Call(func=name | m.Attribute(attr=name))


def _truth(test: cst.BaseExpression, names: Collection[str]) -> Optional[bool]:
    """False for ``p()``, True for ``not p()``, None for any other test."""
    call = predicate_call(names)
    if m.matches(test, call):
        return False
    if m.matches(test, m.UnaryOperation(operator=m.Not(), expression=call)):
        return True
    return None


@dataclass
class Fold:
    """An ``if`` chain with the predicate taken as false."""

    tail: Tail  # what is left of the chain: an if (chain), an else (its block), or nothing
    dropped: List[cst.CSTNode] = field(default_factory=list)  # tests and arms that go
    elifs: List[cst.If] = field(default_factory=list)  # every elif of the chain

    @property
    def changed(self) -> bool:
        return bool(self.dropped)


def fold_chain(node: cst.If, names: Collection[str]) -> Fold:
    """``node`` (an ``if`` statement, with its elifs) with every predicate test decided."""
    fold = Fold(tail=None)

    def visit(branch: Tail, is_first: bool) -> Tail:
        if not isinstance(branch, cst.If):
            return branch
        if not is_first:
            fold.elifs.append(branch)
        truth = _truth(branch.test, names)
        if truth is False:
            fold.dropped.extend([branch.test, branch.body])
            return visit(branch.orelse, is_first=False)
        if truth is True:
            fold.dropped.append(branch.test)
            if branch.orelse is not None:
                fold.dropped.append(branch.orelse)
            leading = () if is_first else branch.leading_lines
            return cst.Else(body=branch.body, leading_lines=leading)
        kept = branch.with_changes(orelse=visit(branch.orelse, is_first=False))
        # The first if's own leading lines stay with the statement it is in.
        return kept.with_changes(leading_lines=()) if is_first else kept

    fold.tail = visit(node, is_first=True)
    return fold


def fold_edit(fold: Fold) -> Edit:
    """The statements that replace the folded ``if`` statement."""
    tail = fold.tail
    if tail is None:
        return REMOVE
    if isinstance(tail, cst.If):
        # node itself with a shorter chain, or an elif promoted to an if, whose
        # comments (above the `elif`) stay below those above the old `if`.
        return Edit([tail.with_changes(leading_lines=_comments(tail.leading_lines))])
    return _arm_statements(tail)


def _comments(lines) -> List[cst.EmptyLine]:
    return [line for line in lines if line.comment is not None]


def _arm_statements(arm: cst.Else) -> Edit:
    """The block of the arm that always runs, as statements of the enclosing
    block; comments above its ``else`` and on its header line go with them."""
    lines = _comments(arm.leading_lines)
    block = arm.body
    if isinstance(block, cst.SimpleStatementSuite):
        statement = cst.SimpleStatementLine(
            body=block.body, trailing_whitespace=block.trailing_whitespace, leading_lines=lines)
        return Edit([statement])
    if block.header.comment is not None:
        lines.append(cst.EmptyLine(comment=block.header.comment))
    statements = list(block.body)
    statements[0] = statements[0].with_changes(
        leading_lines=[*lines, *statements[0].leading_lines])
    return Edit(statements, trailing_lines=tuple(block.footer))
