"""``migrate``: hand-written pickling hooks to the declarative interface.

The pieces, each in its own module: ``read/`` turns hooks into a policy,
``write/`` turns a policy into declarations and edits the job pickler, and the
self-check reads the result back (``read/declarations.py``) and compares.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Set

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext, ContextAwareTransformer
from libcst.codemod.visitors import ImportItem
from libcst.metadata import PositionProvider

from .codemod import Codemod, ParsedFile, Rewrite, finding, module_names, transform_fresh
from .discovery import discover
from .hierarchy import HierarchyCheck, is_interface_class
from .index import ClassInfo, TreeIndex
from .interface import (
    DEFAULT_NAME,
    RUNTIME_MARKER,
    RUNTIME_SOURCE,
    choose_interface,
    import_form,
    imports_package_absolutely,
    interface_module,
    interface_path,
    module_owner,
    top_package,
    uses_relative_imports,
)
from .read.class_hooks import RESTORE_METHOD, methods_of, read_class
from .read.declarations import read_declarations
from .read.job_pickler import PicklerFacts, read_job_pickler
from .read.module_index import ModuleIndex
from .report import FileOutcome, Severity, Status
from .settings import Settings
from .sources import SourceError, read_source
from .write.declarations import preferred_quote
from .write.imports import (
    AddImportsAtModuleLevel,
    ImportAwareCommand,
    imports_from,
    schedule_unused_import_removal,
    space_new_import,
)
from .write.job_pickler import RemoveUnusedReducers, RewriteJobPickler
from .write.migrate_class import INTERFACE_BASE, REFUSING_BASE, migrate_class


@dataclass(frozen=True)
class ClassFacts:
    """What the scan learns of one class with hooks, for decisions that span files.
    Its place in the hierarchy comes from the tree index (index.py)."""

    name: str  # fully qualified
    migratable: bool
    clears: tuple  # what it declares once migrated (or already declares)
    scopes: tuple  # scopes its own hooks build state for
    has_interface: bool  # a base named JobSerializable / JobUnserializable already
    has_hooks: bool = False  # hand-written hooks of its own (migratable or not)
    refuses: bool = False  # refuses pickling (a raise-only __getstate__)
    restores: tuple = ()  # methods that run on restore once migrated
    has_setstate: bool = False  # its own __setstate__
    deleted_job_methods: tuple = ()  # job-state methods the migration deletes
    # scopes whose builder starts from the base's state (super().__getstate__())
    inherits_state: tuple = ()
    # how its __setstate__ restores: "update", "assign", "super", a base's name, or ""
    restore_how: str = ""
    new_restore: bool = False  # migrating it makes a new @on_restore method
    reads_state: bool = False  # its restore code reads members from the state


@dataclass
class Plan:
    migrated: Set[str] = field(default_factory=set)
    # classes whose ancestor in the tree is (or becomes) JobSerializable
    inherits_interface: Set[str] = field(default_factory=set)
    problems: Dict[str, List[str]] = field(default_factory=dict)
    # other names of migrated classes: re-exports such as `pkg.Loader` for `pkg.loader.Loader`
    aliases: Set[str] = field(default_factory=set)
    # module -> generic reducers whose every entry goes (and so they go too)
    removable_reducers: Dict[str, Set[str]] = field(default_factory=dict)
    # job-state methods still called from code that stays: kept, returning job_state(self)
    kept_job_methods: Set[str] = field(default_factory=set)
    # top package ("" outside any) -> the interface module its files import
    interface_modules: Dict[str, str] = field(default_factory=dict)
    # class -> the name of its new @on_restore method, where _on_restore is taken
    # in its hierarchy (a subclass's would override its base's, which would not run)
    restore_names: Dict[str, str] = field(default_factory=dict)


@dataclass
class FileFacts:
    module: str = ""
    package: str = ""
    root: str = ""  # the folder above the file's top package
    classes: List[ClassFacts] = field(default_factory=list)
    pickling: PicklerFacts = field(default_factory=PicklerFacts)


def class_facts(name: str, node: cst.ClassDef, job_methods) -> Optional[ClassFacts]:
    """The facts of a class with hooks or with the interface already; None for
    any other class (the tree index knows those)."""
    reading = read_class(node, job_methods)
    has_interface = any(
        isinstance(base.value, cst.Name) and base.value.value in (INTERFACE_BASE, REFUSING_BASE)
        for base in node.bases
    )
    migratable = bool(reading and reading.migratable)
    # What the class will declare: from its hooks, or its declarations already there.
    declared = reading.policy if migratable else read_declarations(node)
    if reading is None and not has_interface and declared.empty:
        return None
    scopes = tuple(sorted({b.scope for b in reading.builders.values()})) if reading else ()
    deleted = tuple(sorted(name for name, builder in reading.builders.items()
                           if name in job_methods and not builder.method_stays)) if reading else ()
    return ClassFacts(
        name, migratable, tuple(declared.clears), scopes, has_interface,
        has_hooks=reading is not None,
        refuses=bool(reading and reading.refusal is not None),
        restores=tuple(declared.restore_methods),
        has_setstate=bool(reading and "__setstate__" in reading.hooks),
        deleted_job_methods=deleted,
        inherits_state=tuple(sorted({b.scope for b in reading.builders.values() if b.inherits}))
        if reading else (),
        restore_how=reading.restore.how if reading and reading.restore else "",
        new_restore=bool(reading and reading.restore_method),
        reads_state=bool(reading and reading.restore and reading.restore.read_after),
    )


class MigrateClasses(ContextAwareTransformer):
    """Each class with hooks, rewritten whole or reported.  Classes are named as
    the fully qualified name provider names them at module and class level
    (``pkg.mod.Outer.Inner``), from the module name and the nesting, which
    spares this pass the cost of scope analysis.  Classes inside functions are
    left alone, as ``ModuleIndex`` leaves them: no other module can name them."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context, settings: Settings, plan: Plan) -> None:
        super().__init__(context)
        self.settings = settings
        self.plan = plan
        self.findings = []
        self.needed: Set[str] = set()
        self.policies = {}  # class name -> policy, for the self-check
        self.migrated = []  # (line, reading) of each class rewritten, for `check`
        self._nesting = [context.full_module_name or ""]

    def visit_Module(self, node: cst.Module) -> None:
        self.import_items = ModuleIndex.of(node, "", self.context.full_package_name or "").import_items

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._nesting.append(node.name.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        """Classes inside a function are not rewritten (their bases may be local
        names the tree index cannot resolve); each one with hooks is reported."""
        path = self.context.scratch["path"]
        for local in local_classes(node):
            reading = read_class(local, self.settings.job_methods)
            if reading is not None:
                self.findings.append(finding(
                    path, self._line(local), "CM101",
                    f"{local.name.value}: the class is defined inside function "
                    f"{node.name.value}(); migrate rewrites classes at module or class level "
                    f"only, so it keeps its {', '.join(reading.hooks)}: move the class out, or "
                    "rewrite the hooks by hand", column=self._column(local)))
        return False

    def _line(self, node) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def _column(self, node) -> int:
        return self.get_metadata(PositionProvider, node).start.column

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        name = ".".join(part for part in self._nesting if part)
        self._nesting.pop()
        reading = read_class(original, self.settings.job_methods, self.plan.restore_names.get(name))
        if reading is None:
            return updated
        path = self.context.scratch["path"]
        if reading.problems or self.plan.problems.get(name):
            for problem in reading.problems:
                self.findings.append(finding(path, self._line(problem.node), "CM101",
                                             f"{original.name.value}: {problem.reason}"))
            for reason in self.plan.problems.get(name, []):
                self.findings.append(finding(path, self._line(original), "CM102",
                                             f"{original.name.value}: {reason}"))
            return updated
        for method_name in reading.hooks:
            schedule_unused_import_removal(
                self.context, self.import_items, methods_of(original)[method_name])
        own_interface = any(m.matches(base.value, m.Name(INTERFACE_BASE) | m.Name(REFUSING_BASE))
                            for base in original.bases)
        new, needed = migrate_class(
            updated, reading,
            add_base=name not in self.plan.inherits_interface and not own_interface,
            quote=preferred_quote(original), kept_job_methods=self.plan.kept_job_methods)
        self.needed |= needed
        # Keyed as ModuleIndex names classes, so that two `Inner` classes stay apart.
        self.policies[name] = reading.policy
        self.migrated.append((self._line(original), reading))
        return new


class MigrateCommand(ImportAwareCommand):
    """libcst command: ``python -m libcst.tool codemod`` can run it on single
    files too (without the cross-file plan, each file decides alone)."""

    DESCRIPTION = "Rewrite hand-written pickling hooks into the declarative interface."

    def __init__(self, context: CodemodContext, settings: Settings | None = None,
                 plan: Plan | None = None) -> None:
        super().__init__(context)
        self.settings = settings or Settings()
        self.plan = plan
        self.findings = []
        self.policies = {}
        self.migrated = []
        self.interface_import = None  # (module, level) of the import this run adds

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        plan = self.plan if self.plan is not None else _plan_for_one_file(tree, self.context, self.settings)
        classes = MigrateClasses(self.context, self.settings, plan)
        tree = transform_fresh(classes, tree)
        self.findings.extend(classes.findings)
        self.policies = classes.policies
        self.migrated = classes.migrated
        needed = set(classes.needed)
        if has_dispatch_entries(tree):
            pickler = RewriteJobPickler(
                self.context, plan.migrated | plan.aliases,
                plan.removable_reducers.get(self.context.full_module_name or "", set()))
            tree = pickler.transform_module(tree)
            if pickler.made_job_pickler:
                needed.add("JobPickler")
            if pickler.reducers:
                tree = RemoveUnusedReducers(self.context, pickler.reducers).transform_module(tree)
        if needed:
            tree = self._add_interface_imports(tree, needed, plan)
        return tree

    def _add_interface_imports(self, tree: cst.Module, needed: Set[str],
                               plan: Plan) -> cst.Module:
        package = self.context.full_package_name or ""
        dotted = interface_module(self.context.full_module_name or "", self.settings.interface_module,
                                  package, plan.interface_modules)
        # Relative where the file's imports are, or where nothing in the file confirms
        # the name its package is installed under (a namespace package above it, say).
        relative = uses_relative_imports(tree) or not imports_package_absolutely(
            tree, top_package("", package))
        module, level = import_form(package, dotted, relative)
        items = [ImportItem(module, name, None, level) for name in sorted(needed)]
        self.interface_import = (module, level)
        if any(imports_from(statement, module, level) for statement in tree.body):
            # Names join the import that is there: with the package known, libcst
            # matches the relative form to the module it names.
            context = CodemodContext(full_module_name=self.context.full_module_name,
                                     full_package_name=self.context.full_package_name)
        else:
            context = CodemodContext()  # without a package, a new import stays relative
        # It needs no metadata: run it without the wrapper's copy of the tree.
        return AddImportsAtModuleLevel(context, items).transform_module_impl(tree)

    def transform_module(self, tree: cst.Module) -> cst.Module:
        new = super().transform_module(tree)
        if self.interface_import is None:
            return new
        return space_new_import(tree, new, *self.interface_import)


def _plan_for_one_file(tree, context, settings) -> Plan:
    """The plan when libcst's own runner hands us one file: the hierarchy still
    comes from every file of the file's package tree."""
    path = Path(context.filename) if context.filename else None
    facts = scan_module(tree, settings.job_methods, context.full_module_name or "",
                        context.full_package_name or "")
    index = None
    if path is not None and path.exists():
        facts.root = str(module_names(path)[0])
        index = tree_index(discover([Path(facts.root)], (), (".py",)).files)
    return make_plan({path or Path("<module>"): facts}, index, settings)


def has_hooks(tree: cst.Module, job_methods) -> bool:
    """A cheap look, without metadata: does any class, at any depth, have a hook?"""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            if not found and read_class(node, job_methods) is not None:
                found.append(node)

    tree.visit(Finder())
    return bool(found)


def has_dispatch_entries(tree: cst.Module) -> bool:
    """Any ``<x>.dispatch_table[<key>] = ...``?  (A plain visitor: matchers on
    every node of a large module cost seconds.)"""

    class Finder(cst.CSTVisitor):
        found = False

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            target = node.target
            if (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Attribute)
                    and target.value.attr.value == "dispatch_table"):
                Finder.found = True

    tree.visit(Finder())
    return Finder.found


def scan_module(tree, job_methods, module_name, package_name) -> FileFacts:
    index = ModuleIndex.of(tree, module_name, package_name)
    return FileFacts(
        module=module_name,
        package=package_name,
        classes=[facts for facts in (class_facts(name, node, job_methods)
                                     for name, node in index.classes) if facts is not None],
        pickling=read_job_pickler(tree, index, job_methods),
    )


def tree_index(files) -> TreeIndex:
    """The cheap index of a tree's classes, reading files as the runner does."""

    def read(path: Path):
        try:
            return read_source(path).text
        except SourceError:
            return None

    return TreeIndex(files, read, lambda path: module_names(path)[1:])


def make_plan(facts: Mapping[Path, FileFacts], index: Optional[TreeIndex],
              settings: Settings) -> Plan:
    classes = {c.name: c for file_facts in facts.values() for c in file_facts.classes}
    if index is None:
        index = TreeIndex([], lambda path: None, lambda path: ("", ""))
    plan = Plan()
    candidates = {name for name, c in classes.items() if c.migratable}
    plan.interface_modules, interface_problems = _interface_modules(facts, settings)
    interface_modules = set(plan.interface_modules.values())
    check = HierarchyCheck(index, classes, settings.job_methods, interface_modules)
    problems = check.run(candidates)
    for file_facts in facts.values():
        top = top_package(file_facts.module, file_facts.package)
        for c in file_facts.classes:
            if c.name in candidates and top in interface_problems:
                problems.setdefault(c.name, []).append(interface_problems[top])
    plan.problems = {name: sorted(set(reasons)) for name, reasons in problems.items()}
    plan.migrated = candidates - set(plan.problems)

    def canonical(name: str) -> str:
        found = index.lookup(name)
        return found.name if isinstance(found, ClassInfo) else name

    # Other names of migrated classes (package re-exports), as keys of job-pickler entries.
    plan.aliases = set()
    for file_facts in facts.values():
        for entry in file_facts.pickling.entries:
            if entry.key is not None and canonical(entry.key) in plan.migrated:
                plan.aliases.add(entry.key)
    for name in classes:
        info = index.defined_class(name)
        if info is None:
            continue
        for _, base in index.ancestors(info):
            if is_interface_class(index, base, interface_modules) or (
                    isinstance(base, ClassInfo) and (
                        base.name in plan.migrated
                        or (base.name in classes and classes[base.name].has_interface))):
                plan.inherits_interface.add(name)
                break
    plan.restore_names = _restore_names(classes, plan.migrated, index)
    for file_facts in facts.values():
        pickling = file_facts.pickling
        removable = set()
        for reducer in pickling.generic_reducers:
            entries = [e for e in pickling.entries if e.reducer == reducer]
            if entries and pickling.other_uses.get(reducer, 0) == 1 and all(
                    e.convertible and e.key is not None and canonical(e.key) in plan.migrated
                    for e in entries):
                removable.add(reducer)
        plan.removable_reducers[file_facts.module] = removable
        plan.kept_job_methods.update(
            method for method, function in pickling.job_method_refs if function not in removable)
    return plan


def _restore_names(classes: Mapping[str, ClassFacts], migrated, index: TreeIndex) -> Dict[str, str]:
    """A name for each new ``@on_restore`` method that no class above or below it
    uses: ``_on_restore``, else ``_on_restore_<class>``."""
    names: Dict[str, str] = {}
    new = [name for name in migrated if classes[name].new_restore]
    depth = {name: sum(1 for _ in index.ancestors(index.defined_class(name))) for name in new}
    for name in sorted(new, key=lambda n: (depth[n], n)):  # bases first: they keep the name
        info = index.defined_class(name)
        related = [base for _, base in index.ancestors(info) if isinstance(base, ClassInfo)]
        related += index.subclasses(info)
        taken = set()
        for other in related:
            taken |= other.methods
            facts = classes.get(other.name)
            if facts is None:
                continue
            if other.name in names or (other.name in migrated and facts.new_restore):
                # A new method: its name once the plan has picked it, bases first.
                taken.add(names.get(other.name, RESTORE_METHOD if depth.get(other.name, 0) <
                                    depth[name] else ""))
            else:
                taken |= set(facts.restores)
        if RESTORE_METHOD in taken:
            short = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", info.short).lower().lstrip("_")
            names[name] = f"{RESTORE_METHOD}_{short}"
    return names


def _interface_modules(facts: Mapping[Path, FileFacts], settings: Settings):
    """The interface module of each top package that has classes with hooks, and
    the reason a top package cannot have one."""
    chosen: Dict[str, str] = {}
    problems: Dict[str, str] = {}
    for file_facts in facts.values():
        if not file_facts.classes or not file_facts.root:
            continue
        top = top_package(file_facts.module, file_facts.package)
        if top in chosen or top in problems:
            continue
        root = Path(file_facts.root)
        configured = settings.interface_module
        if configured:
            chosen[top] = configured
            if module_owner(root, configured) == "other" and not _defines_interface(
                    root, configured):
                problems[top] = (f"the configured interface module {configured} exists and does "
                                 "not define JobSerializable; an import of it could not work")
            continue
        chosen[top] = choose_interface(root, top)
    return chosen, problems


def _defines_interface(root: Path, dotted: str) -> bool:
    path = interface_path(root, dotted)
    try:
        return "class JobSerializable" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


class MigrateCodemod(Codemod):
    name = "migrate"
    uses_scan = True

    def prefilter(self):
        # The interface's names too: declarations already written are facts that
        # subclasses with hooks must agree with.
        return ("__getstate__", "__setstate__", "dispatch_table", *self.settings.job_methods,
                "JobSerializable", "JobUnserializable", "@clear", "@custom", "on_restore")

    def is_interface(self, parsed: ParsedFile) -> bool:
        """The runtime module (one migrate wrote, or the configured one)."""
        return RUNTIME_MARKER in parsed.source.text or (
            parsed.module_name == self.settings.interface_module)

    def wants(self, path: Path, text: str) -> bool:
        # Package __init__ files re-export classes that a job pickler imports.
        return path.name == "__init__.py" or super().wants(path, text)

    def scan(self, parsed: ParsedFile):
        if self.is_interface(parsed):
            return FileFacts()
        facts = scan_module(parsed.module, self.settings.job_methods,
                            parsed.module_name, parsed.package_name)
        facts.root = str(parsed.root)
        return facts

    def plan(self, facts, index=None):
        return make_plan(facts, index, self.settings)

    def has_work(self, parsed: ParsedFile) -> bool:
        """Hooks or job-pickler entries to look at closely (a cheap look first)."""
        return not self.is_interface(parsed) and (
            has_hooks(parsed.module, self.settings.job_methods)
            or ("dispatch_table" in parsed.source.text and has_dispatch_entries(parsed.module)))

    def rewrite(self, parsed: ParsedFile, plan: Plan) -> Rewrite:
        if not self.has_work(parsed):
            return Rewrite(None)
        command, new = self.run_command(parsed, plan)
        findings = list(command.findings)
        text = new.code
        if text == parsed.printed:
            return Rewrite(None, findings)
        mismatch = self_check(text, command.policies, parsed.module_name)
        if mismatch is not None:
            return Rewrite(None, findings + [finding(
                parsed.path, 1, "CM900",
                f"internal error: the self-check failed for class {mismatch}; "
                "file left as it was (please report this)", Severity.ERROR)])
        return Rewrite(text, findings)

    def run_command(self, parsed: ParsedFile, plan: Plan):
        command = MigrateCommand(parsed.context(), self.settings, plan)
        return command, command.transform_module(parsed.module)

    def tree_changes(self, plan, outcomes, roots) -> List[FileOutcome]:
        """The interface module, written where a changed file imports it from
        when it is not there yet."""
        wanted = {}
        for outcome in outcomes:
            if outcome.status is not Status.CHANGED or outcome.new is None:
                continue
            root, module_name, package_name = module_names(outcome.path)
            dotted = interface_module(module_name, self.settings.interface_module, package_name,
                                      plan.interface_modules)
            path = interface_path(root, dotted)
            if not outcome.path.is_absolute():
                path = Path(os.path.relpath(path))  # shown as the user named the tree
            if path.parent.is_dir() and module_owner(root, dotted) is None:
                wanted[path] = dotted
        text = RUNTIME_SOURCE.read_text(encoding="utf-8")
        new = []
        for path in sorted(wanted):
            findings = []
            if not self.settings.interface_module and path.stem != DEFAULT_NAME:
                taken = ".".join([*wanted[path].split(".")[:-1], DEFAULT_NAME])
                findings.append(finding(
                    path, 1, "CM103",
                    f"the project has a module {taken} of its own, so the interface goes to "
                    f"{wanted[path]} (name another with --interface-module)", Severity.INFO))
            new.append(FileOutcome(path, Status.CHANGED, old=None, new=text, findings=findings))
        return new


def local_classes(function: cst.FunctionDef) -> List[cst.ClassDef]:
    """Every class defined anywhere inside ``function``."""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            found.append(node)

    function.body.visit(Finder())
    return found


def self_check(text: str, policies, module_name: str = "") -> str:
    """The first class whose declarations do not say what its old hooks did."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return "(the output does not parse)"
    found = {name: node for name, node in ModuleIndex.of(module, module_name, "").classes
             if name in policies}
    for name, policy in policies.items():
        if name not in found or read_declarations(found[name]).comparable() != policy.comparable():
            return name.rsplit(".", 1)[-1] if module_name else name
    return None
