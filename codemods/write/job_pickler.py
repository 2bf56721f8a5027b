"""The job pickler: per-class ``dispatch_table`` entries that the generic
``JobPickler`` rule now covers are removed, the pickler becomes a
``JobPickler``, and reducers and imports left unused go.

    pickler = pickle.Pickler(data)              ->  pickler = JobPickler(data)
    pickler.dispatch_table[Loader] = _reduce    ->  (removed: Loader is JobSerializable)
    pickler.dispatch_table[Proto] = _reduce_pb  ->  (kept: not a migrated class)

One pass with one scope analysis, of the tree as it is given: a reducer goes
when every reference to it is in an entry that goes, and a pickler becomes a
``JobPickler`` where it is the one the entries that go are set on.
"""

from __future__ import annotations

from typing import Collection, Dict, FrozenSet, List, Optional, Set, Tuple, Union

import libcst as cst
import libcst.matchers as m
from libcst import MetadataDependent
from libcst.codemod import ContextAwareTransformer
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import (
    FullyQualifiedNameProvider,
    GlobalScope,
    ProviderT,
    QualifiedName,
    QualifiedNameProvider,
    ScopeProvider,
)

from ..read.job_pickler import PICKLER_CLASSES
from ..read.walk import read_only_visit

DISPATCH_ENTRY = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Subscript(
    value=m.Attribute(value=m.Name(), attr=m.Name("dispatch_table")),
    slice=[m.SubscriptElement(slice=m.Index())],
))])])

try:  # libcst's rule for one name (FullyQualifiedNameProvider applies it to every node)
    from libcst.metadata.name_provider import FullyQualifiedNameVisitor

    _FULLY_QUALIFY = FullyQualifiedNameVisitor._fully_qualify
except (ImportError, AttributeError):  # another libcst: its provider, over the module
    _FULLY_QUALIFY = None


class _Statements(cst.CSTVisitor):
    """One walk over the statements of a tree, without going into expressions
    (which hold no statement): its ``dispatch_table`` entry lines, the
    assignments to one name (by the name's node), and each node's parent, for
    the rewrite to walk only the way down to what it changes."""

    def __init__(self) -> None:
        super().__init__()
        self.entry_lines: List[cst.SimpleStatementLine] = []
        self.assigns: Dict[int, cst.Assign] = {}  # id of the target Name -> its assignment
        self.parent: Dict[int, cst.CSTNode] = {}
        self._stack: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parent[id(node)] = self._stack[-1]
        if isinstance(node, cst.SimpleStatementLine):
            if m.matches(node, DISPATCH_ENTRY):
                self.entry_lines.append(node)
            for statement in node.body:
                self.parent[id(statement)] = node
                if isinstance(statement, cst.Assign) and len(statement.targets) == 1 \
                        and isinstance(statement.targets[0].target, cst.Name):
                    self.assigns[id(statement.targets[0].target)] = statement
            return False
        if isinstance(node, cst.BaseExpression):
            return False
        self._stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if self._stack and self._stack[-1] is original_node:
            self._stack.pop()

    def way_down(self, targets) -> Set[cst.CSTNode]:
        """The targets and every node above them."""
        found: Set[cst.CSTNode] = set()
        for node in targets:
            while node is not None and node not in found:
                found.add(node)
                node = self.parent.get(id(node))
        return found


def _entry_parts(line: cst.SimpleStatementLine):
    assign = line.body[0]
    target = assign.targets[0].target
    return target.value.value, target.slice[0].slice.value, assign.value


def dispatch_entry_position(text: Optional[str], pickler: str,
                            module: cst.Module) -> Tuple[int, int]:
    """(line, column) of the first ``<pickler>.dispatch_table[...] = ...`` of
    the text, read with ``ast``; where ``ast`` cannot read it, or there is no
    text, from libcst's positions in ``module``, the tree parsed from it."""
    import ast  # noqa: PLC0415

    from ..read.text_facts import parse_or_none, statements  # noqa: PLC0415

    tree = parse_or_none(text) if text is not None else None
    if tree is not None:
        found = [(node.lineno, node.col_offset) for node in statements(tree)
                 if isinstance(node, ast.Assign) and any(
                     isinstance(target, ast.Subscript) and isinstance(target.value, ast.Attribute)
                     and target.value.attr == "dispatch_table"
                     and isinstance(target.value.value, ast.Name)
                     and target.value.value.id == pickler for target in node.targets)]
        if found:
            return min(found)
    lines = _Statements()
    read_only_visit(module, lines)
    entries = [line for line in lines.entry_lines if _entry_parts(line)[0].value == pickler]
    if not entries:
        return 1, 0
    from libcst.metadata import PositionProvider  # noqa: PLC0415 - a refusal's only

    start = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)[
        entries[0]].start
    return start.line, start.column


def job_pickler_rewrite(context, migrated: Collection[str], reducers: Collection[str],
                        text: Optional[str]) -> "RewriteJobPickler":
    """The rewrite for a job pickler whose source is ``text``: names resolved for
    the few nodes it asks about, from the scope analysis; or, where a relative
    import reaches above the file's package (libcst's analysis raises on its
    names, CM012, which the file must still get), where ``ast`` cannot read the
    text, or where this libcst lacks the rule, libcst's name providers over the
    whole module."""
    from ..read.text_facts import parse_or_none, relative_imports_above  # noqa: PLC0415

    tree = parse_or_none(text) if text is not None and _FULLY_QUALIFY is not None else None
    if tree is None or relative_imports_above(tree, context.full_package_name or ""):
        return RewriteJobPicklerResolvingAll(context, migrated, reducers)
    return RewriteJobPickler(context, migrated, reducers)


def resolve_names(module: cst.Module, context, text: Optional[str] = None) -> cst.MetadataWrapper:
    """The metadata the job pickler's rewrite reads, resolved over the parsed
    tree itself, for its later run on that tree (``transform_fresh``)."""
    from ..parsing import metadata_wrapper  # noqa: PLC0415 - parsing imports this module's users

    wrapper = metadata_wrapper(module, context)
    wrapper.resolve_many(job_pickler_rewrite(context, (), (), text).METADATA_DEPENDENCIES)
    return wrapper


_DEPENDENCIES: Dict[type, FrozenSet[ProviderT]] = {}


class RewriteJobPickler(ContextAwareTransformer):
    """Removes the entries whose key names a migrated class and whose reducer is
    one the plan lets go (a generic reducer nothing else uses), and turns the
    ``pickle.Pickler`` assignments that bind the pickler those entries are set
    on (resolved by the scope analysis) into ``JobPickler`` ones.  Other
    entries, and other picklers, stay as they are.  The module-level reducer
    functions that only removed entries referred to go too, and the imports
    that the removed code alone used (resolved by qualified name: two imports
    can bind one name, ``import a.x`` and ``import a.y``).

    Where a going entry's pickler may also be bound to something else than a
    ``pickle.Pickler(...)`` (assigned twice, a parameter, a ``with`` target),
    nothing is changed: ``refusal`` says why (CM101).

    It walks only the way down to the nodes it changes: the rest of the module
    is returned as it is, not rebuilt."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    @classmethod
    def get_inherited_dependencies(cls) -> Collection[ProviderT]:
        """libcst's answer, kept for each class itself: libcst keeps it in a class
        attribute, which a subclass that declares more would otherwise inherit
        from this class (``RewriteJobPicklerResolvingAll``)."""
        found = _DEPENDENCIES.get(cls)
        if found is None:
            found = _DEPENDENCIES[cls] = frozenset(
                provider for klass in cls.__mro__ if issubclass(klass, MetadataDependent)
                for provider in vars(klass).get("METADATA_DEPENDENCIES", ()))
        return found

    def __init__(self, context, migrated: Collection[str], reducers: Collection[str]) -> None:
        super().__init__(context)
        self.migrated = set(migrated)
        self.removable_reducers = set(reducers)
        self.entries: Set[cst.SimpleStatementLine] = set()
        self.reducers: Set[str] = set()  # reducers of the removed entries
        self.unused_reducers: Set[cst.FunctionDef] = set()  # their definitions that go
        self.pickler_assigns: Set[cst.Assign] = set()  # the picklers that become JobPicklers
        self.made_job_pickler = False
        # (pickler name, key as written) of an entry left because of its pickler, and why
        self.refusal: Optional[Tuple[str, str, str]] = None
        self._walked: Optional[Set[cst.CSTNode]] = None

    # Names: what libcst's providers give, for the nodes asked about -------------------------

    def qualified_names(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        """``QualifiedNameProvider``'s names of the node, as it computes them."""
        scope = self.get_metadata(ScopeProvider, node, None)
        return scope.get_qualified_names_for(node) if scope else set()

    def fully_qualified_names(self, node: cst.CSTNode) -> Set[str]:
        """``FullyQualifiedNameProvider``'s names of the node, as it computes them
        (its module and package from the same cache), for any node but the
        ``Module`` (which it names after the module)."""
        module, package = self._module_and_package()
        return {_FULLY_QUALIFY(module, package, name).name for name in self.qualified_names(node)}

    def _module_and_package(self) -> Tuple[str, str]:
        manager, filename = self.context.metadata_manager, self.context.filename
        cache = manager.get_cache_for_path(filename).get(FullyQualifiedNameProvider) \
            if manager is not None and filename else None
        if cache is not None:
            return cache.name, cache.package
        return self.context.full_module_name or "", self.context.full_package_name or ""

    # Finding what changes ---------------------------------------------------------------------

    def find_entries(self, module: cst.Module, wrapper: cst.MetadataWrapper) -> None:
        """Only find the entries that go (and the reducers with them), as the
        rewrite does first, without its walk: for a report."""
        with self.resolve(wrapper):
            self.visit_Module(module)

    def visit_Module(self, node: cst.Module) -> None:
        """First find the entries to remove: the pickler is built before them."""
        statements = _Statements()
        read_only_visit(node, statements)
        for line in statements.entry_lines:
            _, key, reducer = _entry_parts(line)
            if (self.fully_qualified_names(key) & self.migrated and isinstance(reducer, cst.Name)
                    and reducer.value in self.removable_reducers):
                self.entries.add(line)
                self.reducers.add(reducer.value)
        self._find_picklers(statements)
        if self.refusal is not None:
            self.entries, self.reducers = set(), set()
            self.pickler_assigns = set()
        self._find_unused_reducers(node)
        self._walked = statements.way_down(
            self.entries | self.unused_reducers | self.pickler_assigns)

    def _find_picklers(self, statements: _Statements) -> None:
        """The assignments that bind the pickler each going entry is set on: each
        must be ``<name> = pickle.Pickler(...)``, else ``refusal``."""
        for line in sorted(self.entries, key=lambda line: statements.entry_lines.index(line)):
            pickler, key, _ = _entry_parts(line)
            scope = self.get_metadata(ScopeProvider, pickler, None)
            accesses = [access for access in scope.accesses[pickler] if access.node is pickler] \
                if scope is not None else []
            referents = {referent for access in accesses for referent in access.referents}
            assigns = [statements.assigns.get(id(getattr(referent, "node", None)))
                       for referent in referents]
            # ``pickler = None`` (a placeholder until it is built) cannot be what an entry
            # is set on: ``None.dispatch_table`` raises.
            assigns = [assign for assign in assigns if assign is None
                       or not m.matches(assign.value, m.Name("None"))]
            if not assigns or any(
                    assign is None or not isinstance(assign.value, cst.Call)
                    or not {q.name for q in self.qualified_names(assign.value.func)}
                    & PICKLER_CLASSES for assign in assigns):
                text = cst.Module([]).code_for_node(key)
                why = "is bound to something besides pickle.Pickler(...) here" if assigns \
                    else "is bound nowhere in the file"
                self.refusal = (pickler.value, text, f"{pickler.value} {why}")
                return
            self.pickler_assigns.update(assigns)

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

    # The walk ----------------------------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        # Only the way down to the nodes it changes (their own leave_* still runs):
        # statements, assignments and definitions, none inside an expression.
        if isinstance(node, cst.BaseExpression) or (
                self._walked is not None and node not in self._walked):
            return False
        return super().on_visit(node)

    def leave_FunctionDef(self, original, updated):
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
        if original not in self.pickler_assigns:
            return updated
        RemoveImportsVisitor.remove_unused_import_by_node(self.context, original.value.func)
        self.made_job_pickler = True
        return updated.with_changes(value=updated.value.with_changes(func=cst.Name("JobPickler")))


class RewriteJobPicklerResolvingAll(RewriteJobPickler):
    """The same rewrite, its names from libcst's name providers resolved over
    the whole module (``job_pickler_rewrite`` says when)."""

    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider, QualifiedNameProvider, ScopeProvider)

    def qualified_names(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        return self.get_metadata(QualifiedNameProvider, node, set())

    def fully_qualified_names(self, node: cst.CSTNode) -> Set[str]:
        return {q.name for q in self.get_metadata(FullyQualifiedNameProvider, node, set())}
