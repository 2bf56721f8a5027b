"""One class rewritten from its hooks to declarations.

Hooks that the declarations replace are deleted; their comments move onto the
declaration they explained (or, for the method as a whole, onto the first
declaration); a job-state method that returns ``(<expr>, state)`` stays and
returns ``(<expr>, job_state(self))``.
"""

from __future__ import annotations

from typing import List, Set

import libcst as cst
import libcst.matchers as m

from ..policy import JOB
from ..read.class_hooks import GETSTATE, SETSTATE, ClassReading
from ..read.common import comments_above, leading_blanks
from .declarations import clear_decorators, keyword, on_restore_decorator

INTERFACE_BASE = "JobSerializable"
REFUSING_BASE = "JobUnserializable"


def migrate_class(node: cst.ClassDef, reading: ClassReading, *, add_base: bool,
                  quote: str, kept_job_methods=frozenset()) -> tuple:
    """The rewritten class and the interface names it needs.  A job-state method
    in ``kept_job_methods`` (still called from code that stays) is kept as
    ``return job_state(self)``."""
    needed: Set[str] = set()
    decorators: List[cst.Decorator] = []
    pending: List[cst.EmptyLine] = []  # comments not yet placed
    closing: List[cst.EmptyLine] = []  # comments that closed a deleted method
    methods = {s.name.value: s for s in node.body.body if isinstance(s, cst.FunctionDef)}
    replaced = {}  # method name -> new statement, or None to delete
    above = {name: comments_above(methods[name]) for name in reading.hooks if name in methods}

    for name, builder in reading.builders.items():
        method = methods[name]
        new = clear_decorators(builder.entries, node.name.value, quote)
        if new:
            needed.add("clear")
        if any(entry.clear.scope == "JOB" for entry in builder.entries):
            needed.add("JOB")
        if builder.method_stays or (name in kept_job_methods and builder.scope == JOB):
            needed.add("job_state")
            replaced[name] = _returning_job_state(method, builder)
        else:
            replaced[name] = None
            # A banner naming the deleted method goes with it; a comment above it
            # that explains something else, and the comments inside it, move.
            explaining = above[name].explaining
            if new:
                new[0] = new[0].with_changes(
                    leading_lines=[*explaining, *builder.comments, *new[0].leading_lines])
                closing.extend(builder.closing)
            else:
                pending.extend(explaining + builder.comments + builder.closing)
        decorators.extend(new)

    if reading.refusal is not None:
        replaced[GETSTATE] = None
        pending.extend(above[GETSTATE].explaining + reading.refusal.comments)

    restore = reading.restore
    if restore is not None:
        setstate = methods[SETSTATE]
        comments = above[SETSTATE].explaining + restore.comments
        if restore.existing_method:
            needed.add("on_restore")
            replaced[SETSTATE] = None
            target = methods[restore.existing_method]
            replaced[restore.existing_method] = target.with_changes(
                decorators=[on_restore_decorator(comments), *target.decorators])
        elif restore.new_body:
            needed.add("on_restore")
            replaced[SETSTATE] = _restore_method(
                setstate, reading.restore_method, restore, restore.comments,
                banner=len(above[SETSTATE].banner))
        else:
            replaced[SETSTATE] = None
            pending.extend(comments)

    if decorators and pending:
        decorators[0] = decorators[0].with_changes(
            leading_lines=[*pending, *decorators[0].leading_lines])
        pending = []

    body = _replace_statements(node.body, replaced, {
        name: lines.in_place for name, lines in above.items() if replaced.get(name, 0) is None})
    bases = list(node.bases)
    keywords = list(node.keywords)
    new_base = None
    if reading.refusal is not None:
        new_base = REFUSING_BASE
        if reading.refusal.reason is not None:
            keywords.append(keyword("reason", reading.refusal.reason))
    elif add_base:
        new_base = INTERFACE_BASE
    if new_base is not None:
        needed.add(new_base)
        bases = _with_base(bases, new_base, node.lpar)
    new_node = node.with_changes(
        bases=_with_commas(bases),
        keywords=keywords,
        decorators=[*node.decorators, *decorators],
        lines_after_decorators=[*node.lines_after_decorators, *closing],
        body=body,
        leading_lines=[*node.leading_lines, *pending],
    )
    if not node.bases and not node.keywords and bases:
        new_node = new_node.with_changes(lpar=cst.LeftParen(), rpar=cst.RightParen())
    return new_node, needed


def _with_base(bases: List[cst.Arg], name: str, lpar) -> List[cst.Arg]:
    """The bases with ``name`` added: in place of an explicit ``object`` (which
    must come last in an MRO), else after the others, in their layout."""
    for index, base in enumerate(bases):
        if m.matches(base.value, m.Name("object")):
            bases[index] = base.with_changes(value=cst.Name(name))
            return bases
    last = bases[-1] if bases else None
    if last is not None and isinstance(last.comma, cst.Comma) and isinstance(
            last.comma.whitespace_after, cst.ParenthesizedWhitespace):
        # One base a line, with a trailing comma: the new base goes on a line of its
        # own; the old last base keeps the comment at the end of its line.
        between = bases[-2].comma.whitespace_after if len(bases) > 1 else getattr(
            lpar, "whitespace_after", None)
        closing = last.comma.whitespace_after
        if isinstance(between, cst.ParenthesizedWhitespace):
            separator = last.comma.with_changes(whitespace_after=between.with_changes(
                first_line=closing.first_line, empty_lines=[]))
            trailing = last.comma.with_changes(whitespace_after=closing.with_changes(
                first_line=cst.TrailingWhitespace(), empty_lines=[]))
            return [*bases[:-1], last.with_changes(comma=separator),
                    cst.Arg(cst.Name(name), comma=trailing)]
    return [*bases, cst.Arg(cst.Name(name))]


def _with_commas(args: List[cst.Arg]) -> List[cst.Arg]:
    """Bases separated by ", " (keeping the separators that were there)."""
    result = []
    for index, arg in enumerate(args):
        if index < len(args) - 1 and not isinstance(arg.comma, cst.Comma):
            arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        result.append(arg)
    return result


def _returning_job_state(method: cst.FunctionDef, builder) -> cst.FunctionDef:
    """The method reduced to ``return <expr>, job_state(self)``; the comments
    of its body that explained no single edit stay above the return."""
    call = cst.Call(func=cst.Name("job_state"), args=[cst.Arg(cst.Name(builder.self_name))])
    if builder.returned_tuple is None:
        ret = cst.Return(value=call)
    else:
        elements = list(builder.returned_tuple.elements)
        elements[-1] = elements[-1].with_changes(value=call)
        ret = cst.Return(value=builder.returned_tuple.with_changes(elements=elements))
    line = cst.SimpleStatementLine(body=[ret], leading_lines=builder.comments + builder.closing)
    return method.with_changes(body=method.body.with_changes(body=[line], footer=[]))


def _restore_method(setstate: cst.FunctionDef, name: str, restore, comments,
                    banner: int) -> cst.FunctionDef:
    """``__setstate__``'s tail as a new ``@on_restore`` method, in its place: the
    comments above it stay, but for the last ``banner`` lines (naming
    ``__setstate__``)."""
    params = setstate.params
    plain = list(params.posonly_params) + list(params.params)
    self_param = plain[0].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    lines = list(setstate.leading_lines)
    return setstate.with_changes(
        name=cst.Name(name),
        params=cst.Parameters(params=[self_param]),
        decorators=[on_restore_decorator(comments)],
        leading_lines=lines[:len(lines) - banner],
        body=setstate.body.with_changes(body=restore.new_body, footer=[]),
    )


def _replace_statements(block: cst.IndentedBlock, replaced, in_place) -> cst.IndentedBlock:
    """The class body with methods replaced or deleted, leaving no blank-line
    debris: a deleted first statement takes the blank lines after it along.  The
    ``in_place`` comment lines of a deleted method stay where they were, above
    the statement that follows it."""
    body = []
    carried: List[cst.EmptyLine] = []
    for statement in block.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value in replaced:
            new = replaced[statement.name.value]
            if new is None:
                carried.extend(in_place.get(statement.name.value, ()))
                continue
            statement = new
        if carried:
            statement = statement.with_changes(
                leading_lines=[*carried, *statement.leading_lines])
            carried = []
        body.append(statement)
    if carried:
        block = block.with_changes(footer=[*carried, *block.footer])
    original_first = block.body[0] if block.body else None
    if body and body[0] is not original_first:
        lines = body[0].leading_lines
        body[0] = body[0].with_changes(leading_lines=lines[len(leading_blanks(lines)):])
    if not body:
        body = [cst.SimpleStatementLine(body=[cst.Pass()])]
    return block.with_changes(body=body)
