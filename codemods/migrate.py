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
from libcst.codemod import CodemodContext, ContextAwareTransformer
from libcst.codemod.visitors import AddImportsVisitor, ImportItem, RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import FullyQualifiedNameProvider, PositionProvider

from .codemod import Codemod, ParsedFile, Rewrite, finding, module_names
from .interface import (
    RUNTIME_SOURCE,
    import_form,
    interface_module,
    interface_path,
    uses_relative_imports,
)
from .read.class_hooks import methods_of, read_class
from .read.declarations import read_declarations
from .report import FileOutcome, Severity, Status
from .settings import Settings
from .write.declarations import preferred_quote
from .write.imports import ImportAwareCommand, space_new_import
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


@dataclass
class Plan:
    migrated: Set[str] = field(default_factory=set)
    # classes whose ancestor in the tree is (or becomes) JobSerializable
    inherits_interface: Set[str] = field(default_factory=set)
    problems: Dict[str, List[str]] = field(default_factory=dict)
    # other names of migrated classes: re-exports such as `pkg.Loader` for `pkg.loader.Loader`
    aliases: Set[str] = field(default_factory=set)


@dataclass
class FileFacts:
    classes: List[ClassFacts] = field(default_factory=list)
    # re-exported name -> what it names, from module-level `from x import y`
    reexports: Dict[str, str] = field(default_factory=dict)


def _fully_qualified(wrapper_get, node) -> Set[str]:
    return {q.name for q in wrapper_get(FullyQualifiedNameProvider, node, set())}


class _ClassScanner(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider,)

    def __init__(self, job_methods, module_name: str, package_name: str) -> None:
        super().__init__()
        self.job_methods = job_methods
        self.module_name = module_name
        self.package_name = package_name
        self.facts = FileFacts()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        module = get_absolute_module_from_package_for_import(self.package_name or None, node)
        if module is None:
            return
        for alias in node.names:
            bound = alias.evaluated_alias or alias.evaluated_name
            self.facts.reexports[f"{self.module_name}.{bound}"] = f"{module}.{alias.evaluated_name}"

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        names = sorted(_fully_qualified(self.get_metadata, node))
        bases = tuple(sorted(n for base in node.bases for n in _fully_qualified(self.get_metadata, base.value)))
        reading = read_class(node, self.job_methods)
        migratable = bool(reading and reading.migratable)
        # What the class will declare: from its hooks, or its declarations already there.
        clears = reading.policy.clears if migratable else read_declarations(node).clears
        has_interface = any(
            isinstance(base.value, cst.Name) and base.value.value in (INTERFACE_BASE, REFUSING_BASE)
            for base in node.bases
        )
        scopes = tuple(sorted({c.scope for c in reading.policy.clears})) if reading else ()
        self.facts.classes.append(ClassFacts(
            names[0] if names else node.name.value, bases,
            migratable, tuple(clears), scopes, has_interface,
        ))


class MigrateClasses(ContextAwareTransformer):
    METADATA_DEPENDENCIES = (PositionProvider, FullyQualifiedNameProvider)

    def __init__(self, context, settings: Settings, plan: Plan, quote: str) -> None:
        super().__init__(context)
        self.settings = settings
        self.plan = plan
        self.quote = quote
        self.findings = []
        self.needed: Set[str] = set()
        self.policies = {}  # class name -> policy, for the self-check
        self.migrated = []  # (line, reading) of each class rewritten, for `check`
        self.problems = 0

    def _line(self, node) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        reading = read_class(original, self.settings.job_methods)
        if reading is None:
            return updated
        names = sorted(_fully_qualified(self.get_metadata, original)) or [original.name.value]
        name = names[0]
        path = self.context.scratch["path"]
        if reading.problems or self.plan.problems.get(name):
            for problem in reading.problems:
                self.findings.append(finding(path, self._line(problem.node), "CM101",
                                             f"{original.name.value}: {problem.reason}"))
            for reason in self.plan.problems.get(name, []):
                self.findings.append(finding(path, self._line(original), "CM102",
                                             f"{original.name.value}: {reason}"))
            self.problems += 1
            return updated
        for method_name in reading.hooks:
            RemoveImportsVisitor.remove_unused_import_by_node(
                self.context, methods_of(original)[method_name])
        new, needed = migrate_class(
            updated, reading, add_base=name not in self.plan.inherits_interface, quote=self.quote)
        self.needed |= needed
        self.policies[original.name.value] = reading.policy
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
        classes = MigrateClasses(self.context, self.settings, plan, preferred_quote(tree))
        tree = classes.transform_module(tree)
        self.findings.extend(classes.findings)
        self.policies = classes.policies
        self.migrated = classes.migrated
        needed = set(classes.needed)
        if "dispatch_table" in tree.code:
            pickler = RewriteJobPickler(self.context, plan.migrated | plan.aliases)
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
        # A context without a package name keeps the import relative.
        return AddImportsVisitor(CodemodContext(), items).transform_module(tree)

    def transform_module(self, tree: cst.Module) -> cst.Module:
        new = super().transform_module(tree)
        if self.interface_import is None:
            return new
        return space_new_import(tree, new, *self.interface_import)


def visit_with_metadata(context: CodemodContext, tree: cst.Module, visitor) -> None:
    """Run a visitor that needs metadata (fully qualified names among them)."""
    cache = {}
    if context.metadata_manager is not None and context.filename is not None:
        cache = context.metadata_manager.get_cache_for_path(context.filename)
    cst.MetadataWrapper(tree, unsafe_skip_copy=True, cache=cache).visit(visitor)


def _plan_for_one_file(tree, context, settings) -> Plan:
    scanner = _ClassScanner(settings.job_methods, context.full_module_name or "",
                            context.full_package_name or "")
    visit_with_metadata(context, tree, scanner)
    return make_plan({context.filename: scanner.facts})


def make_plan(facts: Mapping[Path, FileFacts]) -> Plan:
    classes = {c.name: c for file_facts in facts.values() for c in file_facts.classes}
    reexports = {k: v for file_facts in facts.values() for k, v in file_facts.reexports.items()}
    plan = Plan()
    candidates = {name for name, c in classes.items() if c.migratable}

    def ancestors(name, seen=()):
        for base in classes[name].bases if name in classes else ():
            if base in classes and base not in seen:
                yield base
                yield from ancestors(base, (*seen, base))

    for name in sorted(candidates):
        own = classes[name]
        for ancestor in ancestors(name):
            inherited = classes[ancestor]
            for clear in inherited.clears:
                if clear.scope in own.scopes and not any(
                    c.member == clear.member and c.scope == clear.scope for c in own.clears
                ):
                    plan.problems.setdefault(name, []).append(
                        f"its own hook keeps {clear.member!r}, which the declaration inherited "
                        f"from {ancestor.rsplit('.', 1)[-1]} would drop")
    plan.migrated = candidates - set(plan.problems)
    for alias in reexports:
        target, seen = alias, set()
        while target in reexports and target not in seen:
            seen.add(target)
            target = reexports[target]
        if target in plan.migrated:
            plan.aliases.add(alias)
    for name in classes:
        if any(a in plan.migrated or classes[a].has_interface for a in ancestors(name)):
            plan.inherits_interface.add(name)
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
        scanner = _ClassScanner(self.settings.job_methods, parsed.module_name, parsed.package_name)
        visit_with_metadata(parsed.context(), parsed.module, scanner)
        return scanner.facts

    def plan(self, facts):
        return make_plan(facts)

    def rewrite(self, parsed: ParsedFile, plan: Plan) -> Rewrite:
        if self.is_interface(parsed):
            return Rewrite(None)
        command, new = self.run_command(parsed, plan)
        findings = list(command.findings)
        text = new.code
        if text == parsed.source.text:
            return Rewrite(None, findings)
        mismatch = self_check(text, command.policies)
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


def self_check(text: str, policies) -> str:
    """The first class whose declarations do not say what its old hooks did."""
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return "(the output does not parse)"
    found = {}

    class Collect(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            if node.name.value in policies:
                found[node.name.value] = read_declarations(node)

    module.visit(Collect())
    for name, policy in policies.items():
        if name not in found or found[name].comparable() != policy.comparable():
            return name
    return None
