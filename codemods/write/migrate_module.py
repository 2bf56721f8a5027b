"""One module rewritten by ``migrate``: its classes with hooks, its job pickler,
the interface import, and the self-check of what was written.

The classes are found by a plain transformer that does not enter function
bodies, and with the reading the scan made (read/module_reading.py); positions
for findings come class by class (read/positions.py), never for the module.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Optional, Set

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import ImportItem

from ..codemod import finding, module_names
from ..interface import import_form, interface_module, top_package
from ..read.class_hooks import methods_of, read_class
from ..read.declarations import read_declarations
from ..read.module_reading import ModuleReading, has_interface_base, read_module
from ..settings import Settings
from .imports import (
    AddImportsAtModuleLevel,
    ImportAwareCommand,
    imports_from,
    imports_package_absolutely,
    schedule_unused_import_removal,
    space_new_import,
    uses_relative_imports,
)
from .job_pickler import dispatch_entry_position, job_pickler_rewrite
from .migrate_class import migrate_class

if TYPE_CHECKING:
    from ..migrate import Plan


class MigrateClasses(cst.CSTTransformer):
    """Each class with hooks, rewritten whole or reported.  Classes are named as
    the fully qualified name provider names them at module and class level
    (``pkg.mod.Outer.Inner``); function bodies are not entered (classes in them
    are reported from the reading)."""

    def __init__(self, path, module_name: str, settings: Settings, plan: "Plan",
                 reading: ModuleReading, context: CodemodContext) -> None:
        super().__init__()
        self.path = path
        self.settings = settings
        self.plan = plan
        self.reading = reading
        self.context = context
        self.findings = []
        self.needed: Set[str] = set()
        self.policies = {}  # class name -> policy, for the self-check
        self.written: Dict[str, cst.ClassDef] = {}  # class name -> its new node
        self.migrated = []  # (node, name, reading) of each class rewritten, for `check`
        self.refused = []  # (node, name, reading, codes) of each class left as it was
        self._nesting = [module_name]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False  # holds no class

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        """Into a class only where it, or a class inside it, has hooks: libcst
        rebuilds every node a transformer goes through."""
        self._nesting.append(node.name.value)
        name = ".".join(part for part in self._nesting if part)
        inside = name + "."
        return any(key == name or key.startswith(inside) for key in self.reading.readings)

    def _position(self, node, owner: cst.ClassDef, name: str):
        return self.reading.positions.of(node, owner, name)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef):
        name = ".".join(part for part in self._nesting if part)
        self._nesting.pop()
        if name not in self.reading.readings:
            return updated
        _, reading = self.reading.readings[name]
        restore_name = self.plan.restore_names.get(name)
        if restore_name is not None:
            reading = read_class(original, self.settings.job_methods, restore_name)
        short = original.name.value
        if reading.problems or self.plan.problems.get(name):
            for problem in reading.problems:
                line, column = self._position(problem.node, original, name)
                self.findings.append(finding(self.path, line, "CM101",
                                             f"{short}: {problem.reason}", column=column))
            line, column = self._position(original, original, name)
            for reason in self.plan.problems.get(name, []):
                self.findings.append(finding(self.path, line, "CM102", f"{short}: {reason}",
                                             column=column))
            codes = (["CM101"] if reading.problems else []) + \
                (["CM102"] if self.plan.problems.get(name) else [])
            self.refused.append((original, name, reading, codes))
            return updated
        for method_name in reading.hooks:
            schedule_unused_import_removal(
                self.context, self.reading.index.import_items, methods_of(original)[method_name])
        new, needed = migrate_class(
            updated, reading,
            add_base=name not in self.plan.inherits_interface and not has_interface_base(original),
            quote=self.reading.quote, kept_job_methods=self.plan.kept_job_methods)
        self.needed |= needed
        # Keyed as ModuleIndex names classes, so that two `Inner` classes stay apart.
        self.policies[name] = reading.policy
        self.written[name] = new
        self.migrated.append((original, name, reading))
        return new


class MigrateCommand(ImportAwareCommand):
    """libcst command: ``python -m libcst.tool codemod`` can run it on single
    files too (then it builds the plan from the file's package tree itself)."""

    DESCRIPTION = "Rewrite hand-written pickling hooks into the declarative interface."

    def __init__(self, context: CodemodContext, settings: Optional[Settings] = None,
                 plan: Optional["Plan"] = None, reading: Optional[ModuleReading] = None,
                 text: Optional[str] = None) -> None:
        super().__init__(context)
        self.settings = settings or Settings()
        self.plan = plan
        self.reading = reading
        self.text = text
        self.findings = []
        self.policies = {}
        self.written: Dict[str, cst.ClassDef] = {}
        self.migrated = []
        self.refused = []
        self.removed_entries = 0  # job-pickler entries removed
        self.pickler_refused = False  # the job pickler's rewrite was refused (CM101)
        self.interface_import = None  # (module, level) of the import this run adds
        # `check`: the classes are read and rewritten, for what they would become, and
        # the job pickler's entries that would go are found; imports, which it never
        # prints, are left alone.
        self.report_only = False
        # The job pickler's names, resolved by the scan over the parsed tree (or None).
        self.pickler_names: Optional[cst.MetadataWrapper] = None

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        given = tree  # as parsed: no node appears twice in it
        reading = self.reading = self.reading or read_module(
            tree, self.text if self.text is not None else tree.code,
            self.context.full_module_name or "", self.context.full_package_name or "",
            self.settings.job_methods)
        plan = self.plan if self.plan is not None else _plan_for_one_file(
            reading, self.context, self.settings)
        path = self.context.scratch.get("path", self.context.filename)
        for local in reading.local:
            self.findings.append(finding(
                path, local.line, "CM101",
                f"{local.name}: the class is defined inside function {local.function}(); "
                f"migrate rewrites classes at module or class level only, so it keeps its "
                f"{', '.join(local.hooks)}: move the class out, or rewrite the hooks by hand",
                column=local.column))
        classes = MigrateClasses(path, self.context.full_module_name or "", self.settings, plan,
                                 reading, self.context)
        if reading.readings:
            tree = tree.visit(classes)
        self.findings.extend(classes.findings)
        self.policies = classes.policies
        self.written = classes.written
        self.migrated = classes.migrated
        self.refused = classes.refused
        needed = set(classes.needed)
        removable = plan.removable_reducers.get(self.context.full_module_name or "", set())
        if reading.dispatch_entries and removable:  # no reducer goes: no entry goes either
            pickler = job_pickler_rewrite(
                self.context, plan.migrated | plan.aliases, removable, self.text)
            if tree is given:  # metadata over the tree itself, without libcst's deep copy
                from ..parsing import metadata_wrapper, transform_fresh  # noqa: PLC0415

                names = self.pickler_names
                if names is None or names.module is not tree:
                    names = metadata_wrapper(tree, self.context)
                if self.report_only:  # `check` reports which entries go: no rewrite walk
                    pickler.find_entries(tree, names)
                else:
                    tree = transform_fresh(pickler, tree, names)
            else:
                tree = pickler.transform_module(tree)
            if pickler.refusal is not None:
                return self._refused_for_the_pickler(given, pickler.refusal)
            self.removed_entries = len(pickler.entries)
            if pickler.made_job_pickler:
                needed.add("JobPickler")
        if needed and not self.report_only:
            tree = self._add_interface_imports(tree, needed, plan)
        return tree

    def _refused_for_the_pickler(self, given: cst.Module, refusal) -> cst.Module:
        """The file as it was: an entry that would go is set on a pickler that may
        be something else than a ``pickle.Pickler`` (CM101).  Its classes stay
        as they were too: the entries call their job-state methods."""
        name, key, why = refusal
        path = self.context.scratch.get("path", self.context.filename)
        line, column = dispatch_entry_position(self.text, name, given)
        self.findings.append(finding(
            path, line, "CM101",
            f"left as it was: the entry {name}.dispatch_table[{key}] would go, but {why}, "
            f"so migrate cannot make it a JobPickler; bind {name} to pickle.Pickler(...) "
            f"only, or rewrite the job pickler by hand", column=column))
        self.pickler_refused = True
        self.refused.extend((node, qualified, reading, ("CM101",))
                            for node, qualified, reading in self.migrated)
        self.written, self.policies, self.migrated = {}, {}, []
        return given

    def _add_interface_imports(self, tree: cst.Module, needed: Set[str],
                               plan: "Plan") -> cst.Module:
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
        if self.report_only:
            return self.transform_module_impl(tree)
        new = super().transform_module(tree)
        if self.interface_import is None:
            return new
        return space_new_import(tree, new, *self.interface_import)


def _plan_for_one_file(reading: ModuleReading, context: CodemodContext, settings: Settings):
    """The plan when libcst's own runner hands us one file: the hierarchy still
    comes from every file of the file's package tree."""
    from ..discovery import discover  # noqa: PLC0415
    from ..migrate import facts_of, make_plan, tree_index  # noqa: PLC0415

    path = Path(context.filename) if context.filename else None
    facts = facts_of(reading, context.full_module_name or "", context.full_package_name or "",
                     settings.job_methods)
    index = None
    if path is not None and path.exists():
        facts.root = str(module_names(path)[0])
        index = tree_index(discover([Path(facts.root)], (), (".py",)).files)
    return make_plan({path or Path("<module>"): facts}, index, settings)


def _declarations_only(node: cst.ClassDef) -> cst.ClassDef:
    """The class as migrate wrote its declarations: decorators, bases and keywords,
    and its decorated methods' decorators over empty bodies (the rest it did not
    write, and an undecorated method declares nothing: a large class's hundred
    method headers were most of the self-check's time)."""
    stub = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
    methods = [statement.with_changes(body=stub, leading_lines=[])
               for statement in (node.body.body if isinstance(node.body, cst.IndentedBlock)
                                 else ()) if isinstance(statement, cst.FunctionDef)
               and statement.decorators]
    return node.with_changes(leading_lines=[], body=cst.IndentedBlock(body=methods or stub.body))


def self_check(text: str, written: Dict[str, cst.ClassDef], policies,
               parsed_later: bool = False) -> Optional[str]:
    """The first class whose declarations, read back from the code written for
    it, do not say what its old hooks did; or a note that the output does not
    parse.  Each rewritten class is parsed on its own, not the whole module.
    ``parsed_later``: ``text`` is an outline's rewrite, whose application to
    the file is parsed whole afterwards (parsing.rewrite_parsed), so it is not
    parsed here."""
    if not parsed_later:
        try:
            with warnings.catch_warnings():  # invalid escapes the file had already
                warnings.simplefilter("ignore")
                ast.parse(text)
        except SyntaxError:
            try:
                cst.parse_module(text)  # syntax newer than this interpreter's ast
            except cst.ParserSyntaxError:
                return "(the output does not parse)"
        except (ValueError, RecursionError, MemoryError):
            pass
    printer = cst.Module(body=[])
    for name, policy in policies.items():
        node = written.get(name)
        if node is None:
            return name.rsplit(".", 1)[-1]
        try:
            parsed = cst.parse_module(printer.code_for_node(_declarations_only(node)))
        except cst.ParserSyntaxError:
            return name.rsplit(".", 1)[-1]
        found = [s for s in parsed.body if isinstance(s, cst.ClassDef)]
        if len(found) != 1 or read_declarations(found[0]).comparable() != policy.comparable():
            return name.rsplit(".", 1)[-1]
    return None
