"""write/declarations.py ``preferred_quote``: its count of one-line string
literals by quote is ``tokenize``'s count of STRING tokens (as Python 3.11
tokenizes an f-string: one token), over the standard library."""

from __future__ import annotations

import io
import sys
import sysconfig
import tokenize
from pathlib import Path

import pytest

from codemods.write import declarations
from codemods.write.declarations import preferred_quote

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def by_tokenize(text: str):
    counts = {'"': 0, "'": 0}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING:
                body = token.string.lstrip("rRbBuUfF")
                if body[:1] in counts and not body.startswith(body[0] * 3):
                    counts[body[0]] += 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return counts


@pytest.mark.skipif(sys.version_info >= (3, 12),
                    reason="tokenize splits f-strings into parts from Python 3.12")
def test_counts_equal_tokenizes_over_the_standard_library():
    checked = 0
    for path in sorted(STDLIB.glob("**/*.py"))[::3]:
        if "site-packages" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        expected = by_tokenize(text)
        if expected is None:
            continue
        assert declarations.quote_counts(text) == expected, path
        checked += 1
    assert checked > 500


@pytest.mark.parametrize("text, quote", [
    ("x = 'a'\ny = 'b'\nz = \"c\"\n", "'"),
    ("x = 'a'\ny = \"b\"\n", '"'),  # a tie
    ('"""Doc \'x\' \'y\'."""\nx = "a"\n', '"'),  # triple-quoted: not counted, nor inside
    ("# 'a' 'b' 'c'\nx = \"a\"\n", '"'),  # comments: not counted
    ("x = f\"{d['k']}\" + f\"{e['j']}\"\ny = 'a'\n", '"'),  # an f-string: once, whole
    ("x = 'it\\'s' + 'a \\\\' + \"b\"\n", "'"),  # escapes
    ("x = r'\\'' + 'a' + \"#\" + \"b\" + \"c\"\n", '"'),
    # a one-line literal continued by a backslash before a "\r\n" (found by review)
    ("x = 'a \\\r\nb'\r\ny = ['c', 'd']\r\nz = \"e\"\r\n", "'"),
])
def test_preferred_quote(text, quote):
    assert preferred_quote(text) == quote
