"""Skipping, in a libcst transform, the definitions no rule can touch.

A transform visits every node of a module, and most of them sit in functions
that none of its rules changes or reports on.  The module's ``ast`` (a tenth of
the cost of the visit) tells which ``def`` and ``class`` statements hold none of
the rules' words in their text, decorators included; the transform does not go
into those.  A word in a comment does not count (a comment is no code: "then
clear the state" holds no ``clear`` that a rule acts on); one in a string does.
A rule whose words are not all plain names (a use through an alias, an
attribute built at run time) must not prune.

libcst's definitions and ``ast``'s are matched by their order in the file
(both visit them first to last, outer before inner), checked by name at every
step: at the first disagreement, nothing more is skipped in that module.
"""

from __future__ import annotations

import ast
import dataclasses
import io
import tokenize
from typing import Callable, Collection, Dict, List, Optional, Sequence, Set

import libcst as cst
import libcst.matchers as m

from ..read.text_facts import LINE_END
from ..read.walk import read_only_visit

_DEFINITION = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Nodes that hold no statement: skipping their children skips no definition.
_NO_STATEMENTS = (cst.SimpleStatementLine, cst.BaseSmallStatement, cst.BaseExpression,
                  cst.Decorator, cst.Parameters, cst.Param, cst.Arg)


class DefinitionWords:
    """Each definition of a module, first to last: its name, whether its text has
    one of ``words``, and how many definitions it holds."""

    def __init__(self, text: str, tree: ast.Module, words: Collection[str]) -> None:
        lines = LINE_END.split(text)
        words = [word for word in words if word]
        self.names: List[str] = []
        self.relevant: List[bool] = []
        self.inside: List[int] = []

        comments = _Comments(text)

        def relevant(first: int, chunk: Sequence[str]) -> bool:
            joined = "\n".join(chunk)
            present = [word for word in words if word in joined]
            if not present or "#" not in joined:
                return bool(present)
            return any(comments.outside(first + offset, line, word)
                       for offset, line in enumerate(chunk) for word in present if word in line)

        def walk(node: ast.AST) -> int:
            count = 0
            for child in ast.iter_child_nodes(node):
                if isinstance(child, _DEFINITION):
                    index = len(self.names)
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    self.names.append(child.name)
                    self.relevant.append(relevant(first, lines[first - 1:child.end_lineno
                                                               or child.lineno]))
                    self.inside.append(0)
                    self.inside[index] = walk(child)
                    count += 1 + self.inside[index]
                else:
                    count += walk(child)
            return count

        walk(tree)


class _Comments:
    """Where a module's comments start, line by line, found with ``tokenize``
    only when a word is met after a ``#`` (which may be in a string)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: Optional[Dict[int, int]] = None  # line -> column of its comment
        self.failed = False

    def outside(self, line_number: int, line: str, word: str) -> bool:
        """Whether ``word`` occurs in ``line`` (line ``line_number``) outside a
        comment; where the text does not tokenize, any occurrence counts."""
        hash_at = line.find("#")
        column = line.find(word)
        if hash_at < 0 or column < hash_at:
            return True  # a comment starts at a "#", if at all
        starts = self._starts()
        if starts is None:
            return True
        comment = starts.get(line_number)
        if comment is None:
            return True  # every "#" of the line is in a string
        while column >= 0:
            if column < comment:
                return True
            column = line.find(word, column + 1)
        return False

    def _starts(self) -> Optional[Dict[int, int]]:
        if self.starts is None and not self.failed:
            starts: Dict[int, int] = {}
            try:
                # Universal newlines: "\r" ends a line here as it does for ast.
                readline = io.StringIO(self.text, newline=None).readline
                for token in tokenize.generate_tokens(readline):
                    if token.type == tokenize.COMMENT:
                        starts[token.start[0]] = token.start[1]
            except (tokenize.TokenError, SyntaxError, ValueError):
                self.failed = True
                return None
            self.starts = starts
        return self.starts


class Pruner:
    """Decides, node by node, whether a transform goes into a node: wraps its
    ``on_visit`` (``Pruner(words).visit(node, visit)``, ``visit`` being what the
    transform would do), skipping the definitions whose text has no word."""

    def __init__(self, words: DefinitionWords) -> None:
        self.words: Optional[DefinitionWords] = words
        self.next = 0  # index of the next definition the transform meets
        self.skipped: Set[cst.CSTNode] = set()  # the definitions not gone into

    def visit(self, node: cst.CSTNode, visit: Callable[[], bool]) -> bool:
        words = self.words
        if words is None:
            return visit()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            index = self.next
            if index >= len(words.names) or words.names[index] != node.name.value:
                self.words = None  # out of step: every node is visited from here on
                return visit()
            self.next = index + 1
            if not words.relevant[index]:
                self.next += words.inside[index]
                self.skipped.add(node)
                return False
            goes_in = visit()
            if not goes_in:
                self.next += words.inside[index]
            return goes_in
        goes_in = visit()
        if not goes_in and not isinstance(node, _NO_STATEMENTS):
            # a block a rule drops: its definitions are passed over too
            self.next += len(m.findall(node, m.FunctionDef() | m.ClassDef()))
        return goes_in


_ELLIPSIS_BODY = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Expr(cst.Ellipsis())])])


class _Skipped(cst.CSTVisitor):
    """The definitions a pruned visit skips, and the nodes around them."""

    def __init__(self, pruner: Pruner) -> None:
        super().__init__()
        self.pruner = pruner
        self.stack: List[cst.CSTNode] = []
        self.around: Set[cst.CSTNode] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        goes_in = self.pruner.visit(node, lambda: True)
        if not goes_in:
            self.around.update(self.stack)
        self.stack.append(node)
        return goes_in

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def _rebuilt(node: cst.CSTNode, skipped: Set[cst.CSTNode], around: Set[cst.CSTNode]):
    """``node`` with the bodies of ``skipped`` replaced; every other node is the
    very object of ``node``'s tree (``with_changes`` on the nodes ``around``)."""
    if node in skipped:
        return node.with_changes(body=_ELLIPSIS_BODY)
    if node not in around:
        return node
    changes = {}
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, cst.CSTNode) and (value in around or value in skipped):
            changes[field.name] = _rebuilt(value, skipped, around)
        elif isinstance(value, (list, tuple)) and any(
                isinstance(item, cst.CSTNode) and (item in around or item in skipped)
                for item in value):
            changes[field.name] = type(value)(
                _rebuilt(item, skipped, around) if isinstance(item, cst.CSTNode) else item
                for item in value)
    return node.with_changes(**changes)


def without_skipped(module: cst.Module, words: DefinitionWords) -> cst.Module:
    """``module`` with ``...`` for the body of each definition that a transform
    pruned by ``words`` skips, sharing every other node with ``module`` but those
    around the skipped ones: metadata resolved over it (a scope analysis, which
    costs as much as the rest of the module) serves a transform of ``module``.
    As far as imports go it names each shared node as in ``module``: a skipped
    body binds names of its own scope only, or ``global`` names that add no import."""
    pruner = Pruner(words)
    finder = _Skipped(pruner)
    read_only_visit(module, finder)
    if not pruner.skipped:
        return module
    return _rebuilt(module, pruner.skipped, finder.around)
