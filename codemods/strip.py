"""``strip``: job pickling removed altogether (always fork, never pickle a job).

Works on a tree before or after ``migrate``.  The rules, one module each under
``write/``:

- ``strip_hooks``: ``__getstate__``, ``__setstate__`` and job-state methods go,
  with the comment block that documents each (a raise-only ``__getstate__``
  guard stays with ``keep_guards``);
- ``strip_interface``: ``@clear``/``@custom``/``@on_restore``, the
  ``JobSerializable``/``JobUnserializable`` bases and their imports go; the
  interface module goes once nothing in the tree imports it;
- ``strip_pickler``: the job-pickler module is deleted, with every import of it;
- ``strip_predicates``: ``if`` statements on a "does starting a process require
  pickling" predicate are decided as false, and the predicate goes;
- ``strip_blocks``: where statements leave a block, without blank-line debris;
- ``strip_start_method``: no rewrite, findings only: processes must start with
  ``fork`` once nothing is pickled for them, so a tree that does not force it
  and every place that can select another start method are reported.

Imports that only removed code used go too.  What ``strip`` cannot remove
safely is left as it was and reported (codes CM201-CM211).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Collection,
    Dict,
    FrozenSet,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Union,
)

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    FullyQualifiedNameProvider,
    PositionProvider,
    QualifiedNameSource,
)

from .codemod import DELETE, Codemod, Rewrite, finding, module_names
from .parsing import ParsedFile, parse, visit_with_metadata
from .interface import DEFAULT_NAME, interface_for, interface_module
from .report import FileOutcome, Finding, Status
from .settings import Settings
from .sources import SourceFile
from .write.imports import ImportAwareCommand
from .write.strip_blocks import REMOVE, Edit, splice_block, splice_module
from .write.strip_hooks import hook_names, is_stripped_hook
from .write.strip_interface import (
    CLASS_DECORATORS,
    METHOD_DECORATORS,
    REFUSING_BASE,
    class_without,
    imports_module,
    interface_member,
    kept_interface_names,
    reason_keywords,
    stripped_bases,
    without_decorators,
)
from .write.strip_pickler import (
    JOB_PICKLER,
    fills_dispatch_table_with_job_state,
    pickler_aliases,
    without_aliases,
)
from .write.strip_predicates import fold_chain, fold_edit, predicate_call
from .write.strip_start_method import (
    StartMethodFacts,
    needs_reading,
    read_start_method,
    start_method_findings,
)

# A sentence of the runtime interface's docstring: the module migrate writes.
INTERFACE_MARKER = "added to your code base by the ``codemods`` toolkit"

CYTHON_HOOK = "CM201"  # a hook in a Cython file, which strip does not rewrite
REMOVED_CALLED = "CM202"  # a call of a removed method outside what was removed
PREDICATE_USED = "CM203"  # a predicate used other than as the test of an if
PICKLER_USED = "CM204"  # a use of what the deleted job pickler defined
INTERFACE_USED = "CM205"  # a use of the interface that no rule removes
PICKLER_CALLEE = "CM206"  # a function the deleted job pickler called, maybe unused now
RESTORE_UNCALLED = "CM207"  # an @on_restore method nothing calls once the decorator is gone
KEPT_FOR_OTHERS = "CM208"  # a module not deleted: files strip did not rewrite mention it
# CM209-CM211: start methods (write/strip_start_method.py)

DEF_KEYWORDS = ("def", "cdef", "cpdef")  # the Cython forms too
# `a`, `a.b`, `a.b.c`: a name as an import binds it, with its attributes
_DOTTED_NAME = m.Name() | m.Attribute(
    value=m.MatchIfTrue(lambda value: m.matches(value, _DOTTED_NAME)))
PICKLER_CALLEE_SUFFIXES = (".py", ".pyx")


def _qualified_imports(get_metadata, node: cst.CSTNode) -> List[str]:
    """What ``node`` refers to through an import, fully qualified."""
    return [q.name for q in get_metadata(FullyQualifiedNameProvider, node, set())
            if q.source is QualifiedNameSource.IMPORT]


def _refers_to(names: Collection[str], modules: Collection[str]) -> bool:
    return any(name == module or name.startswith(module + ".")
               for name in names for module in modules)


def _methods(node: cst.ClassDef) -> List[cst.FunctionDef]:
    """The methods defined directly in a class body, in order."""
    if not isinstance(node.body, cst.IndentedBlock):
        return []
    return [s for s in node.body.body if isinstance(s, cst.FunctionDef)]


def removed_definitions(module: cst.Module, settings: Settings) -> FrozenSet[str]:
    """Names of the hooks and predicates whose definitions ``strip`` removes here."""
    names = {method.name.value
             for cls in m.findall(module, m.ClassDef())
             for method in _methods(cls) if is_stripped_hook(method, settings)}
    names.update(function.name.value for function in m.findall(module, m.FunctionDef())
                 if function.name.value in settings.pickling_predicates)
    return frozenset(names)


def _called_name(call: cst.Call) -> Optional[str]:
    if isinstance(call.func, cst.Name):
        return call.func.value
    if isinstance(call.func, cst.Attribute):
        return call.func.attr.value
    return None


@dataclass(frozen=True)
class FileFacts:
    """What the scan learns of one file, for decisions that span files."""

    module_name: str
    interface: str  # the dotted interface module this file would import
    is_interface: bool = False
    imports_interface: bool = False
    job_pickler: bool = False  # has the job pickler's shape
    removed: FrozenSet[str] = frozenset()  # see removed_definitions
    # predicates called other than as the test of an if: their definitions stay
    predicates_used: FrozenSet[str] = frozenset()
    foreign_interface: bool = False  # named as the interface, but not the one migrate wrote
    start_method: Optional[StartMethodFacts] = None  # None: nothing about start methods
    pickling_test: Optional[Tuple[int, int]] = None  # (line, column) of the first if on a predicate


@dataclass
class Plan:
    """What the whole tree decides for each file's rewrite."""

    picklers: FrozenSet[str] = frozenset()  # dotted names of the job-pickler modules
    removed: FrozenSet[str] = frozenset()  # hooks and predicates removed somewhere
    interface_files: Dict[Path, str] = field(default_factory=dict)  # path -> dotted
    interface_importers: Dict[Path, str] = field(default_factory=dict)  # path -> dotted
    kept_predicates: FrozenSet[str] = frozenset()  # still called outside an if test
    # modules named as the interface would be that migrate did not write: not ours
    foreign_interfaces: FrozenSet[str] = frozenset()
    # findings about start methods (CM209-CM211), by file: no rewrite goes with them
    start_method_findings: Dict[Path, List[Finding]] = field(default_factory=dict)


def predicates_called_outside_ifs(module: cst.Module, predicates) -> FrozenSet[str]:
    """The predicates called somewhere other than as the test of an ``if`` or
    ``elif`` (``if p():``, ``if not p():``), the only place strip decides them."""
    found = set()

    class Calls(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.tests: Set[cst.CSTNode] = set()

        def visit_If(self, node: cst.If) -> None:
            test = node.test
            while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
                test = test.expression
            self.tests.add(test)

        def visit_Call(self, node: cst.Call) -> None:
            name = _called_name(node)
            if name in predicates and node not in self.tests:
                found.add(name)

    module.visit(Calls())
    return frozenset(found)


class _Scanner(cst.CSTVisitor):
    """Whether a file constructs the interface's ``JobPickler``, and its first
    ``if`` on a pickling predicate (where it decided to pickle a job)."""

    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider,)

    def __init__(self, interface: str, predicates: Collection[str]) -> None:
        super().__init__()
        self.interface = interface
        self.constructs_job_pickler = False
        call = predicate_call(predicates)
        self.test = call | m.UnaryOperation(operator=m.Not(), expression=call)
        self.pickling_test: Optional[cst.If] = None

    def visit_Call(self, node: cst.Call) -> None:
        names = _qualified_imports(self.get_metadata, node.func)
        if interface_member(names, self.interface) == JOB_PICKLER:
            self.constructs_job_pickler = True

    def visit_If(self, node: cst.If) -> None:
        if self.pickling_test is None and m.matches(node.test, self.test):
            self.pickling_test = node


def _metadata(parsed: ParsedFile, full_names: bool) -> cst.MetadataWrapper:
    """One wrapper for every visitor of the scan, so that what they share (scopes,
    qualified names) is computed once; fully qualified names only when needed."""
    cache = {}
    if full_names:
        context = parsed.context()
        if context.metadata_manager is not None and context.filename is not None:
            cache = context.metadata_manager.get_cache_for_path(context.filename)
    return cst.MetadataWrapper(parsed.module, unsafe_skip_copy=True, cache=cache)


class StripCommand(ImportAwareCommand):
    """libcst command: ``python -m libcst.tool codemod`` can run it on single
    files too (then the job pickler is only the configured one, and only the
    file's own removals count for findings)."""

    DESCRIPTION = ("Remove job pickling: hooks, the declarative interface, the job pickler's "
                   "imports and branches on pickling predicates.")
    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider, PositionProvider)

    def __init__(self, context: CodemodContext, settings: Settings | None = None,
                 plan: Plan | None = None) -> None:
        super().__init__(context)
        self.settings = settings or Settings()
        if plan is None:
            configured = self.settings.pickler_module
            plan = Plan(picklers=frozenset({configured} if configured else ()))
        self.plan = plan
        self.predicates = frozenset(self.settings.pickling_predicates)
        self.interface = interface_for(
            Path(context.filename), context.full_module_name or "",
            context.full_package_name or "", self.settings.interface_module) \
            if context.filename else interface_module(context.full_module_name or "",
                                                      self.settings.interface_module)
        if self.interface in plan.foreign_interfaces:
            self.interface = ""  # the project's own module of that name: nothing to strip
        self.quiet_interface = kept_interface_names(self.settings)
        self.findings: List[Finding] = []
        self.dropped: Set[cst.CSTNode] = set()  # nodes that go, with all inside them
        self.removed_statements: Set[cst.CSTNode] = set()
        self.folded: Set[cst.If] = set()
        self.elifs: Set[cst.If] = set()
        self.import_edits: Dict[cst.CSTNode, List[cst.ImportAlias]] = {}
        self.removed_names: FrozenSet[str] = plan.removed
        # Set when this file still uses the job pickler elsewhere: its imports stay.
        self.keep_pickler_imports = False

    # Decisions, on the way down ------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node in self.dropped:
            return False
        return super().on_visit(node)

    def visit_Module(self, node: cst.Module) -> None:
        self.removed_names = self.plan.removed | removed_definitions(node, self.settings)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        for method in _methods(node):
            if is_stripped_hook(method, self.settings):
                self._remove_statement(method)
        for decorator in node.decorators:
            if self._interface_member(decorator.decorator) in CLASS_DECORATORS:
                self._drop(decorator)
        bases = stripped_bases(self.settings)
        for base in node.bases:
            member = self._interface_member(base.value)
            if member in bases:
                self._drop(base)
                if member == REFUSING_BASE:
                    for keyword in reason_keywords(node):
                        self._drop(keyword)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> Optional[bool]:
        if node.name.value in self.predicates:
            if node.name.value in self.plan.kept_predicates:
                self._report(node.name, PREDICATE_USED,
                             f"{node.name.value}() is still called other than as the test of "
                             "an if (see those findings): its definition stays")
                return False
            self._remove_statement(node)
            return False
        restore = [d for d in node.decorators
                   if self._interface_member(d.decorator) in METHOD_DECORATORS]
        for decorator in restore:
            self._drop(decorator)
        if restore and not self._is_referenced(node):
            self._report(node.name, RESTORE_UNCALLED,
                         f"{node.name.value}() ran only after unpickling (@on_restore) and "
                         "nothing in this file calls it; remove it if nothing else does")
        return None

    def visit_If(self, node: cst.If) -> None:
        if node in self.elifs:
            return  # decided with the if that starts the chain
        fold = fold_chain(node, self.predicates)
        self.elifs.update(fold.elifs)
        if fold.changed:
            self.folded.add(node)
            for part in fold.dropped:
                self._drop(part)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> Optional[bool]:
        """Imports of the job pickler go: whole statements, or some of their names."""
        if self.keep_pickler_imports:
            return None
        whole = []  # import statements all of whose names go
        for small in node.body:
            if not isinstance(small, (cst.Import, cst.ImportFrom)):
                continue
            aliases = pickler_aliases(small, self.context.full_package_name or "",
                                      self.plan.picklers)
            if aliases:
                self.import_edits[small] = aliases
                if len(aliases) == len(small.names):
                    whole.append(small)
        if len(whole) == len(node.body):
            self.removed_statements.add(node)
            self.dropped.add(node)
            return False
        return None

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # names being imported are no uses

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> None:
        name = _called_name(node)
        if name in self.predicates:
            self._report(node, PREDICATE_USED,
                         f"{name}() is used other than as the test of an if; strip takes it "
                         "as always false only there: left as it was")
        elif name in self.removed_names:
            self._report(node, REMOVED_CALLED,
                         f"calls {name}(), which strip removes; left as it was")

    def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
        return self._check_use(node)

    def visit_Name(self, node: cst.Name) -> Optional[bool]:
        return self._check_use(node)

    # Edits, on the way up ------------------------------------------------------------------

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return class_without(original, updated, self.dropped)

    def leave_FunctionDef(self, original: cst.FunctionDef,
                          updated: cst.FunctionDef) -> cst.FunctionDef:
        return without_decorators(original, updated, self.dropped)

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine,
                                  updated: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
        if original in self.removed_statements or not any(
                small in self.import_edits for small in original.body):
            return updated
        body = []
        for old, new in zip(original.body, updated.body):
            aliases = self.import_edits.get(old)
            if aliases is None:
                body.append(new)
            elif len(aliases) < len(old.names):
                body.append(without_aliases(old, aliases))
        body[-1] = body[-1].with_changes(semicolon=original.body[-1].semicolon)
        return updated.with_changes(body=body)

    def leave_IndentedBlock(self, original: cst.IndentedBlock,
                            updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return splice_block(updated, self._edits(original.body, updated.body))

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return splice_module(updated, self._edits(original.body, updated.body))

    # Helpers -------------------------------------------------------------------------------

    def _edits(self, original: Sequence[cst.BaseStatement],
               updated: Sequence[cst.BaseStatement]) -> Dict[int, Edit]:
        """What becomes of each statement of a block (by index; absent: kept)."""
        edits = {}
        for index, (old, new) in enumerate(zip(original, updated)):
            if old in self.removed_statements:
                edits[index] = REMOVE
            elif old in self.folded:
                edits[index] = fold_edit(fold_chain(new, self.predicates))
        return edits

    def _drop(self, node: cst.CSTNode) -> None:
        """``node`` goes; imports only it used go too."""
        self.dropped.add(node)
        RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)

    def _remove_statement(self, node: cst.BaseStatement) -> None:
        self.removed_statements.add(node)
        self._drop(node)

    def _interface_member(self, node: cst.CSTNode) -> Optional[str]:
        return interface_member(_qualified_imports(self.get_metadata, node), self.interface)

    def _check_use(self, node: Union[cst.Name, cst.Attribute]) -> Optional[bool]:
        """Report a use of the deleted job pickler or of the interface that no
        rule removed; the parts of a reported dotted name are not reported again."""
        if not m.matches(node, _DOTTED_NAME):
            return None  # a call's attribute: its inner name is checked
        written = get_full_name_for_node(node)
        names = _qualified_imports(self.get_metadata, node)
        if not names:
            return None
        if _refers_to(names, self.plan.picklers):
            self._report(node, PICKLER_USED,
                         f"uses {written} ({names[0]}) of the job pickler; left as it was, "
                         "with its import, and the job pickler stays")
            return False
        if _refers_to(names, [self.interface]) and \
                interface_member(names, self.interface) not in self.quiet_interface:
            self._report(node, INTERFACE_USED,
                         f"uses {written} ({names[0]}) of the serialization interface other "
                         "than in a declaration strip removes; left as it was, and the "
                         "interface module stays")
            return False
        return None

    def _is_referenced(self, function: cst.FunctionDef) -> bool:
        """Whether anything in the module names ``function`` besides its definition."""
        name = function.name.value
        uses = m.findall(self.module, m.Name(name) | m.Attribute(attr=m.Name(name)))
        return any(use is not function.name and not (
            isinstance(use, cst.Attribute) and use.attr is function.name) for use in uses)

    def _report(self, node: cst.CSTNode, code: str, message: str) -> None:
        start = self.get_metadata(PositionProvider, node).start
        path = self.context.scratch.get("path", self.context.filename)
        self.findings.append(finding(path, start.line, code, message, column=start.column))


def definitions(text: str, names: Collection[str]) -> List[Tuple[int, int, str]]:
    """(line, column, name) of each ``def``/``cdef``/``cpdef`` of one of
    ``names``, found by a plain line scan: this only locates definitions, in
    Cython files too, which are never parsed."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("(", 1)[0].split()
        if len(words) >= 2 and words[0] in DEF_KEYWORDS and words[-1] in names:
            found.append((number, len(line) - len(line.lstrip()), words[-1]))
    return found


class _CallsOut(cst.CSTVisitor):
    """The imported functions a module calls, by fully qualified name."""

    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.called: Set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        self.called.update(_qualified_imports(self.get_metadata, node.func))


class StripCodemod(Codemod):
    name = "strip"
    uses_scan = True
    suffixes = (".py", ".pyi", ".pyx", ".pxd")

    def predicates(self) -> FrozenSet[str]:
        return frozenset(self.settings.pickling_predicates)

    def _interface_stem(self) -> str:
        return (self.settings.interface_module or DEFAULT_NAME).rpartition(".")[2]

    def prefilter(self):
        pickler = self.settings.pickler_module
        return (*hook_names(self.settings), *self.settings.pickling_predicates,
                "dispatch_table", JOB_PICKLER, self._interface_stem(),
                *((pickler.rpartition(".")[2],) if pickler else ()))

    def wants(self, path: Path, text: str) -> bool:
        """A file that mentions what strip removes, or may select a start method.
        A file that imports a job pickler found by its shape, whose name only the
        plan knows, comes in later (``rewrite_wants``)."""
        return self._mentions(text) or needs_reading(text)

    def rewrite_wants(self, path: Path, text: str, plan: Plan) -> bool:
        return bool(plan.picklers) and (
            module_names(path)[1] in plan.picklers or self._mentions(text, plan.picklers))

    def _mentions(self, text: str, picklers: Collection[str] = ()) -> bool:
        words = (*self.prefilter(), *(name.rpartition(".")[2] for name in picklers))
        return any(word in text for word in words)

    def report_unparsed(self, source: SourceFile) -> List[Finding]:
        names = (*hook_names(self.settings), *self.settings.pickling_predicates)
        return [finding(source.path, line, CYTHON_HOOK,
                        f"{name}() is a job-pickling hook in a Cython file, which strip "
                        "does not rewrite: remove it by hand", column=column)
                for line, column, name in definitions(source.text, names)]

    def scan(self, parsed: ParsedFile) -> FileFacts:
        interface = interface_for(parsed.path, parsed.module_name, parsed.package_name,
                                  self.settings.interface_module)
        if parsed.module_name == interface and (
                self.settings.interface_module or INTERFACE_MARKER in parsed.source.text):
            # Only the module migrate wrote (or the one configured) is the interface:
            # a project's own `serialization` module is none of strip's business.
            return FileFacts(parsed.module_name, interface, is_interface=True)
        mentions = self._mentions(parsed.source.text)
        # Start methods only where the words are: scope analysis is what costs.
        reads_start_method = needs_reading(parsed.source.text)
        if parsed.module_name == interface or not mentions:
            start_method = read_start_method(_metadata(parsed, full_names=False),
                                             self.predicates()) if reads_start_method else None
            return FileFacts(parsed.module_name, interface, start_method=start_method,
                             foreign_interface=parsed.module_name == interface)
        wrapper = _metadata(parsed, full_names=True)
        start_method = read_start_method(wrapper, self.predicates()) \
            if reads_start_method else None
        scanner = _Scanner(interface, self.predicates())
        wrapper.visit(scanner)
        pickling_test = None
        if scanner.pickling_test is not None:
            start = wrapper.resolve(PositionProvider)[scanner.pickling_test].start
            pickling_test = (start.line, start.column)
        return FileFacts(
            parsed.module_name, interface,
            imports_interface=imports_module(parsed.module, parsed.package_name, interface),
            job_pickler=scanner.constructs_job_pickler or fills_dispatch_table_with_job_state(
                parsed.module, self.settings.job_methods),
            removed=removed_definitions(parsed.module, self.settings),
            predicates_used=predicates_called_outside_ifs(parsed.module, self.predicates()),
            start_method=start_method,
            pickling_test=pickling_test,
        )

    def plan(self, facts: Mapping[Path, FileFacts], index=None) -> Plan:
        if self.settings.pickler_module:
            picklers = frozenset({self.settings.pickler_module})
        else:
            picklers = frozenset(f.module_name for f in facts.values() if f.job_pickler)
        return Plan(
            picklers=picklers,
            removed=frozenset().union(*(f.removed for f in facts.values())),
            interface_files={p: f.interface for p, f in facts.items() if f.is_interface},
            interface_importers={p: f.interface for p, f in facts.items()
                                 if f.imports_interface and f.module_name not in picklers},
            kept_predicates=frozenset().union(*(f.predicates_used for f in facts.values())),
            foreign_interfaces=frozenset(f.module_name for f in facts.values()
                                         if f.foreign_interface),
            start_method_findings=start_method_findings(
                {path: f.start_method for path, f in facts.items()
                 if f.start_method is not None and f.module_name not in picklers},
                self._job_pickling(facts, picklers)),
        )

    def _job_pickling(self, facts: Mapping[Path, FileFacts],
                      picklers: Collection[str]) -> List[Tuple[Path, int, int]]:
        """Where the tree pickled jobs, best place for a finding first: the ifs on
        a predicate (where a process was started, pickled or not), the modules
        that define job-state methods or predicates, then the job pickler (which
        strip deletes).  Plain ``__getstate__``/``__setstate__`` hooks are no
        sign of it: any pickling may use them."""
        job = {*self.settings.job_methods, *self.predicates()}
        tests = sorted((path, *f.pickling_test) for path, f in facts.items()
                       if f.pickling_test is not None)
        modules = sorted((path, 1, 0) for path, f in facts.items()
                         if f.module_name not in picklers and f.pickling_test is None
                         and (f.removed & job or f.predicates_used))
        deleted = sorted((path, 1, 0) for path, f in facts.items() if f.module_name in picklers)
        return [*tests, *modules, *deleted]

    def rewrite(self, parsed: ParsedFile, plan: Plan) -> Rewrite:
        rewrite = self._rewrite(parsed, plan)
        # Findings only, on lines strip leaves as they are (the interface module has none).
        rewrite.findings.extend(plan.start_method_findings.get(parsed.path, ()))
        return rewrite

    def _rewrite(self, parsed: ParsedFile, plan: Plan) -> Rewrite:
        if parsed.module_name in plan.picklers:
            return Rewrite(DELETE, self._pickler_callees(parsed, plan))
        if parsed.path in plan.interface_files:
            return Rewrite(None)  # deleted, or not, once every other file is done
        if not self._mentions(parsed.source.text, plan.picklers):
            return Rewrite(None)
        command = StripCommand(parsed.context(), self.settings, plan)
        text = command.transform_module(parsed.module).code
        if any(f.code == PICKLER_USED for f in command.findings):
            # The job pickler is still used here: keep the imports of it (and, in
            # tree_changes, the module itself).
            command = StripCommand(parsed.context(), self.settings, plan)
            command.keep_pickler_imports = True
            text = command.transform_module(parsed.module).code
        return Rewrite(text if text != parsed.printed else None, command.findings)

    def _pickler_callees(self, parsed: ParsedFile, plan: Plan) -> List[Finding]:
        """Functions of other modules of the tree that the deleted job pickler
        called and that no rule removes: they may be left unused, and strip
        does not follow calls into other modules (nor rewrite Cython ones)."""
        calls = _CallsOut()
        visit_with_metadata(parsed.context(), parsed.module, calls)
        interface = interface_for(parsed.path, parsed.module_name, parsed.package_name,
                                  self.settings.interface_module)
        findings = []
        for name in sorted(calls.called):
            module, _, function = name.rpartition(".")
            target = _module_file(parsed.root, module)
            if target is None or module in (parsed.module_name, interface) \
                    or function in plan.removed:
                continue
            where = definitions(target.read_text(encoding="utf-8", errors="replace"), {function})
            if not where:
                continue  # not a function defined there (a class, a re-export)
            line, column, _ = where[0]
            shown = target if parsed.path.is_absolute() else Path(os.path.relpath(target))
            cython = " (Cython, which strip does not rewrite)" if target.suffix == ".pyx" else ""
            findings.append(finding(
                shown, line, PICKLER_CALLEE,
                f"{function}(){cython} was called by the job pickler {parsed.module_name}, "
                "which strip deletes, and may be unused now: remove it if nothing else uses it",
                column=column))
        return findings

    def tree_changes(self, plan: Plan, outcomes: List[FileOutcome],
                     roots) -> List[FileOutcome]:
        """The interface module, deleted once no file of the tree imports it.

        Only now is it known which imports the rewrites removed, so the
        interface module's own outcome (left unchanged by ``rewrite``) becomes
        the deletion here, rather than a second outcome for the same file.
        """
        by_path = {outcome.path: outcome for outcome in outcomes}
        users = sorted({f.path for outcome in outcomes for f in outcome.findings
                        if f.code == PICKLER_USED})
        if users:
            for outcome in outcomes:
                if outcome.status is Status.CHANGED and outcome.new is None and outcome.old \
                        is not None and outcome.path not in plan.interface_files:
                    outcome.status = Status.SKIPPED
                    outcome.findings.append(finding(
                        outcome.path, 1, PICKLER_USED,
                        f"the job pickler stays: {len(users)} file(s) still use it (CM204 "
                        "findings); delete it by hand once they do not"))
        for path, dotted in plan.interface_files.items():
            outcome = by_path.get(path)
            if outcome is None or outcome.status is not Status.UNCHANGED or outcome.old is None:
                continue
            importers = [p for p, d in plan.interface_importers.items() if d == dotted]
            if not any(_still_imports(by_path.get(p), dotted) for p in importers):
                outcome.status, outcome.new = Status.CHANGED, None
        self._keep_deletions_others_need(outcomes, roots)
        return []


    def _keep_deletions_others_need(self, outcomes: List[FileOutcome], roots) -> None:
        """No module goes while a file strip did not rewrite (excluded, ignored,
        generated, Cython, or one it failed on) still names it: a plain text
        search, which errs on the side of keeping the module."""
        deleted = [o for o in outcomes if o.status is Status.CHANGED and o.new is None]
        if not deleted:
            return
        rewritten = {o.path.resolve() for o in outcomes
                     if o.old is not None and o.status in (Status.CHANGED, Status.UNCHANGED)}
        others = [path for path in _files_under(roots) if path.resolve() not in rewritten]
        for outcome in deleted:
            stem = outcome.path.stem
            users = [path for path in others if path.resolve() != outcome.path.resolve()
                     and stem in path.read_text(encoding="utf-8", errors="replace")]
            if users:
                outcome.status = Status.SKIPPED
                outcome.findings.append(finding(
                    outcome.path, 1, KEPT_FOR_OTHERS,
                    f"not deleted: {len(users)} file(s) that strip did not rewrite mention "
                    f"{stem!r} (first: {users[0]})"))


def _files_under(roots) -> List[Path]:
    found = []
    for root in roots:
        root = Path(root)
        if root.is_file():
            root = root.parent
        for directory, folders, files in os.walk(root):
            folders[:] = [f for f in folders if not f.startswith(".") and f != "__pycache__"]
            found.extend(Path(directory, name) for name in files
                         if name.endswith((".py", ".pyi", ".pyx", ".pxd")))
    return found


def _still_imports(outcome: Optional[FileOutcome], dotted: str) -> bool:
    """Whether a file that imported the interface module still does after strip."""
    if outcome is None or outcome.status is not Status.CHANGED:
        return True
    if outcome.new is None:
        return False  # deleted
    parsed = parse(SourceFile(outcome.path, outcome.new, outcome.encoding))
    if isinstance(parsed, Finding):
        return True
    return imports_module(parsed.module, parsed.package_name, dotted)


def _module_file(root: Path, dotted: str) -> Optional[Path]:
    """The file of module ``dotted`` in the tree under ``root``, if it has one."""
    if not dotted:
        return None
    base = root.joinpath(*dotted.split("."))
    for suffix in PICKLER_CALLEE_SUFFIXES:
        if base.with_suffix(suffix).is_file():
            return base.with_suffix(suffix)
    return None

