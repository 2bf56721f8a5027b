"""Line and column of a node inside a class, without positions for the whole module.

libcst's ``PositionProvider`` renders a whole module to place its nodes, which
costs more than parsing it.  Findings and ``check`` need positions of classes
and of nodes inside them only, so this renders just the class, and places the
class itself from the standard library's ``ast`` of the same text (a tenth of
the cost of the libcst parse).  Where ``ast`` cannot read the file (syntax newer
than the running interpreter), it falls back to ``PositionProvider``.
"""

from __future__ import annotations

import ast
from typing import Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import PositionProvider

from .text_facts import parse_or_none


def _class_starts(tree: ast.Module, module_name: str) -> Dict[str, Tuple[int, int, int]]:
    """Qualified name -> (line, column, end line) where libcst places the class:
    its first decorator, or the ``class`` keyword.  Classes at module or class
    level, inside compound statements too (named as ModuleIndex names them)."""
    starts: Dict[str, Tuple[int, int, int]] = {}

    def walk(body, scope: List[str]) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                name = ".".join([module_name, *scope, node.name]).lstrip(".")
                first = node.decorator_list[0] if node.decorator_list else node
                # A decorator expression starts one column after its "@".
                column = first.col_offset - 1 if node.decorator_list else node.col_offset
                starts.setdefault(name, (first.lineno, column, node.end_lineno or first.lineno))
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
        self._starts: Optional[Dict[str, Tuple[int, int, int]]] = None
        self._ast = False  # not parsed yet; None: ast cannot read the text
        self._within: Dict[int, dict] = {}  # id(class node) -> its own positions
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
        positions = self._within.get(id(owner))
        if positions is None:
            alone = cst.Module(body=[owner.with_changes(leading_lines=[])])
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
        # class's own indentation.
        return start[0] + here.start.line - origin.start.line, here.start.column + start[1]

    def _from_whole(self, node: cst.CSTNode) -> Tuple[int, int]:
        if self._whole is None:
            self._whole = cst.MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(
                PositionProvider)
        position = self._whole.get(node)
        return (position.start.line, position.start.column) if position else (1, 0)
