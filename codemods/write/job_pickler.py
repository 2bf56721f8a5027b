"""The job pickler: per-class ``dispatch_table`` entries that the generic
``JobPickler`` rule now covers are removed, the pickler becomes a
``JobPickler``, and reducers and imports left unused go.

    pickler = pickle.Pickler(data)              ->  pickler = JobPickler(data)
    pickler.dispatch_table[Loader] = _reduce    ->  (removed: Loader is JobSerializable)
    pickler.dispatch_table[Proto] = _reduce_pb  ->  (kept: not a migrated class)
"""

from __future__ import annotations

from typing import Collection, Optional, Set, Tuple, Union

import libcst as cst
import libcst.matchers as m
from libcst.codemod import ContextAwareTransformer
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import (
    FullyQualifiedNameProvider,
    GlobalScope,
    QualifiedNameProvider,
    ScopeProvider,
)

from ..read.job_pickler import PICKLER_CLASSES

DISPATCH_ENTRY = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Subscript(
    value=m.Attribute(value=m.Name(), attr=m.Name("dispatch_table")),
    slice=[m.SubscriptElement(slice=m.Index())],
))])])


def _entry_parts(line: cst.SimpleStatementLine):
    assign = line.body[0]
    target = assign.targets[0].target
    return target.value.value.value, target.slice[0].slice.value, assign.value


class RewriteJobPickler(ContextAwareTransformer):
    """Removes the entries whose key names a migrated class and whose reducer is
    one the plan lets go (a generic reducer nothing else uses), and turns the
    ``pickle.Pickler`` that the same function builds them on into a
    ``JobPickler``.  Other entries, and other picklers, stay as they are."""

    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider, QualifiedNameProvider, ScopeProvider)

    def __init__(self, context, migrated: Collection[str], reducers: Collection[str]) -> None:
        super().__init__(context)
        self.migrated = set(migrated)
        self.removable_reducers = set(reducers)
        self.entries: Set[cst.SimpleStatementLine] = set()
        self.picklers: Set[Tuple[Optional[str], str]] = set()  # (function, pickler name)
        self.reducers: Set[str] = set()
        self.made_job_pickler = False
        self._function: Optional[str] = None
        self._depth = 0

    def visit_Module(self, node: cst.Module) -> None:
        """First find the entries to remove: the pickler is built before them."""
        for statement in node.body:
            function = statement.name.value if isinstance(statement, cst.FunctionDef) else None
            for line in m.findall(statement, DISPATCH_ENTRY):
                pickler, key, reducer = _entry_parts(line)
                names = {q.name for q in self.get_metadata(FullyQualifiedNameProvider, key, set())}
                if (names & self.migrated and isinstance(reducer, cst.Name)
                        and reducer.value in self.removable_reducers):
                    self.entries.add(line)
                    self.picklers.add((function, pickler))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0:
            self._function = node.name.value
        self._depth += 1

    def leave_FunctionDef(self, original, updated):
        self._depth -= 1
        if self._depth == 0:
            self._function = None
        return updated

    def leave_SimpleStatementLine(self, original, updated) -> Union[cst.BaseStatement, cst.RemovalSentinel]:
        if original in self.entries:
            _, _, reducer = _entry_parts(original)
            self.reducers.add(reducer.value)
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, original)
            return cst.RemoveFromParent()
        return updated

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.Assign:
        if not m.matches(original, m.Assign(targets=[m.AssignTarget(target=m.Name())], value=m.Call())):
            return updated
        if (self._function, original.targets[0].target.value) not in self.picklers:
            return updated
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original.value.func, set())}
        if not names & PICKLER_CLASSES:
            return updated
        RemoveImportsVisitor.remove_unused_import_by_node(self.context, original.value.func)
        self.made_job_pickler = True
        return updated.with_changes(value=updated.value.with_changes(func=cst.Name("JobPickler")))


class RemoveUnusedReducers(ContextAwareTransformer):
    """Module-level functions among ``names`` that nothing refers to any more."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(self, context, names: Collection[str]) -> None:
        super().__init__(context)
        self.names = names

    def leave_FunctionDef(self, original: cst.FunctionDef, updated):
        name = original.name.value
        scope = self.get_metadata(ScopeProvider, original, None)
        if name not in self.names or not isinstance(scope, GlobalScope):
            return updated
        for assignment in scope.assignments[name]:
            if getattr(assignment, "node", None) is original and not assignment.references:
                RemoveImportsVisitor.remove_unused_import_by_node(self.context, original)
                return cst.RemoveFromParent()
        return updated
