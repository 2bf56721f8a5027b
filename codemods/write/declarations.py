"""``@clear`` decorators from a class's entries, in the order of the old code.

Consecutive members that share every option become one decorator
(``@clear("a", "b")``), unless the later one had a comment of its own: a
comment starts a new decorator, so that it stays above what it explains.
"""

from __future__ import annotations

import re

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


_COMMENT_OR_QUOTE = re.compile("#[^\\r\\n]*|(?P<quote>'''|\"\"\"|'|\")")
# The rest of a literal after its opening quote, up to and with its closing one.
# A backslash escapes the character after it, or a whole "\r\n" line end.
_STRING_REST = {
    "'": re.compile(r"(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*'"),
    '"': re.compile(r'(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*"'),
    "'''": re.compile(r"(?:[^'\\]|\\(?:\r\n|[\s\S])|'(?!''))*'''"),
    '"""': re.compile(r'(?:[^"\\]|\\(?:\r\n|[\s\S])|"(?!""))*"""'),
}


def preferred_quote(text: str) -> str:
    """The quote character most one-line string literals of the file use
    (docstrings and other triple-quoted strings are not counted; an f-string
    counts once, as a whole); "\"" on a tie."""
    counts = quote_counts(text)
    return "'" if counts["'"] > counts['"'] else '"'


def quote_counts(text: str) -> dict:
    """How many one-line string literals open with each quote character.

    Read with regular expressions rather than ``tokenize`` (ten times slower on
    Python 3.11): comments are passed over, and each literal is passed whole
    from its opening quote, escapes included.  tests/test_declarations_quote.py
    holds the counts equal to ``tokenize``'s STRING tokens over the standard
    library."""
    counts = {'"': 0, "'": 0}
    position = 0
    while True:
        found = _COMMENT_OR_QUOTE.search(text, position)
        if found is None:
            break
        quote = found.group("quote")
        if quote is None:  # a comment
            position = found.end()
            continue
        end = _STRING_REST[quote].match(text, found.end())
        if end is None:
            break  # not closed: the file does not tokenize from here
        if len(quote) == 1:
            counts[quote] += 1
        position = end.end()
    return counts
