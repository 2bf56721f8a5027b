"""The statements of a module and of its classes, as the stdlib ``ast`` reads
them: what write/reprint.py needs of a file's text to print its rewrite from
the source lines, read once with the scan (in the runner, when it reads the
file ahead; ``ast`` only, no libcst) and kept for the rewrite."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

_AST_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Statement:
    """What ``ast`` says of a statement: its first line (1-based; its first
    decorator's for a decorated definition), the name it defines (``def``,
    ``class``), and, for a class, its body."""

    line: int
    name: Optional[str] = None
    decorated: bool = False
    body: Tuple["Statement", ...] = ()


def layout(tree: ast.Module) -> Tuple[Statement, ...]:
    """The statements of a module and of its classes, from its ``ast``: all
    that ``reprint`` needs, small enough to keep from a file's scan to its
    rewrite."""

    def block(statements: Sequence[ast.stmt]) -> Tuple[Statement, ...]:
        found = []
        for statement in statements:
            if isinstance(statement, _AST_DEFINITIONS):
                decorators = statement.decorator_list
                found.append(Statement(
                    min([statement.lineno, *(d.lineno for d in decorators)]), statement.name,
                    bool(decorators),
                    block(statement.body) if isinstance(statement, ast.ClassDef) else ()))
            else:
                found.append(Statement(statement.lineno))
        return tuple(found)

    return block(tree.body)
