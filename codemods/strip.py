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
- start methods (``read/start_method.py``, with the standard library's ``ast``):
  no rewrite, findings only: processes must start with ``fork`` once nothing is
  pickled for them, so a tree that does not force it and every place that can
  select another start method are reported.  A file that needs only this
  reading is never parsed with libcst.

Imports that only removed code used go too.  What ``strip`` cannot remove
safely is left as it was and reported (codes CM201-CM211).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Dict, FrozenSet, List, Mapping, Optional, Tuple

from .codemod import DELETE, Codemod, ReadAhead, Rewrite, finding, module_names
from .interface import DEFAULT_NAME
from .report import FileOutcome, Finding, Status
from .sources import SourceFile
from .read.text_facts import names_used
from .strip_words import JOB_PICKLER, hook_names, needs_reading

if TYPE_CHECKING:
    from .parsing import ParsedFile
    from .start_method_facts import StartMethodFacts

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
# CM209-CM211: start methods (read/start_method.py)

DEF_KEYWORDS = ("def", "cdef", "cpdef")  # the Cython forms too
PICKLER_CALLEE_SUFFIXES = (".py", ".pyx")


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
    # path -> the job-state methods and predicates whose definitions its rewrite removes
    definers: Dict[Path, FrozenSet[str]] = field(default_factory=dict)


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
        return self._mentions(text) or needs_reading(text) or INTERFACE_MARKER in text

    def rewrite_wants(self, path: Path, text: str, plan: Plan) -> bool:
        return bool(plan.picklers) and (
            module_names(path)[1] in plan.picklers or self._may_use_picklers(path, text, plan))

    def _may_use_picklers(self, path: Path, text: str, plan: Plan) -> bool:
        return self._mentions(text, plan.picklers) or _inside_pickler_package(path, text, plan)

    def _mentions(self, text: str, picklers: Collection[str] = ()) -> bool:
        words = (*self.prefilter(), *(name.rpartition(".")[2] for name in picklers))
        return any(word in text for word in words)

    def report_unparsed(self, source: SourceFile) -> List[Finding]:
        names = (*hook_names(self.settings), *self.settings.pickling_predicates)
        return [finding(source.path, line, CYTHON_HOOK,
                        f"{name}() is a job-pickling hook in a Cython file, which strip "
                        "does not rewrite: remove it by hand", column=column)
                for line, column, name in definitions(source.text, names)]

    def __init__(self, settings) -> None:
        super().__init__(settings)
        self._uses_cache: Dict[Tuple[Path, Status], FrozenSet[str]] = {}

    def preload(self) -> None:
        from .write import strip_module  # noqa: F401, PLC0415

    def facts_unread(self, source: SourceFile) -> FileFacts:
        """A file whose scan failed is not rewritten: every predicate it uses may
        still be called there, and its definition stays."""
        from .interface import interface_for  # noqa: PLC0415

        _, module_name, package_name = module_names(source.path)
        interface = interface_for(source.path, module_name, package_name,
                                  self.settings.interface_module)
        return FileFacts(module_name, interface, predicates_used=frozenset(
            names_used(source.text, self.predicates())))

    def start_method(self, text: str) -> Optional["StartMethodFacts"]:
        """What the file does about start methods, read with ``ast`` where its
        text could select one (None where it cannot)."""
        if not needs_reading(text):
            return None
        from .read.start_method import read_start_method  # noqa: PLC0415
        from .read.text_facts import parse_or_none  # noqa: PLC0415

        return read_start_method(text, parse_or_none(text), self.predicates())

    def _names_what_strip_rewrites(self, text: str) -> bool:
        """A dispatch table, the ``JobPickler`` or a predicate: libcst parses the file."""
        return any(word in text for word in ("dispatch_table", JOB_PICKLER, *self.predicates()))

    def read_ahead(self, source: SourceFile) -> Optional[ReadAhead]:
        """``facts_from_text``'s answer, where it has one (strip's scan and
        rewrite of a file libcst parses read its ``ast`` throughout).  A file
        whose text shows it will need libcst is not read here: it would be read
        for nothing (the worker, given nothing, reads it itself)."""
        from .strip_words import defines_any  # noqa: PLC0415

        text = source.text
        if self._mentions(text) and (self._names_what_strip_rewrites(text)
                                     or defines_any(text, hook_names(self.settings))):
            return None
        from .read.text_facts import forget_last_parse  # noqa: PLC0415

        try:
            facts = self.facts_from_text(source)
        except Exception:  # noqa: BLE001 - as the worker's scan: the full read decides
            return None
        finally:
            forget_last_parse()  # the facts are kept; not the tree
        return ReadAhead(facts) if facts is not None else None

    def facts_from_text(self, source: SourceFile) -> Optional[FileFacts]:
        """A file whose ``ast`` shows nothing strip would remove or change in it
        whatever the plan (no hook or predicate defined, no predicate, job pickler
        or ``JobPickler`` named, the interface imported nowhere: it only may select
        a start method, calls hooks, or names the interface in a comment) is read
        with ``ast`` alone; libcst parses it only if the plan gives it work."""
        from .interface import interface_for  # noqa: PLC0415
        from .read.text_facts import defines_hook, mentions_in_code, parse_or_none  # noqa: PLC0415

        text = source.text
        _, module_name, package_name = module_names(source.path)
        interface = interface_for(source.path, module_name, package_name,
                                  self.settings.interface_module)
        tree = parse_or_none(text)
        if module_name in (interface, self.settings.pickler_module) or tree is None:
            return None
        if self._mentions(text) and (
                self._names_what_strip_rewrites(text)
                or defines_hook(tree, set(hook_names(self.settings)))
                or mentions_in_code(text, [interface.rpartition(".")[2]])):
            return None
        return FileFacts(module_name, interface, start_method=self.start_method(text))

    def outcome_unparsed(self, source: SourceFile, plan: Plan) -> Optional[FileOutcome]:
        """A file read from its text alone changes, or gets findings of its own, only
        where it has a word of the plan's (a hook removed elsewhere that it calls, a
        job pickler found by its shape): it is then parsed after all.  Else its
        findings are those the plan has on its start methods."""
        text = source.text
        if self._may_use_picklers(source.path, text, plan) and \
                self._plan_reaches(source.path, text, plan):
            return None
        findings = list(plan.start_method_findings.get(source.path, ()))
        return FileOutcome(source.path, Status.SKIPPED if findings else Status.UNCHANGED,
                           old=source.text, encoding=source.encoding, findings=findings,
                           digest=source.digest)

    def scan(self, parsed: "ParsedFile") -> FileFacts:
        from .write.strip_module import scan_file  # noqa: PLC0415 - libcst once parsed

        facts = parsed.cache["strip facts"] = scan_file(self, parsed)
        return facts

    # Whether rewrite passes over a file whose scan found nothing strip would
    # change or report in it (the prefilter test turns this off to compare).
    skips_files_without_work = True
    # Whether the rewrite skips the definitions that hold none of the words its
    # rules act on (write/pruning.py; the prefilter test turns this off too).
    prunes_definitions = True

    def _has_work(self, parsed: "ParsedFile", plan: Plan) -> bool:
        """Hooks or predicates defined here, the interface imported, or a word of
        what strip removes elsewhere (a removed name, a predicate, a pickler)."""
        facts = parsed.cache.get("strip facts")
        if facts is None or not self.skips_files_without_work:
            return True
        text = parsed.source.text
        return bool(facts.removed or facts.imports_interface
                    or self._plan_reaches(parsed.path, text, plan))

    def _plan_reaches(self, path: Path, text: str, plan: Plan) -> bool:
        """Whether the plan can give a file work that its own facts do not: it
        mentions a hook or predicate removed somewhere, a predicate or a job
        pickler, or sits in a job pickler's package with a relative import."""
        words = (*plan.removed, *self.predicates(),
                 *(name.rpartition(".")[2] for name in plan.picklers))
        return any(word in text for word in words) or _inside_pickler_package(path, text, plan)

    def plan(self, facts: Mapping[Path, FileFacts], index=None) -> Plan:
        self._uses_cache = {}  # of this run's outcomes
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
            start_method_findings=self._start_method_findings(facts, picklers),
            definers={path: names for path, names in (
                (path, f.removed & self._job_names()) for path, f in facts.items()) if names},
        )

    def _job_names(self) -> FrozenSet[str]:
        return frozenset({*self.settings.job_methods, *self.predicates()})

    def settle(self, plan: Plan, outcomes) -> bool:
        """The files that would remove the definition of a job-state method or
        predicate some file will still use (``_uses``: a file left as it was, or
        a call strip kept, CM202) are left as they were too (CM104), until
        nothing more changes.  True when it held one back."""
        if plan is None or not plan.definers:
            return False
        held_any = False
        while True:
            used: Dict[str, Path] = {}
            for outcome in outcomes:
                for name in sorted(self._uses(outcome)):
                    used.setdefault(name, outcome.path)
            held = False
            for outcome in outcomes:
                names = plan.definers.get(outcome.path, frozenset()) & set(used)
                if outcome.status is not Status.CHANGED or not names:
                    continue
                cause = used[min(names)]
                why = sorted({f.code for o in outcomes if o.path == cause for f in o.findings
                              if f.code != "CM104"})
                outcome.status = Status.SKIPPED
                outcome.findings.append(finding(
                    outcome.path, 1, "CM104",
                    f"left as it was: it defines {', '.join(sorted(names))}, which {cause} "
                    f"({', '.join(why) or 'left as it was'}) would still use; fix that use "
                    "and run again"))
                held = held_any = True
            if not held:
                return held_any

    def _uses(self, outcome: FileOutcome) -> FrozenSet[str]:
        """The job-state methods and predicates a file will still use: a rewritten
        file the job-state methods whose calls it kept (predicates still used keep
        their definitions already, by the plan); a file left as it was, all."""
        key = (outcome.path, outcome.status)
        if key not in self._uses_cache:
            if outcome.status is Status.CHANGED:
                names, text = self.settings.job_methods, outcome.new
            elif outcome.status in (Status.FAILED, Status.SKIPPED):
                names, text = self._job_names(), outcome.old
                if text is None:
                    try:
                        text = outcome.path.read_text(encoding="utf-8", errors="replace")
                    except OSError:
                        text = None
            else:
                names, text = (), None
            self._uses_cache[key] = frozenset(names_used(text or "", names))
        return self._uses_cache[key]

    def _start_method_findings(self, facts: Mapping[Path, FileFacts],
                               picklers: Collection[str]) -> Dict[Path, List[Finding]]:
        if not facts:
            return {}  # nothing was parsed: no libcst to load
        from .start_method_facts import start_method_findings  # noqa: PLC0415

        return start_method_findings(
            {path: f.start_method for path, f in facts.items()
             if f.start_method is not None and f.module_name not in picklers},
            self._job_pickling(facts, picklers))

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
        if not self._may_use_picklers(parsed.path, parsed.source.text, plan) or \
                not self._has_work(parsed, plan):
            return Rewrite(None)
        from .write.strip_module import strip_file  # noqa: PLC0415

        return strip_file(self, parsed, plan)

    def _pickler_callees(self, parsed: "ParsedFile", plan: Plan) -> List[Finding]:
        from .write.strip_module import pickler_callees  # noqa: PLC0415

        return pickler_callees(self, parsed, plan)

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
            from .write.strip_module import still_imports  # noqa: PLC0415

            if not any(still_imports(by_path.get(p), dotted) for p in importers):
                outcome.status, outcome.new = Status.CHANGED, None
        self._keep_deletions_others_need(outcomes, roots)
        # A job pickler kept after all still calls what it called: hold back the files
        # that remove it, and so on, until nothing more is kept.
        while self.settle(plan, outcomes):
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
        texts = {}
        for path in others:
            try:
                texts[path] = path.read_text(encoding="utf-8", errors="replace")
            except OSError:  # a link to nothing, an unreadable file: reported already
                continue
        for outcome in deleted:
            stem = outcome.path.stem
            package = outcome.path.parent.resolve() if outcome.path.name == "__init__.py" else None
            users = [path for path, text in texts.items()
                     if path.resolve() != outcome.path.resolve() and (stem in text or (
                         package is not None and package in path.resolve().parents
                         and _RELATIVE_IMPORT.search(text)))]
            if users:
                outcome.status = Status.SKIPPED
                outcome.findings.append(finding(
                    outcome.path, 1, KEPT_FOR_OTHERS,
                    f"not deleted: {len(users)} file(s) that strip did not rewrite mention "
                    f"{stem!r} (first: {users[0]})"))


_RELATIVE_IMPORT = re.compile(r"\bfrom\s+\.")


def _inside_pickler_package(path: Path, text: str, plan: Plan) -> bool:
    """A module inside a job pickler that is a package (its ``__init__``) with a
    relative import: ``from . import pickle_job`` uses the pickler without
    naming it."""
    if not plan.picklers or not _RELATIVE_IMPORT.search(text):
        return False
    package = module_names(path)[2]
    return any(package == pickler or package.startswith(pickler + ".")
               for pickler in plan.picklers)


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


def module_file(root: Path, dotted: str) -> Optional[Path]:
    """The file of module ``dotted`` in the tree under ``root``, if it has one."""
    if not dotted:
        return None
    base = root.joinpath(*dotted.split("."))
    for suffix in PICKLER_CALLEE_SUFFIXES:
        if base.with_suffix(suffix).is_file():
            return base.with_suffix(suffix)
    return None

