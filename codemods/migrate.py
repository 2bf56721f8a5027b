"""``migrate``: hand-written pickling hooks to the declarative interface.

This module is the codemod as the runner sees it: the facts the scan gathers,
the plan made from them and the tree index, and the steps.  The libcst work is
elsewhere, one module per responsibility, imported only once a file is parsed:
``read/`` turns hooks into a policy (read/module_reading.py reads a module),
``write/`` turns a policy into declarations (write/migrate_module.py rewrites a
module), and the self-check reads the result back and compares.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Set

from .codemod import PARSE_WHOLE, Codemod, ReadAhead, Rewrite, finding, module_names
from .hierarchy import HierarchyCheck, is_interface_class
from .index import ClassInfo, ModuleFacts, TreeIndex, module_facts
from .interface import (
    DEFAULT_NAME,
    RUNTIME_MARKER,
    RUNTIME_SOURCE,
    choose_interface,
    interface_module,
    interface_path,
    module_owner,
    top_package,
)
from .report import FileOutcome, Finding, Severity, Status
from .settings import Settings
from .sources import SourceError, read_source
from .strip_words import hook_names

if TYPE_CHECKING:
    from .read.pickler_facts import PicklerFacts

RESTORE_METHOD = "_on_restore"  # the name of a new @on_restore method (read/class_hooks.py)


@dataclass(frozen=True)
class ClassFacts:
    """What the scan learns of one class with hooks, for decisions that span files.
    Its place in the hierarchy comes from the tree index (index.py)."""

    name: str  # fully qualified
    migratable: bool
    clears: tuple  # what it declares once migrated (or already declares)
    scopes: tuple  # scopes its own hooks build state for
    has_interface: bool  # a base named JobSerializable / JobUnserializable already
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
    declared_only: bool = False  # no hooks: declarations of the interface, already there


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
    # module -> the modules whose rewrites this plan made together with its own (a
    # migrated class and its bases or subclasses with hooks, a job pickler and the
    # classes whose entries it drops): one is not written without the others
    ties: Dict[str, Set[str]] = field(default_factory=dict)
    # the modules of those ties that this plan changes (a migrated class, or entries
    # the job pickler drops): one that does not change holds back the others
    changing: Set[str] = field(default_factory=set)
    # job-pickler entry key -> the code of the finding that keeps the class it names,
    # a class with hooks, as it was (CM101: its hooks; CM102: its hierarchy)
    kept_entry_keys: Dict[str, str] = field(default_factory=dict)

    def tie(self, first: str, second: str) -> None:
        if first and second and first != second:
            self.ties.setdefault(first, set()).add(second)
            self.ties.setdefault(second, set()).add(first)

    def tied_to(self, modules) -> Set[str]:
        """Every module tied, directly or not, to one of ``modules``."""
        seen, todo = set(modules), list(modules)
        while todo:
            for other in self.ties.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen


@dataclass
class FileFacts:
    module: str = ""
    package: str = ""
    root: str = ""  # the folder above the file's top package
    classes: List[ClassFacts] = field(default_factory=list)
    pickling: Optional["PicklerFacts"] = None  # read/job_pickler.py, where it looked
    # The tree index's facts of the module (index.module_facts), read by the worker
    # that scanned it with the ``ast`` it had at hand: the plan reads every such file.
    index: Optional[ModuleFacts] = None


def facts_of(reading, module_name: str, package_name: str, job_methods) -> "FileFacts":
    """The picklable facts of a module reading (read/module_reading.py)."""
    classes = []
    for name, (node, class_reading) in reading.readings.items():
        classes.append(_class_facts(name, node, class_reading, job_methods))
    for name, (node, declared) in reading.declared.items():
        classes.append(ClassFacts(name, False, tuple(declared.clears), (),
                                  _has_interface(node), restores=tuple(declared.restore_methods),
                                  declared_only=True))
    return FileFacts(module=module_name, package=package_name, classes=classes,
                     pickling=reading.pickling)


def _has_interface(node) -> bool:
    from .read.module_reading import has_interface_base  # noqa: PLC0415

    return has_interface_base(node)


def _class_facts(name: str, node, reading, job_methods) -> ClassFacts:
    from .read.declarations import read_declarations  # noqa: PLC0415

    migratable = reading.migratable
    # What the class will declare: from its hooks, or its declarations already there.
    declared = reading.policy if migratable else read_declarations(node)
    builders = reading.builders.values()
    return ClassFacts(
        name, migratable, tuple(declared.clears), tuple(sorted({b.scope for b in builders})),
        _has_interface(node),
        refuses=reading.refusal is not None,
        restores=tuple(declared.restore_methods),
        has_setstate="__setstate__" in reading.hooks,
        deleted_job_methods=tuple(sorted(method for method, builder in reading.builders.items()
                                         if method in job_methods and not builder.method_stays)),
        inherits_state=tuple(sorted({b.scope for b in builders if b.inherits})),
        restore_how=reading.restore.how if reading.restore else "",
        new_restore=bool(reading.restore_method),
        reads_state=bool(reading.restore and reading.restore.read_after),
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
    for file_facts in facts.values():
        if file_facts.index is not None:
            index.know(file_facts.index)
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
        for entry in file_facts.pickling.entries if file_facts.pickling else ():
            named = canonical(entry.key) if entry.key is not None else None
            if named in plan.migrated:
                plan.aliases.add(entry.key)
            elif named in classes and not classes[named].declared_only:
                plan.kept_entry_keys[entry.key] = "CM102" if named in plan.problems else "CM101"
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
        if pickling is None:
            continue
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
    _tie(plan, facts, classes, index, canonical)
    return plan


def _tie(plan: Plan, facts: Mapping[Path, FileFacts], classes, index: TreeIndex,
         canonical) -> None:
    """The modules whose rewrites go together (``Plan.ties``)."""
    for name in classes:
        info = index.defined_class(name)
        if info is None:
            continue
        for _, base in index.ancestors(info):
            if isinstance(base, ClassInfo) and base.name in classes and (
                    name in plan.migrated or base.name in plan.migrated):
                plan.tie(info.module.name, base.module.name)
        if name in plan.migrated:
            plan.changing.add(info.module.name)
    for file_facts in facts.values():
        removable = plan.removable_reducers.get(file_facts.module, set())
        for entry in file_facts.pickling.entries if file_facts.pickling else ():
            key = canonical(entry.key) if entry.key is not None else None
            info = index.defined_class(key) if key in plan.migrated else None
            if info is not None and entry.reducer in removable:
                # The entry goes, and the class's job-state method with it: the two
                # files change together.  (An entry that stays calls a method kept.)
                plan.tie(file_facts.module, info.module.name)
                plan.changing.add(file_facts.module)


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


def _why_unchanged(outcome: FileOutcome) -> str:
    """The codes that say why a file did not change as planned."""
    codes = sorted({f.code for f in outcome.findings if f.code != "CM104"})
    what = "failed" if outcome.status is Status.FAILED else "left as it was"
    return f"{', '.join(codes)}: {what}" if codes else what


class MigrateCodemod(Codemod):
    name = "migrate"
    uses_scan = True
    uses_index = True

    def prefilter(self):
        # The interface's names too: declarations already written are facts that
        # subclasses with hooks must agree with.
        return ("__getstate__", "__setstate__", "dispatch_table", *self.settings.job_methods,
                "JobSerializable", "JobUnserializable", "@clear", "@custom", "on_restore")

    # libcst parses each file without the bodies of the methods of its classes with
    # hooks that the reading never looks into (read/outline.py): the rewrite changes
    # hooks, class headers and imports, never those (the prefilter test turns it off).
    outlines_classes = True
    outlines_top_level = False  # nor the top-level definitions the reading skips (check)

    def prefetch(self, index, wanted) -> None:
        """The modules a job pickler imports: the plan resolves each of its
        ``dispatch_table`` keys through them (BuildStream's imports a generated
        module of 300 KB, which took a third of the plan to read)."""
        from .read.text_facts import parse_or_none  # noqa: PLC0415

        for source in wanted:
            if "dispatch_table" in source.text:
                tree = parse_or_none(source.text)
                if tree is not None:
                    index.read_imported(source.path, tree)

    def preload(self) -> None:
        from .read import module_reading  # noqa: F401, PLC0415
        from .write import migrate_module  # noqa: F401, PLC0415

    def read_ahead(self, source) -> ReadAhead:
        """The answers of ``facts_from_text`` and ``text_to_parse``, and what the
        scan and the rewrite take from the ``ast`` (``layout``, the index's
        facts), each made by the same code as in the worker, from one ``ast``
        of the text."""
        from .read.layout import layout  # noqa: PLC0415
        from .read.text_facts import forget_last_parse, parse_or_none  # noqa: PLC0415

        try:
            try:
                facts = self.facts_from_text(source)
            except Exception:  # noqa: BLE001 - as the worker's scan: the full read decides
                facts = None
            if facts is not None:
                return ReadAhead(facts)
            text = self.text_to_parse(source)
            ahead = ReadAhead(None, text if text is not source.text else None)
            tree = parse_or_none(source.text)
            if tree is not None:
                _, module_name, package_name = module_names(source.path)
                ahead.layout = layout(tree)
                ahead.index = module_facts(source.text, source.path, module_name,
                                           package_name, tree)
            return ahead
        finally:
            forget_last_parse()  # what is kept is read from the tree; not the tree

    def text_to_parse(self, source) -> str:
        if not self.outlines_classes:
            return source.text
        from .read.outline import outline  # noqa: PLC0415
        from .read.text_facts import parse_or_none  # noqa: PLC0415

        text = source.text
        return outline(text, parse_or_none(text), hook_names(self.settings),
                       top_level=self.outlines_top_level) or text

    def is_interface(self, parsed) -> bool:
        """The runtime module (one migrate wrote, or the configured one)."""
        return RUNTIME_MARKER in parsed.source.text or (
            parsed.module_name == self.settings.interface_module)

    def _reading(self, parsed):
        """The module's reading, made once and kept with the parsed file."""
        if "migrate" not in parsed.cache:
            from .read.module_reading import read_module  # noqa: PLC0415

            parsed.cache["migrate"] = None if self.is_interface(parsed) else read_module(
                parsed.module, parsed.source.text, parsed.module_name, parsed.package_name,
                self.settings.job_methods)
        return parsed.cache["migrate"]

    def scan(self, parsed):
        reading = self._reading(parsed)
        if reading is None:
            return FileFacts()
        facts = facts_of(reading, parsed.module_name, parsed.package_name,
                         self.settings.job_methods)
        facts.root = str(parsed.root)
        ahead = parsed.source.ahead
        if facts.classes and ahead is not None:
            facts.index = ahead.index
        elif facts.classes:
            from .read.text_facts import last_tree  # noqa: PLC0415

            tree = last_tree(parsed.source.text)
            if tree is not None:
                facts.index = module_facts(parsed.source.text, parsed.path, parsed.module_name,
                                           parsed.package_name, tree)
        if reading.dispatch_entries and reading.pickling.generic_reducers and \
                not reading.readings:
            # The job pickler's rewrite resolves names over the parsed tree (a scope
            # analysis, the costliest work per byte): done here, the scan's work,
            # which the workers share; the rewrite, after the plan, only walks.
            from .write.job_pickler import resolve_names  # noqa: PLC0415

            parsed.cache["pickler_names"] = resolve_names(parsed.module, parsed.context(),
                                                          parsed.source.text)
        return facts

    def cost(self, source) -> int:
        """A job pickler's scan runs a scope analysis (above): its scan and rewrite
        are about ten times the work per byte of another file's (BuildStream's,
        measured)."""
        return len(source.text) * (10 if "dispatch_table" in source.text else 1)

    def plan(self, facts, index=None):
        return make_plan(facts, index, self.settings)

    def facts_unread(self, source) -> FileFacts:
        """A file whose scan failed is not rewritten: every job-state method it
        uses may still be called from it, and is kept."""
        from .read.pickler_facts import PicklerFacts  # noqa: PLC0415
        from .read.text_facts import names_used  # noqa: PLC0415

        root, module_name, package_name = module_names(source.path)
        refs = [(method, None) for method in sorted(
            names_used(source.text, self.settings.job_methods))]

        return FileFacts(module=module_name, package=package_name, root=str(root),
                         pickling=PicklerFacts(job_method_refs=refs))

    def settle(self, plan: Plan, outcomes) -> None:
        """A change planned together with a file that does not change as planned
        (it failed, its rewrite was refused, it is read-only) is withheld (CM104):
        say the job pickler could not be rewritten, a class that drops the
        job-state method its entry calls would break it."""
        if plan is None or not plan.ties:
            return
        by_module = {module_names(o.path)[1]: o for o in outcomes}
        failed = {module: o for module, o in by_module.items()
                  if module in plan.ties and module in plan.changing
                  and not self.changes_as_planned(o)}
        if not failed:
            return
        for module in sorted(plan.tied_to(failed)):
            outcome = by_module.get(module)
            if outcome is None or not self.changes_as_planned(outcome):
                continue
            cause = failed[min(plan.tied_to([module]) & set(failed))]
            self.withhold(outcome, finding(
                outcome.path, 1, "CM104",
                f"left as it was: its rewrite goes with that of {cause.path} "
                f"({_why_unchanged(cause)}); fix that file and run again", Severity.WARNING))

    def changes_as_planned(self, outcome: FileOutcome) -> bool:
        return outcome.status is Status.CHANGED

    def withhold(self, outcome: FileOutcome, why: Finding) -> None:
        """Leave the file as it was, saying why (``settle``)."""
        outcome.status = Status.SKIPPED
        outcome.findings.append(why)

    def has_work(self, parsed) -> bool:
        """Hooks, classes with hooks inside functions, or job-pickler entries."""
        reading = self._reading(parsed)
        return reading is not None and bool(
            reading.readings or reading.local or reading.dispatch_entries)

    def rewrites_nothing(self, parsed) -> bool:
        return not self.has_work(parsed)

    def facts_from_text(self, source) -> Optional[FileFacts]:
        """A file that defines no hook, no dispatch table and uses no interface
        name gives the scan only its references to job-state methods, which
        ``ast`` finds (read/text_facts.py); such a file has nothing to rewrite."""
        from .read.pickler_facts import PicklerFacts  # noqa: PLC0415
        from .read.text_facts import job_method_refs, needs_full_read, parse_or_none  # noqa: PLC0415

        text = source.text
        root, module_name, package_name = module_names(source.path)
        if RUNTIME_MARKER in text or module_name == self.settings.interface_module:
            return None
        tree = parse_or_none(text)
        methods = self.settings.job_methods
        if needs_full_read(text, tree, hook_names(self.settings)):
            return None
        refs = PicklerFacts(job_method_refs=job_method_refs(tree, methods, text)) \
            if any(method in text for method in methods) else PicklerFacts()
        return FileFacts(module=module_name, package=package_name, root=str(root), pickling=refs)

    def rewrite(self, parsed, plan: Plan) -> Rewrite:
        if not self.has_work(parsed):
            return Rewrite(None)
        command, new = self.run_command(parsed, plan)
        findings = list(command.findings)
        if new is parsed.module:
            return Rewrite(None, findings)  # no rule changed anything: nothing to print
        if parsed.outlined and command.removed_imports:
            # Whether an import is still used is for the whole text to say.
            return Rewrite(PARSE_WHOLE)
        from .parsing import print_rewrite, unchanged_print  # noqa: PLC0415

        text, exact = print_rewrite(parsed, new)
        if unchanged_print(parsed, text, exact):
            return Rewrite(None, findings)
        from .write.migrate_module import self_check  # noqa: PLC0415

        mismatch = self_check(text, command.written, command.policies,
                              parsed_later=parsed.outlined)
        if mismatch is not None:
            return Rewrite(None, findings + [finding(
                parsed.path, 1, "CM900",
                f"internal error: the self-check failed for class {mismatch}; "
                "file left as it was (please report this)", Severity.ERROR)])
        return Rewrite(text, findings, exact=exact)

    def run_command(self, parsed, plan: Plan, report_only: bool = False):
        from .write.migrate_module import MigrateCommand  # noqa: PLC0415

        command = MigrateCommand(parsed.context(), self.settings, plan, self._reading(parsed),
                                 parsed.source.text)
        command.report_only = report_only
        command.pickler_names = parsed.cache.get("pickler_names")
        return command, command.transform_module(parsed.module)

    def tree_changes(self, plan, outcomes, roots) -> List[FileOutcome]:
        """The interface module, written where a changed file imports it from
        when it is not there yet."""
        wanted, importers = {}, {}
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
                importers.setdefault(path, []).append(outcome.path)
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
            new.append(FileOutcome(path, Status.CHANGED, old=None, new=text, findings=findings,
                                   importers=importers[path]))
        return new


