"""Import removal that keeps the comments and blank lines above a removed import.

libcst's ``RemoveImportsVisitor`` drops an import statement together with the
lines above it, so a comment that heads a group of imports (``# Local
imports``) would go with the first import of the group.  This subclass hands
those lines to the statement that follows instead.
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import Codemod, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor


class RemoveImportsKeepingComments(RemoveImportsVisitor):
    def __init__(self, context, unused_imports=()) -> None:
        super().__init__(context, unused_imports)
        self._removed_lines = set()

    def leave_SimpleStatementLine(self, original, updated):
        if not updated.body and original.body:
            self._removed_lines.add(id(original))
            return cst.RemoveFromParent()
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if not self._removed_lines:
            return updated
        survivors = iter(updated.body)
        body, carried = [], []
        for statement in original.body:
            if id(statement) in self._removed_lines:
                carried.extend(statement.leading_lines)
                continue
            following = next(survivors)
            if carried:
                following = following.with_changes(
                    leading_lines=_merge(carried, list(following.leading_lines)))
                carried = []
            body.append(following)
        body.extend(survivors)
        return updated.with_changes(body=body)


def _merge(carried, own):
    if any(line.comment for line in carried):
        return carried + own
    if not any(line.comment for line in own) and len(own) < len(carried):
        return carried
    return own


class ImportAwareCommand(VisitorBasedCodemodCommand):
    """A command whose scheduled import removals keep the comments above them
    (``RemoveImportsKeepingComments`` in place of libcst's own)."""

    def transform_module(self, tree: cst.Module) -> cst.Module:
        tree = Codemod.transform_module(self, tree)
        if AddImportsVisitor.CONTEXT_KEY in self.context.scratch:
            tree = self._instantiate_and_run(AddImportsVisitor, tree)
        if RemoveImportsVisitor.CONTEXT_KEY in self.context.scratch:
            tree = self._instantiate_and_run(RemoveImportsKeepingComments, tree)
        return tree
