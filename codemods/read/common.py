"""Pieces every hook reader needs: the reason type, comments, constants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence

import libcst as cst
import libcst.matchers as m

_PRINTER = cst.Module(body=[])


@dataclass(frozen=True)
class Unsupported:
    """A hook left as it was: ``node`` is where, ``reason`` says why, to a person."""

    node: cst.CSTNode
    reason: str


def code(node: cst.CSTNode) -> str:
    return _PRINTER.code_for_node(node)


def comments_of(lines) -> List[cst.EmptyLine]:
    """The comment lines among ``lines`` (EmptyLine nodes), re-indented to
    wherever they are placed next."""
    return [cst.EmptyLine(indent=True, comment=line.comment) for line in lines if line.comment]


def trailing_comment(statement: cst.CSTNode) -> List[cst.EmptyLine]:
    whitespace = getattr(statement, "trailing_whitespace", None)
    if whitespace is not None and whitespace.comment is not None:
        return [cst.EmptyLine(indent=True, comment=whitespace.comment)]
    return []


def leading_blanks(lines: Sequence[cst.EmptyLine]) -> List[cst.EmptyLine]:
    """The blank lines at the start of ``lines`` (before any comment)."""
    blanks = []
    for line in lines:
        if line.comment is not None:
            break
        blanks.append(line)
    return blanks


@dataclass(frozen=True)
class CommentsAbove:
    """The lines above a method, by what becomes of them when the method goes.

    ``banner``: the comment block just above it that documents the method by
    name (``# __getstate__()`` and its lines) goes with it; ``explaining``: a
    block just above it that says something else moves with what replaces it;
    ``in_place``: blocks a blank line away (a section heading, say) stay where
    they are, above the next statement."""

    in_place: List[cst.EmptyLine]
    explaining: List[cst.EmptyLine]
    banner: List[cst.EmptyLine]


def comments_above(function: cst.FunctionDef) -> CommentsAbove:
    lines = list(function.leading_lines)
    split = len(lines)
    while split > 0 and lines[split - 1].comment is not None:
        split -= 1
    in_place, adjacent = lines[:split], lines[split:]
    while in_place and in_place[-1].comment is None:
        in_place.pop()  # the blank lines that separated them went with the method
    if not any(line.comment for line in in_place):
        in_place = []
    if adjacent and names_method(adjacent[0].comment.value, function.name.value):
        return CommentsAbove(in_place, [], adjacent)
    return CommentsAbove(in_place, comments_of(adjacent), [])


def names_method(comment: str, name: str) -> bool:
    """``# name``, ``# name()``, ``# name(self):``: a banner naming the method."""
    text = comment.lstrip("#").strip()
    if not text.startswith(name):
        return False
    rest = text[len(name):]
    return not rest or rest[0] in "(: "


def header_comment(block: cst.BaseSuite) -> List[cst.EmptyLine]:
    """A comment at the end of a ``def ...:`` line."""
    if isinstance(block, cst.IndentedBlock) and block.header.comment is not None:
        return [cst.EmptyLine(indent=True, comment=block.header.comment)]
    return []


def footer_comments(block: cst.BaseSuite) -> List[cst.EmptyLine]:
    if isinstance(block, cst.IndentedBlock):
        return comments_of(block.footer)
    return []


def statement_comments(statement: cst.CSTNode) -> List[cst.EmptyLine]:
    """Comments above a statement and at the end of its line."""
    return comments_of(getattr(statement, "leading_lines", ())) + trailing_comment(statement)


def docstring_comments(statement: cst.CSTNode) -> Optional[List[cst.EmptyLine]]:
    """A docstring statement as comment lines, or None when it is not one."""
    if not m.matches(statement, m.SimpleStatementLine(body=[m.Expr(value=m.SimpleString())])):
        return None
    value = statement.body[0].value.evaluated_value
    if not isinstance(value, str):
        return None
    lines = [line.strip() for line in value.strip().splitlines()]
    return comments_of(getattr(statement, "leading_lines", ())) + [
        cst.EmptyLine(indent=True, comment=cst.Comment(f"# {line}".rstrip())) for line in lines
    ]


def string_key(node: cst.CSTNode) -> Optional[str]:
    """The value of a plain string literal used as a key, else None."""
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


CONSTANT_NAMES = {"None", "True", "False"}


def is_constant(node: cst.BaseExpression) -> bool:
    """A literal whose value cannot depend on the object: safe as ``value=``."""
    if isinstance(node, cst.Name):
        return node.value in CONSTANT_NAMES
    if isinstance(node, (cst.Integer, cst.Float, cst.Imaginary)):
        return True
    if isinstance(node, cst.SimpleString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return is_constant(node.left) and is_constant(node.right)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return isinstance(node.expression, (cst.Integer, cst.Float, cst.Imaginary))
    if isinstance(node, cst.Tuple):
        return all(isinstance(e, cst.Element) and is_constant(e.value) for e in node.elements)
    return False


def empty_container_factory(node: cst.BaseExpression) -> Optional[str]:
    """``dict``/``list``/``set`` for ``{}``, ``[]``, ``set()``, ``dict()``, ``list()``."""
    if isinstance(node, cst.Dict) and not node.elements:
        return "dict"
    if isinstance(node, cst.List) and not node.elements:
        return "list"
    if m.matches(node, m.Call(func=m.Name("dict") | m.Name("list") | m.Name("set"), args=[])):
        return node.func.value
    return None


def self_name(function: cst.FunctionDef) -> Optional[str]:
    params = function.params
    if params.posonly_params:
        return params.posonly_params[0].name.value
    if params.params:
        return params.params[0].name.value
    return None


def only_parameters(function: cst.FunctionDef, count: int) -> bool:
    """The method takes exactly ``count`` plain positional parameters."""
    params = function.params
    plain = list(params.posonly_params) + list(params.params)
    return (
        len(plain) == count
        and all(p.default is None for p in plain)
        and not params.kwonly_params
        and isinstance(params.star_arg, cst.MaybeSentinel)
        and params.star_kwarg is None
    )
