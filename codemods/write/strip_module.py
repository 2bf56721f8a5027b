"""``strip``'s work on one parsed module: what its scan learns, and the libcst
command that removes job pickling from it (see strip.py for the rules)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Collection, Dict, FrozenSet, List, Optional, Sequence, Set, Union

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

from ..codemod import Rewrite, finding
from ..parsing import ParsedFile, parse, print_rewrite, unchanged_print, visit_with_metadata
from ..report import FileOutcome, Finding, Status
from ..settings import Settings
from ..sources import SourceFile
from ..strip_words import defines_any, hook_names
from ..interface import interface_for, interface_module
from ..strip import (
    INTERFACE_MARKER,
    PICKLER_CALLEE,
    definitions,
    module_file,
    INTERFACE_USED,
    PICKLER_USED,
    PREDICATE_USED,
    REMOVED_CALLED,
    RESTORE_UNCALLED,
    FileFacts,
    Plan,
)
from ..read.module_index import ModuleIndex
from ..read.strip_facts import names_bound_to, pickling_facts
from ..read.text_facts import (defined_hooks, mentions_in_code, parse_or_none,
                                relative_imports_above)
from .pruning import DefinitionWords, Pruner, without_skipped
from .imports import ImportAwareCommand, schedule_unused_import_removal
from .strip_blocks import REMOVE, Edit, splice_block, splice_module
from .strip_hooks import is_stripped_hook
from .strip_interface import (
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
from .strip_pickler import (
    JOB_PICKLER,
    fills_dispatch_table_with_job_state,
    pickler_aliases,
    without_aliases,
)
from .strip_predicates import fold_chain, fold_edit, predicate_call
from ..read.walk import read_only_visit

# `a`, `a.b`, `a.b.c`: a name as an import binds it, with its attributes
_DOTTED_NAME = m.Name() | m.Attribute(
    value=m.MatchIfTrue(lambda value: m.matches(value, _DOTTED_NAME)))
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
    """Names of the hooks and predicates whose definitions ``strip`` removes here
    (a plain visitor: matchers over every node of a large module cost seconds)."""
    names = set()

    class Definitions(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            names.update(method.name.value for method in _methods(node)
                         if is_stripped_hook(method, settings))

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if node.name.value in settings.pickling_predicates:
                names.add(node.name.value)

    read_only_visit(module, Definitions())
    return frozenset(names)


def _called_name(call: cst.Call) -> Optional[str]:
    if isinstance(call.func, cst.Name):
        return call.func.value
    if isinstance(call.func, cst.Attribute):
        return call.func.attr.value
    return None


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

    read_only_visit(module, Calls())
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


def _metadata(parsed: ParsedFile, module: Optional[cst.Module] = None) -> cst.MetadataWrapper:
    """One wrapper, with fully qualified names, for the scan's visitors and the
    rewrite: what they share (scopes, qualified names) is computed once.  Over
    ``module`` when given: the parsed module without the bodies the rewrite skips."""
    cache = {}
    context = parsed.context()
    if context.metadata_manager is not None and context.filename is not None:
        cache = context.metadata_manager.get_cache_for_path(context.filename)
    return cst.MetadataWrapper(module or parsed.module, unsafe_skip_copy=True, cache=cache)


class StripCommand(ImportAwareCommand):
    """libcst command: ``python -m libcst.tool codemod`` can run it on single
    files too (then the job pickler is only the configured one, and only the
    file's own removals count for findings)."""

    DESCRIPTION = ("Remove job pickling: hooks, the declarative interface, the job pickler's "
                   "imports and branches on pickling predicates.")
    # Positions are resolved for the first finding only (``_report``): they cost a
    # print of the whole module.
    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider,)

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
        # The hooks and predicates this file defines, when the scan found them already.
        self.removed_here: Optional[FrozenSet[str]] = None
        # Set to skip the definitions that hold none of the words the rules act on.
        self.pruner: Optional[Pruner] = None

    # Decisions, on the way down ------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        def visit() -> bool:
            return node not in self.dropped and super(StripCommand, self).on_visit(node)

        return visit() if self.pruner is None else self.pruner.visit(node, visit)

    def visit_Module(self, node: cst.Module) -> None:
        if self.removed_here is None:
            self.removed_here = removed_definitions(node, self.settings)
        self.removed_names = self.plan.removed | self.removed_here
        self._import_items = ModuleIndex.of(node, "", self.context.full_package_name or "").import_items
        self._original = node

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
        """``node`` goes; imports only it used go too (looked up by name among the
        module's imports: a scope analysis for that costs seconds on a large
        module, and an import still named anywhere is never removed)."""
        self.dropped.add(node)
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)
        else:
            schedule_unused_import_removal(self.context, self._import_items, node)

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
        uses = m.findall(self._original, m.Name(name) | m.Attribute(attr=m.Name(name)))
        return any(use is not function.name and not (
            isinstance(use, cst.Attribute) and use.attr is function.name) for use in uses)

    _positions = None

    def _report(self, node: cst.CSTNode, code: str, message: str) -> None:
        """A finding at ``node``, placed in the module visited (the metadata
        wrapper may stand for a copy of it without skipped bodies)."""
        if self._positions is None:
            self._positions = cst.MetadataWrapper(self._original, unsafe_skip_copy=True).resolve(
                PositionProvider)
        start = self._positions[node].start
        path = self.context.scratch.get("path", self.context.filename)
        self.findings.append(finding(path, start.line, code, message, column=start.column))


class StripCommandByName(StripCommand):
    """The command for a file that names neither a job pickler nor the interface
    module: no use of either to find, so no fully qualified names to resolve
    (a scope analysis of the whole module)."""

    METADATA_DEPENDENCIES = ()

    def _interface_member(self, node: cst.CSTNode) -> Optional[str]:
        return None

    def _check_use(self, node: Union[cst.Name, cst.Attribute]) -> Optional[bool]:
        return None


class _CallsOut(cst.CSTVisitor):
    """The imported functions a module calls, by fully qualified name."""

    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.called: Set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        self.called.update(_qualified_imports(self.get_metadata, node.func))


def still_imports(outcome: Optional[FileOutcome], dotted: str) -> bool:
    """Whether a file that imported the interface module still does after strip."""
    if outcome is None or outcome.status is not Status.CHANGED:
        return True
    if outcome.new is None:
        return False  # deleted
    parsed = parse(SourceFile(outcome.path, outcome.new, outcome.encoding))
    if isinstance(parsed, Finding):
        return True
    return imports_module(parsed.module, parsed.package_name, dotted)


def scan_file(codemod, parsed: ParsedFile) -> FileFacts:
    """What strip learns of one parsed file (``StripCodemod.scan``)."""
    self = codemod
    interface = interface_for(parsed.path, parsed.module_name, parsed.package_name,
                              self.settings.interface_module)
    if parsed.module_name == interface and (
            self.settings.interface_module or INTERFACE_MARKER in parsed.source.text):
        # Only the module migrate wrote (or the one configured) is the interface:
        # a project's own `serialization` module is none of strip's business.
        return FileFacts(parsed.module_name, interface, is_interface=True)
    text = parsed.source.text
    predicates = self.predicates()
    start_method = self.start_method(text)
    if parsed.module_name == interface or not self._mentions(text):
        return FileFacts(parsed.module_name, interface, start_method=start_method,
                         foreign_interface=parsed.module_name == interface)
    tree = parse_or_none(text)
    constructs_job_pickler, pickling_test = False, None
    if JOB_PICKLER in text or any(name in text for name in predicates):
        if tree is not None:
            constructs_job_pickler, test = pickling_facts(
                tree, interface, parsed.package_name, predicates)
            pickling_test = (test.lineno, test.col_offset) if test is not None else None
        else:  # syntax newer than this interpreter's ast: libcst's scope analysis
            wrapper = parsed.cache["strip wrapper"] = _metadata(parsed)
            scanner = _Scanner(interface, predicates)
            wrapper.visit(scanner)
            constructs_job_pickler = scanner.constructs_job_pickler
            if scanner.pickling_test is not None:
                start = wrapper.resolve(PositionProvider)[scanner.pickling_test].start
                pickling_test = (start.line, start.column)
    stem = interface.rpartition(".")[2]
    removed: FrozenSet[str] = frozenset()
    if defines_any(text, (*hook_names(self.settings), *predicates)):
        removed = removed_definitions(parsed.module, self.settings) \
            if tree is None or self.settings.keep_guards \
            else defined_hooks(tree, hook_names(self.settings), predicates)
    return FileFacts(
        parsed.module_name, interface,
        imports_interface=bool(stem) and stem in text and imports_module(
            parsed.module, parsed.package_name, interface),
        job_pickler=constructs_job_pickler or ("dispatch_table" in text and
                                               fills_dispatch_table_with_job_state(
                                                   parsed.module, self.settings.job_methods)),
        removed=removed,
        predicates_used=predicates_called_outside_ifs(parsed.module, predicates)
        if any(name in text for name in predicates) else frozenset(),
        start_method=start_method,
        pickling_test=pickling_test,
    )


def _rule_words(codemod, named: Collection[str], bound: Collection[str]) -> Set[str]:
    """The words of everything strip acts on in a file: hooks and predicates (the
    plan's removals are among them); where the file names the job pickler or the
    interface (``named``: their last names) or imports them (``bound``: the names
    its imports bind to them), those, and the interface's members."""
    words = {*hook_names(codemod.settings), *codemod.predicates()}
    if named or bound:
        words.update(named, bound, CLASS_DECORATORS, METHOD_DECORATORS,
                     stripped_bases(codemod.settings), kept_interface_names(codemod.settings))
    return words


def _definitions(codemod, text: str, words: Collection[str]) -> Optional[DefinitionWords]:
    """What a pruned rewrite of ``text`` skips (None: it visits everything)."""
    tree = parse_or_none(text)
    if tree is None or not codemod.prunes_definitions:
        return None
    return DefinitionWords(text, tree, words)


def strip_file(codemod, parsed: ParsedFile, plan: Plan) -> Rewrite:
    """The strip command on one parsed file, keeping the job pickler's imports
    where the file still uses the pickler."""
    self = codemod
    text = parsed.source.text
    modules = [*plan.picklers, interface_for(
        parsed.path, parsed.module_name, parsed.package_name, self.settings.interface_module)]
    named = [name.rpartition(".")[2] for name in modules if name] + [JOB_PICKLER]
    facts = parsed.cache.get("strip facts")
    # A name in a comment or a string names nothing; a relative import may, unnamed.
    bound = names_bound_to(parse_or_none(text), parsed.package_name, modules)
    by_name = not bound and not mentions_in_code(text, named)
    definitions = _definitions(self, text, _rule_words(self, () if by_name else named, bound))
    if by_name:
        wrapper = None
    else:
        wrapper = parsed.cache.get("strip wrapper") or _metadata(
            parsed, without_skipped(parsed.module, definitions) if definitions is not None else None)

    def run(keep_pickler_imports: bool):
        if wrapper is None:
            command = StripCommandByName(parsed.context(), self.settings, plan)
        else:
            command = StripCommand(parsed.context(), self.settings, plan)
            command.fresh_wrapper, command.metadata_for = wrapper, parsed.module
        command.removed_here = facts.removed if facts is not None else None
        command.keep_pickler_imports = keep_pickler_imports
        command.pruner = Pruner(definitions) if definitions is not None else None
        return command, print_rewrite(parsed, command.transform_module(parsed.module))

    command, (new, exact) = run(False)
    if wrapper is not None and any(f.code == PICKLER_USED for f in command.findings):
        # The job pickler is still used here: keep the imports of it (and, in
        # tree_changes, the module itself).
        command, (new, exact) = run(True)
    if unchanged_print(parsed, new, exact):
        return Rewrite(None, command.findings)
    return Rewrite(new, command.findings, exact=exact)


def _called_imports(parsed: ParsedFile) -> Set[str]:
    """The imported functions the module calls, fully qualified: read with
    ``ast`` (read/import_scopes.py, whose names are libcst's) and qualified by
    libcst's own rule, where both are at hand; else with libcst's scope analysis
    and ``FullyQualifiedNameProvider`` (for a job pickler the size of
    BuildStream's, 0.1 s against 0.01 s)."""
    from ..read.import_scopes import called_imports  # noqa: PLC0415

    try:
        from libcst.metadata.name_provider import FullyQualifiedNameVisitor  # noqa: PLC0415

        qualify = FullyQualifiedNameVisitor._fully_qualify_local
    except (ImportError, AttributeError):  # another libcst: its analysis, below
        qualify = None
    tree = parse_or_none(parsed.source.text) if callable(qualify) else None
    # A relative import above the top package: libcst's analysis raises for any name
    # that comes through it, called or not (CM012), which such a module must still get.
    if tree is not None and not relative_imports_above(tree, parsed.package_name):
        def fully_qualified(name: str) -> str:
            if not name.startswith("."):
                return name  # absolute already
            return qualify(parsed.module_name, parsed.package_name, name)

        return set(called_imports(tree, fully_qualified))
    calls = _CallsOut()
    visit_with_metadata(parsed.context(), parsed.module, calls)
    return calls.called


def pickler_callees(codemod, parsed: ParsedFile, plan: Plan) -> List[Finding]:
    """Functions of other modules of the tree that the deleted job pickler
    called and that no rule removes: they may be left unused, and strip
    does not follow calls into other modules (nor rewrite Cython ones)."""
    self = codemod
    called = _called_imports(parsed)
    interface = interface_for(parsed.path, parsed.module_name, parsed.package_name,
                              self.settings.interface_module)
    findings = []
    for name in sorted(called):
        module, _, function = name.rpartition(".")
        target = module_file(parsed.root, module)
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
