"""``migrate``: hand-written pickling hooks to the declarative interface.

The pieces, each in its own module: ``read/`` turns hooks into a policy,
``write/`` turns a policy into declarations and edits the job pickler, and the
self-check reads the result back (``read/declarations.py``) and compares.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Set

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext, ContextAwareTransformer
from libcst.codemod.visitors import ImportItem
from libcst.metadata import PositionProvider

from .codemod import Codemod, ParsedFile, Rewrite, finding, module_names, transform_fresh
from .interface import (
    RUNTIME_SOURCE,
    import_form,
    interface_module,
    interface_path,
    uses_relative_imports,
)
from .read.class_hooks import methods_of, read_class
from .read.declarations import read_declarations
from .read.job_pickler import PicklerFacts, read_job_pickler
from .read.module_index import ModuleIndex
from .report import FileOutcome, Severity, Status
from .settings import Settings
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
    """What the scan learns of one class, for decisions that span files."""

    name: str  # fully qualified
    bases: tuple  # fully qualified names of its bases
    migratable: bool
    clears: tuple  # what it declares once migrated (or already declares)
    scopes: tuple  # scopes its own hooks build state for
    has_interface: bool  # a base named JobSerializable / JobUnserializable already
    has_hooks: bool = False  # hand-written hooks of its own (migratable or not)
    has_pickle_hooks: bool = False  # its own __getstate__ or __setstate__
    refuses: bool = False  # refuses pickling (a raise-only __getstate__)
    restores: tuple = ()  # methods that run on restore once migrated
    has_setstate: bool = False  # its own __setstate__


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


@dataclass
class FileFacts:
    module: str = ""
    classes: List[ClassFacts] = field(default_factory=list)
    pickling: PicklerFacts = field(default_factory=PicklerFacts)
    # re-exported name -> what it names, from module-level `from x import y`
    reexports: Dict[str, str] = field(default_factory=dict)


def class_facts(name: str, node: cst.ClassDef, index: ModuleIndex, job_methods) -> ClassFacts:
    reading = read_class(node, job_methods)
    migratable = bool(reading and reading.migratable)
    # What the class will declare: from its hooks, or its declarations already there.
    declared = reading.policy if migratable else read_declarations(node)
    clears = declared.clears
    bases = tuple(sorted(filter(None, (index.resolve(base.value) for base in node.bases))))
    has_interface = any(
        isinstance(base.value, cst.Name) and base.value.value in (INTERFACE_BASE, REFUSING_BASE)
        for base in node.bases
    )
    scopes = tuple(sorted({b.scope for b in reading.builders.values()})) if reading else ()
    return ClassFacts(
        name, bases, migratable, tuple(clears), scopes, has_interface,
        has_hooks=reading is not None,
        has_pickle_hooks=bool(reading and {"__getstate__", "__setstate__"} & set(reading.hooks)),
        refuses=bool(reading and reading.refusal is not None),
        restores=tuple(declared.restore_methods),
        has_setstate=bool(reading and "__setstate__" in reading.hooks),
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
        return False  # hooks are methods of classes at module or class level

    def _line(self, node) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        name = ".".join(part for part in self._nesting if part)
        self._nesting.pop()
        reading = read_class(original, self.settings.job_methods)
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
            tree = self._add_interface_imports(tree, needed)
        return tree

    def _add_interface_imports(self, tree: cst.Module, needed: Set[str]) -> cst.Module:
        dotted = interface_module(self.context.full_module_name or "", self.settings.interface_module)
        module, level = import_form(
            self.context.full_package_name or "", dotted, uses_relative_imports(tree))
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
    return make_plan({context.filename: scan_module(
        tree, settings.job_methods, context.full_module_name or "", context.full_package_name or "")})


def has_hooks(tree: cst.Module, job_methods) -> bool:
    """A cheap look, without metadata: does any class have a hook?"""
    index = ModuleIndex.of(tree, "", "")
    return any(read_class(node, job_methods) is not None for _, node in index.classes)


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
        classes=[class_facts(name, node, index, job_methods) for name, node in index.classes],
        reexports=index.reexports,
        pickling=read_job_pickler(tree, index, job_methods),
    )


def make_plan(facts: Mapping[Path, FileFacts]) -> Plan:
    classes = {c.name: c for file_facts in facts.values() for c in file_facts.classes}
    reexports = {k: v for file_facts in facts.values() for k, v in file_facts.reexports.items()}
    plan = Plan()
    candidates = {name for name, c in classes.items() if c.migratable}

    def canonical(name: str) -> str:
        """Through re-exports (``pkg.Store`` -> ``pkg.store.Store``) to the definition."""
        seen = set()
        while name in reexports and name not in seen:
            seen.add(name)
            name = reexports[name]
        return name

    def ancestors(name, seen=()):
        for base in classes[name].bases if name in classes else ():
            base = canonical(base)
            if base in classes and base not in seen:
                yield base
                yield from ancestors(base, (*seen, base))

    def problem(name: str, reason: str) -> None:
        plan.problems.setdefault(name, []).append(reason)

    def short(name: str) -> str:
        return name.rsplit(".", 1)[-1]

    for name in sorted(candidates):
        own = classes[name]
        for ancestor in ancestors(name):
            base = classes[ancestor]
            if base.has_pickle_hooks and not base.migratable:
                problem(name, f"its base {short(ancestor)} keeps a hand-written __getstate__ or "
                              "__setstate__, which comes before JobSerializable's in the method "
                              "resolution order")
            if base.refuses:
                problem(name, f"its own hooks override the refusal of {short(ancestor)}, which "
                              "a JobUnserializable base cannot express")
            if own.has_setstate and base.restores:
                problem(name, f"its own __setstate__ replaces {short(ancestor)}'s, whose "
                              f"@on_restore {', '.join(base.restores)} would run for it too")
            for clear in base.clears:
                if clear.scope in own.scopes and not any(
                    c.member == clear.member and c.scope == clear.scope for c in own.clears
                ):
                    problem(name, f"its own hook keeps {clear.member!r}, which the declaration "
                                  f"inherited from {short(ancestor)} would drop")
                elif own.scopes and clear.scope not in own.scopes:
                    problem(name, f"its own hook builds the {'/'.join(own.scopes)} state without "
                                  f"the {clear.scope} declaration of {clear.member!r} it inherits "
                                  f"from {short(ancestor)}; the job state would apply both")
    # A refusing class whose subclasses have hooks of their own stays as it is: its
    # refusal would win over theirs.
    for name, info in classes.items():
        if info.refuses and info.migratable:
            overriding = sorted(short(other) for other in classes
                                if other != name and classes[other].has_hooks
                                and name in ancestors(other))
            if overriding:
                problem(name, f"subclasses {', '.join(overriding)} override the refusal with "
                              "their own hooks, which a JobUnserializable base would not allow")
    plan.problems = {name: sorted(set(reasons)) for name, reasons in plan.problems.items()}
    plan.migrated = candidates - set(plan.problems)
    plan.aliases = {alias for alias in reexports if canonical(alias) in plan.migrated}
    for name in classes:
        if any(a in plan.migrated or classes[a].has_interface for a in ancestors(name)):
            plan.inherits_interface.add(name)
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


class MigrateCodemod(Codemod):
    name = "migrate"
    uses_scan = True

    def prefilter(self):
        return ("__getstate__", "__setstate__", "dispatch_table", *self.settings.job_methods)

    def is_interface(self, parsed: ParsedFile) -> bool:
        return parsed.module_name == interface_module(parsed.module_name, self.settings.interface_module)

    def wants(self, path: Path, text: str) -> bool:
        # Package __init__ files re-export classes that a job pickler imports.
        return path.name == "__init__.py" or super().wants(path, text)

    def scan(self, parsed: ParsedFile):
        if self.is_interface(parsed):
            return FileFacts()
        return scan_module(parsed.module, self.settings.job_methods,
                           parsed.module_name, parsed.package_name)

    def plan(self, facts):
        return make_plan(facts)

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
            root, module_name, _ = module_names(outcome.path)
            dotted = interface_module(module_name, self.settings.interface_module)
            path = interface_path(root, dotted)
            if not outcome.path.is_absolute():
                path = Path(os.path.relpath(path))  # shown as the user named the tree
            if path.parent.is_dir() and not path.exists():
                wanted[path] = dotted
        text = RUNTIME_SOURCE.read_text(encoding="utf-8")
        return [FileOutcome(path, Status.CHANGED, old=None, new=text) for path in sorted(wanted)]


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
