"""Line and column of a node inside a class, without positions for the whole module.

libcst's ``PositionProvider`` renders a whole module to place its nodes, which
costs more than parsing it.  Findings and ``check`` need positions of classes
and of nodes inside them only.  A class is placed from the standard library's
``ast`` of the same text (a tenth of the cost of the libcst parse); a node in
the class body is placed in a copy of the class that holds only the body
statement around the node, and that statement is placed by ``ast`` too (libcst
and ``ast`` start a statement on the same line).  A node elsewhere in the class
(its header) is placed in the whole class rendered alone.  Where ``ast`` cannot
read the file (syntax newer than the running interpreter), or its statements
do not match libcst's, it falls back to ``PositionProvider``.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import PositionProvider

from .text_facts import parse_or_none
from .walk import read_only_visit


def _class_starts(tree: ast.Module, module_name: str) -> Dict[str, Tuple[int, int, int, ast.ClassDef]]:
    """Qualified name -> (line, column, end line, node) of each class: its first
    decorator, or the ``class`` keyword, where findings place it.  Classes at
    module or class level, inside compound statements too (named as ModuleIndex
    names them)."""
    starts: Dict[str, Tuple[int, int, int, ast.ClassDef]] = {}

    def walk(body, scope: List[str]) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                name = ".".join([module_name, *scope, node.name]).lstrip(".")
                first = node.decorator_list[0] if node.decorator_list else node
                # A decorator expression starts one column after its "@".
                column = first.col_offset - 1 if node.decorator_list else node.col_offset
                starts.setdefault(name, (first.lineno, column, node.end_lineno or first.lineno,
                                         node))
                walk(node.body, [*scope, node.name])
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for field_name in ("body", "orelse", "finalbody"):
                    block = getattr(node, field_name, None)
                    if isinstance(block, list):
                        walk(block, scope)
                for handler in getattr(node, "handlers", ()) or ():
                    walk(handler.body, scope)
                for case in getattr(node, "cases", ()) or ():
                    walk(case.body, scope)

    walk(tree.body, [])
    return starts


class Positions:
    """Positions of nodes in one parsed module, computed class by class."""

    def __init__(self, module: cst.Module, text: str, module_name: str) -> None:
        self.module = module
        self.text = text
        self.module_name = module_name
        self._starts: Optional[Dict[str, Tuple[int, int, int, ast.ClassDef]]] = None
        # id(class node) -> id(body statement) -> the line ``ast`` starts it on
        self._lines: Dict[int, Optional[Dict[int, int]]] = {}
        self._ast = False  # not parsed yet; None: ast cannot read the text
        self._within: Dict[int, dict] = {}  # id(class node) -> positions in it rendered alone
        # id(body statement) -> positions in its class rendered with it alone (a nested
        # class is both a class and a statement: the two renders are kept apart)
        self._in_statement: Dict[int, dict] = {}
        self._holders: Dict[int, Dict[int, cst.CSTNode]] = {}  # id(class) -> id(node) -> statement
        self._whole = None  # PositionProvider over the module, the fallback

    def ast_tree(self) -> Optional[ast.Module]:
        """The text's ``ast``, parsed once; None where ``ast`` cannot read it."""
        if self._ast is False:
            self._ast = parse_or_none(self.text)
        return self._ast

    def _class_start(self, qualified: str) -> Optional[Tuple[int, int]]:
        if self._starts is None:
            tree = self.ast_tree()
            self._starts = _class_starts(tree, self.module_name) if tree is not None else {}
        found = self._starts.get(qualified)
        return found[:2] if found else None

    def class_end(self, qualified: str) -> Optional[int]:
        """The last line of the class named ``qualified``, where ``ast`` reads the file."""
        self._class_start(qualified)
        found = self._starts.get(qualified)
        return found[2] if found else None

    def of(self, node: cst.CSTNode, owner: cst.ClassDef, qualified: str) -> Tuple[int, int]:
        """(line, column) of ``node``, a node of the class ``owner`` (or ``owner``
        itself), whose fully qualified name is ``qualified``."""
        start = self._class_start(qualified)
        if start is None:
            return self._from_whole(node)
        if node is owner:
            return start
        lines = self._statement_lines(owner, qualified)
        statement = self._statement_holding(node, owner) if lines else None
        if statement is not None:
            positions = self._in_statement.get(id(statement))
            if positions is None:
                # The class with that one statement, rendered alone: the statement is
                # indented as in the class, and placed by ``ast``.
                alone = self._alone(owner.with_changes(
                    leading_lines=[], body=owner.body.with_changes(body=[statement])))
                positions = self._in_statement[id(statement)] = cst.MetadataWrapper(
                    alone, unsafe_skip_copy=True).resolve(PositionProvider)
            here, origin = positions.get(node), positions.get(statement)
            if here is not None and origin is not None:
                return (lines[id(statement)] + here.start.line - origin.start.line,
                        here.start.column + start[1])
        positions = self._within.get(id(owner))
        if positions is None:
            alone = self._alone(owner.with_changes(leading_lines=[]))
            wrapper = cst.MetadataWrapper(alone, unsafe_skip_copy=True)
            positions = wrapper.resolve(PositionProvider)
            # The copy in ``alone`` has other node objects than ``owner`` for the class
            # itself only; the nodes inside it are shared.
            positions = dict(positions)
            positions[owner] = positions[alone.body[0]]
            self._within[id(owner)] = positions
        here, origin = positions.get(node), positions[owner]
        if here is None:
            return self._from_whole(node)
        # Rendered alone, the class starts its line: every line in it lost the
        # class's own indentation.  libcst starts a class at its ``class`` keyword.
        keyword_line = self._starts[qualified][3].lineno
        return keyword_line + here.start.line - origin.start.line, here.start.column + start[1]

    def _alone(self, klass: cst.ClassDef) -> cst.Module:
        """A module of that class alone, indented as the file is (a body that does
        not say its indentation takes the module's)."""
        return cst.Module(body=[klass], default_indent=self.module.default_indent,
                          default_newline=self.module.default_newline)

    def _statement_holding(self, node: cst.CSTNode, owner: cst.ClassDef) -> Optional[cst.CSTNode]:
        """The statement of the class body that is or holds ``node``; None for a
        node of the class header."""
        holders = self._holders.get(id(owner))
        if holders is None:
            holders = self._holders[id(owner)] = {}
            for statement in owner.body.body:
                read_only_visit(statement, _Holder(statement, holders))
        return holders.get(id(node))

    def _statement_lines(self, owner: cst.ClassDef, qualified: str) -> Optional[Dict[int, int]]:
        """id(statement) -> its first line, for each statement of the class body,
        from the ``ast`` class of that name; None where the two do not match
        statement for statement (a class on one line, two classes of one name)."""
        if id(owner) in self._lines:
            return self._lines[id(owner)]
        found: Optional[Dict[int, int]] = None
        if isinstance(owner.body, cst.IndentedBlock) and self._starts:
            found = _match_statements(owner.body.body, self._starts[qualified][3])
        self._lines[id(owner)] = found
        return found

    def _from_whole(self, node: cst.CSTNode) -> Tuple[int, int]:
        if self._whole is None:
            self._whole = cst.MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(
                PositionProvider)
        position = self._whole.get(node)
        return (position.start.line, position.start.column) if position else (1, 0)


_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)


def _match_statements(statements, klass: ast.ClassDef) -> Optional[Dict[int, int]]:
    """libcst's body statements against ``ast``'s: a line of statements joined
    by ``;`` is one for libcst, one each for ``ast``; definitions must agree by
    name."""
    lines: Dict[int, int] = {}
    theirs = iter(klass.body)
    for statement in statements:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        first = next(theirs, None)
        for _ in range(count - 1):
            if next(theirs, None) is None:
                return None
        if first is None:
            return None
        if isinstance(statement, _DEFINITIONS) != isinstance(
                first, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return None
        if isinstance(statement, _DEFINITIONS) and statement.name.value != first.name:
            return None
        lines[id(statement)] = first.lineno
    if next(theirs, None) is not None:
        return None
    return lines


class _Holder(cst.CSTVisitor):
    """Notes ``statement`` as the holder of every node in it."""

    def __init__(self, statement: cst.CSTNode, holders: Dict[int, cst.CSTNode]) -> None:
        super().__init__()
        self.statement = statement
        self.holders = holders

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.holders[id(node)] = self.statement
        return True
