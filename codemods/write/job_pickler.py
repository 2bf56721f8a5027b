"""The job pickler: per-class ``dispatch_table`` entries that the generic
``JobPickler`` rule now covers are removed, the pickler becomes a
``JobPickler``, and reducers and imports left unused go.

    pickler = pickle.Pickler(data)              ->  pickler = JobPickler(data)
    pickler.dispatch_table[Loader] = _reduce    ->  (removed: Loader is JobSerializable)
    pickler.dispatch_table[Proto] = _reduce_pb  ->  (kept: not a migrated class)

One pass with one scope analysis, of the tree as it is given: a reducer goes
when every reference to it is in an entry that goes.
"""

from __future__ import annotations

from typing import Collection, List, Optional, Set, Tuple, Union

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
from ..read.walk import read_only_visit

DISPATCH_ENTRY = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Subscript(
    value=m.Attribute(value=m.Name(), attr=m.Name("dispatch_table")),
    slice=[m.SubscriptElement(slice=m.Index())],
))])])


class _EntryLines(cst.CSTVisitor):
    """The ``dispatch_table`` entries of a tree, found without going into
    expressions, which hold no statement."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: List[cst.SimpleStatementLine] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.SimpleStatementLine):
            if m.matches(node, DISPATCH_ENTRY):
                self.lines.append(node)
            return False
        return not isinstance(node, cst.BaseExpression)


def _entry_lines(statement: cst.CSTNode) -> List[cst.SimpleStatementLine]:
    finder = _EntryLines()
    read_only_visit(statement, finder)
    return finder.lines


def _entry_parts(line: cst.SimpleStatementLine):
    assign = line.body[0]
    target = assign.targets[0].target
    return target.value.value.value, target.slice[0].slice.value, assign.value


def resolve_names(module: cst.Module, context) -> cst.MetadataWrapper:
    """The metadata ``RewriteJobPickler`` reads, resolved over the parsed tree
    itself, for its later run on that tree (``transform_fresh``)."""
    from ..parsing import metadata_wrapper  # noqa: PLC0415 - parsing imports this module's users

    wrapper = metadata_wrapper(module, context)
    wrapper.resolve_many(RewriteJobPickler.METADATA_DEPENDENCIES)
    return wrapper


class RewriteJobPickler(ContextAwareTransformer):
    """Removes the entries whose key names a migrated class and whose reducer is
    one the plan lets go (a generic reducer nothing else uses), and turns the
    ``pickle.Pickler`` that the same function builds them on into a
    ``JobPickler``.  Other entries, and other picklers, stay as they are.  The
    module-level reducer functions that only removed entries referred to go too,
    and the imports that the removed code alone used (resolved by qualified name:
    two imports can bind one name, ``import a.x`` and ``import a.y``)."""

    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider, QualifiedNameProvider, ScopeProvider)

    def __init__(self, context, migrated: Collection[str], reducers: Collection[str]) -> None:
        super().__init__(context)
        self.migrated = set(migrated)
        self.removable_reducers = set(reducers)
        self.entries: Set[cst.SimpleStatementLine] = set()
        self.picklers: Set[Tuple[Optional[str], str]] = set()  # (function, pickler name)
        self.reducers: Set[str] = set()  # reducers of the removed entries
        self.unused_reducers: Set[cst.FunctionDef] = set()  # their definitions that go
        self.made_job_pickler = False
        self._function: Optional[str] = None
        self._depth = 0

    def find_entries(self, module: cst.Module, wrapper: cst.MetadataWrapper) -> None:
        """Only find the entries that go (and the reducers with them), as the
        rewrite does first, without its walk: for a report."""
        with self.resolve(wrapper):
            self.visit_Module(module)

    def visit_Module(self, node: cst.Module) -> None:
        """First find the entries to remove: the pickler is built before them."""
        for statement in node.body:
            function = statement.name.value if isinstance(statement, cst.FunctionDef) else None
            for line in _entry_lines(statement):
                pickler, key, reducer = _entry_parts(line)
                names = {q.name for q in self.get_metadata(FullyQualifiedNameProvider, key, set())}
                if (names & self.migrated and isinstance(reducer, cst.Name)
                        and reducer.value in self.removable_reducers):
                    self.entries.add(line)
                    self.picklers.add((function, pickler))
                    self.reducers.add(reducer.value)
        self._find_unused_reducers(node)

    def _find_unused_reducers(self, module: cst.Module) -> None:
        """The module-level definitions of the removed entries' reducers that
        nothing outside those entries refers to."""
        scope = self.get_metadata(ScopeProvider, module, None)
        if not self.reducers or not isinstance(scope, GlobalScope):
            return
        going = {id(name) for line in self.entries for name in m.findall(line, m.Name())}
        for name in self.reducers:
            for assignment in scope.assignments[name]:
                node = getattr(assignment, "node", None)
                if isinstance(node, cst.FunctionDef) and all(
                        id(reference.node) in going for reference in assignment.references):
                    self.unused_reducers.add(node)

    def on_visit(self, node: cst.CSTNode) -> bool:
        # The nodes it changes are statements, assignments and definitions: none is
        # inside an expression, so its walk does not go into (and rebuild) those.
        if isinstance(node, cst.BaseExpression):
            return False
        return super().on_visit(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0:
            self._function = node.name.value
        self._depth += 1

    def leave_FunctionDef(self, original, updated):
        self._depth -= 1
        if self._depth == 0:
            self._function = None
        if original in self.unused_reducers:
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, original)
            return cst.RemoveFromParent()
        return updated

    def leave_SimpleStatementLine(self, original, updated) -> Union[cst.BaseStatement, cst.RemovalSentinel]:
        if original in self.entries:
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
