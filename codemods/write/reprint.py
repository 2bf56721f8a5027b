"""Printing a rewritten module from the source text of every statement the
rewrite kept.

libcst prints a module by printing each of its nodes.  A rewrite that changes
three methods of a large class paid for the whole file twice: the print of the
rewritten tree, and the print of the untouched one, which tells whether libcst
prints the file back as it was (see splice.py).

Here a statement the rewrite kept (the same node object, at module level or in
the body of a class it changed) is printed as a one-line marker, and the
marker's line is then replaced by the statement's own lines of the source.
Where a statement's lines start is read from ``ast`` (its first line) and libcst
(the comment and blank lines it owns above it); it ends where the next one
starts.  The untouched tree is printed the same way, with the same markers: when
that gives the source back, the lines taken for each statement are its own and
libcst prints every changed statement back as it was.  Otherwise (or where the
statements of ``ast`` and libcst do not pair up) the caller prints the whole
module, as before.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from ..read.layout import Statement
from ..read.text_facts import lines_with_ends

_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)

Span = Tuple[int, int]  # source lines [start, end), 0-based


class _Unshared(Exception):
    """The statements of libcst and ``ast`` do not pair up as expected."""


def _pairs(statements: Sequence[cst.BaseStatement], theirs: Sequence[Statement]
           ) -> List[Statement]:
    """``ast``'s first statement for each of libcst's (a line of statements
    joined by ``;`` is one for libcst, one each for ``ast``)."""
    firsts: List[Statement] = []
    position = 0
    for statement in statements:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        if position + count > len(theirs):
            raise _Unshared
        first = theirs[position]
        position += count
        if isinstance(statement, _DEFINITIONS) != (first.name is not None) or (
                isinstance(statement, _DEFINITIONS) and statement.name.value != first.name):
            raise _Unshared
        firsts.append(first)
    if position != len(theirs):
        raise _Unshared
    return firsts


def _first_line(statement: cst.BaseStatement, first: Statement, lines: List[str],
                floor: int) -> int:
    """The 0-based line where ``statement`` starts, the lines libcst gives it
    above its first token included."""
    line = first.line - 1
    above = len(statement.leading_lines)
    if first.decorated:
        while line > floor and not lines[line].lstrip().startswith("@"):
            line -= 1  # `@(` with the expression on the next line
        if not lines[line].lstrip().startswith("@"):
            raise _Unshared
        above += len(statement.decorators[0].leading_lines)
    start = line - above
    if start < floor:
        raise _Unshared
    return start


def _spans(statements: Sequence[cst.BaseStatement], theirs: Sequence[Statement],
           lines: List[str], start: int, end: int) -> Tuple[List[Span], List[Statement]]:
    """The source lines of each statement, in a block whose statements take
    lines [start, end)."""
    firsts = _pairs(statements, theirs)
    starts = []
    floor = start
    for statement, first in zip(statements, firsts):
        floor = _first_line(statement, first, lines, floor)
        starts.append(floor)
        floor += 1
    bounds = [*starts, end]
    spans = [(bounds[i], bounds[i + 1]) for i in range(len(statements))]
    if any(a >= b for a, b in spans):
        raise _Unshared
    return spans, firsts


class _Marker:
    """Names the kept statements, with a word the source does not contain."""

    def __init__(self, text: str) -> None:
        stem = "codemods_kept"
        while stem in text:
            stem += "_"
        self.stem = stem
        self.spans: Dict[str, Span] = {}

    def statement(self, span: Span) -> cst.SimpleStatementLine:
        name = f"{self.stem}{len(self.spans)}"
        self.spans[name] = span
        return cst.SimpleStatementLine(body=[cst.Expr(cst.Name(name))])


def _marked(before: Sequence[cst.BaseStatement], after: Sequence[cst.BaseStatement],
            theirs: Sequence[Statement], lines: List[str], start: int, end: int,
            marker: _Marker) -> Tuple[List[cst.BaseStatement], List[cst.BaseStatement]]:
    """Both bodies with each statement of ``after`` kept from ``before`` as a
    marker; a class rewritten in place (changed, of a name that one class has on
    each side) is marked inside in the same way."""
    spans, firsts = _spans(before, theirs, lines, start, end)
    kept = {id(statement) for statement in after}
    markers: Dict[int, cst.BaseStatement] = {}
    for i, statement in enumerate(before):
        if id(statement) in kept:
            markers[id(statement)] = marker.statement(spans[i])
    was_classes = _classes(before, kept)
    now_classes = _classes(after, {id(statement) for statement in before})
    rewritten: Dict[int, cst.BaseStatement] = {}
    for name, (i, was) in was_classes.items():
        if name not in now_classes:
            continue
        _, now = now_classes[name]
        if now.body.indent != was.body.indent:
            continue  # its kept statements would print at another indentation
        span = spans[i]
        was_body, now_body = _marked(was.body.body, now.body.body, firsts[i].body, lines,
                                     span[0], span[1] - len(was.body.footer), marker)
        rewritten[id(was)] = was.with_changes(body=was.body.with_changes(body=was_body))
        rewritten[id(now)] = now.with_changes(body=now.body.with_changes(body=now_body))

    def body(statements: Sequence[cst.BaseStatement]) -> List[cst.BaseStatement]:
        return [markers.get(id(s)) or rewritten.get(id(s)) or s for s in statements]

    return body(before), body(after)


def _classes(statements: Sequence[cst.BaseStatement], other: Set[int]
             ) -> Dict[str, Tuple[int, cst.ClassDef]]:
    """The changed classes with an indented body (not in ``other``, the ids of
    the other side's statements), by name, of each name that one class has."""
    found: Dict[str, Tuple[int, cst.ClassDef]] = {}
    twice: Set[str] = set()
    for i, statement in enumerate(statements):
        if id(statement) in other or not isinstance(statement, cst.ClassDef) or \
                not isinstance(statement.body, cst.IndentedBlock):
            continue
        name = statement.name.value
        if name in found:
            twice.add(name)
        found[name] = (i, statement)
    return {name: value for name, value in found.items() if name not in twice}


def _filled(printed: str, marker: _Marker, lines: List[str]) -> str:
    out = []
    for line in lines_with_ends(printed):
        span = marker.spans.get(line.strip())
        out.extend(lines[span[0]:span[1]] if span is not None else (line,))
    return "".join(out)


def reprint(before: cst.Module, after: cst.Module, text: str,
            statements: Optional[Sequence[Statement]]) -> Optional[str]:
    """``after``'s code, with each statement kept from ``before`` (the parse of
    ``text``; ``statements`` its ``layout``) taken from ``text``; None where that
    cannot be proved the same as libcst's print of ``after`` with the source's
    own spelling of every line it did not change."""
    if statements is None or not before.has_trailing_newline or after is before or \
            after.default_indent != before.default_indent:
        return None
    lines = lines_with_ends(text)
    marker = _Marker(text)
    try:
        old, new = _marked(before.body, after.body, statements, lines,
                           len(before.header), len(lines) - len(before.footer), marker)
    except (_Unshared, AttributeError):
        return None
    if not marker.spans:
        return None  # nothing kept: the plain print is as cheap
    if _filled(before.with_changes(body=old).code, marker, lines) != text:
        return None
    return _filled(after.with_changes(body=new).code, marker, lines)
