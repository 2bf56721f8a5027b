"""``@clear`` decorators from a class's entries, in the order of the old code.

Consecutive members that share every option become one decorator
(``@clear("a", "b")``), unless the later one had a comment of its own: a
comment starts a new decorator, so that it stays above what it explains.
"""

from __future__ import annotations

import io
import tokenize

from typing import List, Sequence

import libcst as cst

from ..policy import ALWAYS, Clear, demangle
from ..read.state_builder import Entry

NO_SPACE = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)


def string_literal(value: str, quote: str) -> cst.SimpleString:
    if quote in value or "\\" in value:
        return cst.SimpleString(repr(value))
    return cst.SimpleString(f"{quote}{value}{quote}")


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value=value, keyword=cst.Name(name), equal=NO_SPACE)


def clear_decorator(clears: Sequence[Clear], class_name: str, quote: str,
                    comments: List[cst.EmptyLine]) -> cst.Decorator:
    first = clears[0]
    args = [cst.Arg(string_literal(demangle(c.member, class_name), quote)) for c in clears]
    if first.scope != ALWAYS:
        args.append(keyword("scope", cst.Name(first.scope)))
    if first.value is not None:
        args.append(keyword("value", cst.parse_expression(first.value)))
    if first.factory is not None:
        args.append(keyword("factory", cst.Name(first.factory)))
    if first.missing_ok:
        args.append(keyword("missing_ok", cst.Name("True")))
    return cst.Decorator(
        decorator=cst.Call(func=cst.Name("clear"), args=args), leading_lines=comments
    )


def clear_decorators(entries: Sequence[Entry], class_name: str, quote: str) -> List[cst.Decorator]:
    groups: List[List[Entry]] = []
    for entry in entries:
        if groups and not entry.comments and groups[-1][0].clear.options() == entry.clear.options():
            groups[-1].append(entry)
        else:
            groups.append([entry])
    return [
        clear_decorator([e.clear for e in group], class_name, quote, list(group[0].comments))
        for group in groups
    ]


def on_restore_decorator(comments: List[cst.EmptyLine]) -> cst.Decorator:
    return cst.Decorator(decorator=cst.Name("on_restore"), leading_lines=comments)


def preferred_quote(text: str) -> str:
    """The quote character most one-line string literals of the file use
    (docstrings and other triple-quoted strings are not counted); "\"" on a tie."""
    counts = {'"': 0, "'": 0}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING:
                body = token.string.lstrip("rRbBuUfF")
                if body[:1] in counts and not body.startswith(body[0] * 3):
                    counts[body[0]] += 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return "'" if counts["'"] > counts['"'] else '"'
