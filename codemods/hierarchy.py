"""Whether a class may trade its hooks for declarations, given every class above
and below it in the tree.

A migrated class gains ``JobSerializable`` as its last base, and its hooks go.
That is only the same program if nothing else in its method resolution order,
or in its subclasses', decides how it is pickled.  The facts come from the
whole tree (``index.TreeIndex``), files without hooks included; a base the index
cannot resolve, or one from outside the tree that is not known to stay out of
pickling, makes the class refuse, with the reason as a finding.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence, Set

from .interface import RUNTIME_MARKER
from .index import (
    PICKLE_HOOKS,
    REDUCE_HOOKS,
    ClassInfo,
    External,
    TreeIndex,
    Unresolved,
    dotted_name,
)

INTERFACE_CLASSES = ("JobSerializable", "JobUnserializable")

# Classes from outside the tree that define no pickling hook, no __reduce__ family
# member and no __getstate__/__setstate__ anywhere in their MRO but object's
# (tests/test_hierarchy.py checks each on the running interpreter).  A migrated
# class may have them as bases.
SAFE_EXTERNAL_BASES = frozenset({
    "builtins.object",
    "builtins.dict",
    "builtins.list",
    "abc.ABC",
    "typing.Generic",
    *(f"collections.abc.{name}" for name in (
        "Awaitable", "AsyncIterable", "AsyncIterator", "Callable", "Collection", "Container",
        "Hashable", "ItemsView", "Iterable", "Iterator", "KeysView", "Mapping", "MappingView",
        "MutableMapping", "MutableSequence", "MutableSet", "Reversible", "Sequence", "Set",
        "Sized", "ValuesView",
    )),
})
# The same classes as the typing module re-exports them (typing.Mapping, ...).
SAFE_EXTERNAL_BASES |= {
    "typing." + name.rsplit(".", 1)[1] for name in SAFE_EXTERNAL_BASES
    if name.startswith("collections.abc.") and not name.endswith(".Set")
} | {"typing.AbstractSet", "typing.Dict", "typing.List"}
SAFE_METACLASSES = frozenset({"abc.ABCMeta", "builtins.type"})


def is_interface_class(index: TreeIndex, info, interface_modules=()) -> bool:
    """``JobSerializable``/``JobUnserializable`` of a runtime module ``migrate``
    wrote, or (outside the tree) of one of ``interface_modules``."""
    if isinstance(info, ClassInfo):
        module, short, path = info.module.name, info.short, info.path
    else:
        # External, or Unresolved where the module does not define it (a stand-in).
        dotted = info.name if isinstance(info, External) else info.target or ""
        module, _, short = dotted.rpartition(".")
        path = index.module_names.get(module)
    if short not in INTERFACE_CLASSES:
        return False
    if module in interface_modules:
        return True
    text = index.text(path) if path is not None else None
    return text is not None and RUNTIME_MARKER in text


def _names(hooks) -> str:
    return ", ".join(sorted(hooks))


class HierarchyCheck:
    """Reasons, per candidate class, why migrating it would change what its
    instances (or its subclasses') pickle to.

    ``classes`` are the scanned facts of every class with hooks (``ClassFacts``
    of migrate.py), keyed by fully qualified name; ``candidates`` those whose own
    hooks can be read into declarations."""

    def __init__(self, index: TreeIndex, classes: Mapping[str, object], job_methods: Sequence[str],
                 interface_modules=()):
        self.index = index
        self.interface_modules = frozenset(interface_modules)
        self.classes = classes
        self.job_methods = frozenset(job_methods)
        self.problems: Dict[str, List[str]] = {}

    def problem(self, name: str, reason: str) -> None:
        reasons = self.problems.setdefault(name, [])
        if reason not in reasons:
            reasons.append(reason)

    def info(self, name: str) -> Optional[ClassInfo]:
        return self.index.defined_class(name)

    def run(self, candidates: Set[str]) -> Dict[str, List[str]]:
        for name in sorted(candidates):
            info = self.info(name)
            if info is None:
                self.problem(name, "the class is defined more than once in its module (or its "
                                   "module could not be read with ast); migrate does not guess which")
                continue
            self._own(name, info)
            self._above(name, info)
            self._below(name, info)
        self._settle(candidates)
        return self.problems

    def _own(self, name: str, info: ClassInfo) -> None:
        reduce = info.defines & REDUCE_HOOKS
        if reduce:
            self.problem(name, f"it defines {_names(reduce)}, which decides its pickle; the "
                               "declarations could not express it, and JobPickler would bypass it")
        facts = self.classes[name]
        if facts.restore_how == "assign" and (
                "__new__" in info.defines or any(
                    isinstance(base, ClassInfo) and "__new__" in base.defines
                    for _, base in self.index.ancestors(info))):
            self.problem(name, "its __setstate__ replaces self.__dict__ with the state, dropping "
                               "what __new__ set; the interface updates __dict__ instead")
        if facts.restore_how not in ("", "update", "assign", "super") and len(info.bases) != 1:
            self.problem(name, f"its __setstate__ calls {facts.restore_how}.__setstate__ among "
                               "several bases; only super().__setstate__(state) is read then")
        if facts.refuses:
            metaclass = info.keywords.get("metaclass")
            if metaclass is not None and self._metaclass(info) not in SAFE_METACLASSES:
                self.problem(name, "it has a metaclass, which may not pass the reason= keyword "
                                   "of JobUnserializable on to __init_subclass__")

    def _metaclass(self, info: ClassInfo) -> Optional[str]:
        expression = info.keywords.get("metaclass")
        dotted = dotted_name(expression) if expression is not None else None
        if dotted is None:
            return None
        found = self.index.lookup_in(info.module, dotted, info.name)
        return found.name if isinstance(found, External) else None

    def _above(self, name: str, info: ClassInfo) -> None:
        own = self.classes[name]
        for owner, base in self.index.ancestors(info):
            via = "" if owner is info else f" (a base of {owner.short})"
            if is_interface_class(self.index, base, self.interface_modules):
                continue
            if isinstance(base, Unresolved):
                self.problem(name, f"its base {base.text}{via} cannot be resolved to a class of "
                                   "the tree; migrate does not guess how it takes part in pickling")
                continue
            if isinstance(base, External):
                if base.name not in SAFE_EXTERNAL_BASES:
                    self.problem(name, f"its base {base.name}{via} is outside the tree; migrate "
                                       "cannot see whether it takes part in pickling")
                continue
            short = base.short
            reduce = base.defines & REDUCE_HOOKS
            if reduce:
                self.problem(name, f"its base {short} defines {_names(reduce)}, which decides "
                                   "how it is pickled; JobPickler would bypass it")
            if own.refuses and (base.defines & {"__init_subclass__"} or "metaclass" in base.keywords):
                self.problem(name, f"its base {short} defines __init_subclass__ or a metaclass, "
                                   "which may not pass the reason= keyword of JobUnserializable on")
            hooks = (base.defines & PICKLE_HOOKS) | (base.methods & self.job_methods)
            facts = self.classes.get(base.name)
            if hooks and facts is None:
                self.problem(name, f"its base {short} defines {_names(hooks)}, which migrate "
                                   "could not read (its file was not read)")
                continue
            if facts is None:
                continue
            if facts.refuses:
                self.problem(name, f"its own hooks override the refusal of {short}, which a "
                                   "JobUnserializable base cannot express")
            if own.reads_state and facts.restores:
                self.problem(name, f"its __setstate__ reads members from the state, which "
                                   f"{short}'s @on_restore {', '.join(facts.restores)} would "
                                   "run before and may change")
            if own.has_setstate and facts.restores and own.restore_how in ("update", "assign", ""):
                self.problem(name, f"its own __setstate__ replaces {short}'s, whose @on_restore "
                                   f"{', '.join(facts.restores)} would run for it too")
            for clear in facts.clears:
                if clear.scope in own.inherits_state:
                    # Its own hook edits the base's state: the declarations add up, as long
                    # as it does not edit a member the base already declares.
                    if any(c.member == clear.member and c.scope == clear.scope
                           for c in own.clears):
                        self.problem(name, f"its own hook edits {clear.member!r} again after "
                                           f"{short} declared it; one declaration must win")
                elif clear.scope in own.scopes and not any(
                        c.member == clear.member and c.scope == clear.scope for c in own.clears):
                    self.problem(name, f"its own hook keeps {clear.member!r}, which the "
                                       f"declaration inherited from {short} would drop")
                elif own.scopes and clear.scope not in own.scopes:
                    self.problem(name, f"its own hook builds the {'/'.join(own.scopes)} state "
                                       f"without the {clear.scope} declaration of {clear.member!r} "
                                       f"it inherits from {short}; the job state would apply both")

    def _below(self, name: str, info: ClassInfo) -> None:
        """Subclasses need no check but this one: JobPickler's generic rule leaves
        alone a class whose pickling it does not decide (a hand-written
        ``__getstate__`` or ``__reduce__`` below), as the old job pickler did."""
        if self.classes[name].refuses:
            overriding = sorted(
                sub.short for sub in self.index.subclasses(info)
                if (sub.defines & PICKLE_HOOKS) or (sub.methods & self.job_methods))
            if overriding:
                self.problem(name, f"subclasses {', '.join(overriding)} override the refusal "
                                   "with their own hooks, which a JobUnserializable base would "
                                   "not allow")

    def _next_is_interface(self, info: ClassInfo, migrated: Set[str]) -> bool:
        """Whether the base's hooks that super() reaches are JobSerializable's: some
        ancestor is, or becomes, JobSerializable (and none keeps hand-written hooks,
        which _settle checks on its own)."""
        for _, base in self.index.ancestors(info):
            if is_interface_class(self.index, base, self.interface_modules):
                return True
            if isinstance(base, ClassInfo) and (
                    base.name in migrated or getattr(self.classes.get(base.name),
                                                     "has_interface", False)):
                return True
        return False

    def _settle(self, candidates: Set[str]) -> None:
        """A class whose base keeps hand-written hooks stays too; repeat until
        nothing changes."""
        changed = True
        while changed:
            changed = False
            migrated = candidates - set(self.problems)
            for name in sorted(migrated):
                info = self.info(name)
                own = self.classes[name]
                for _, base in self.index.ancestors(info):
                    if not isinstance(base, ClassInfo) or base.name in migrated:
                        continue
                    if is_interface_class(self.index, base, self.interface_modules):
                        continue
                    kept = base.defines & PICKLE_HOOKS
                    shadowed = base.methods & set(own.deleted_job_methods)
                    if kept:
                        self.problem(name, f"its base {base.short} keeps a hand-written "
                                           f"{_names(kept)}, which comes before JobSerializable's "
                                           "in the method resolution order")
                    if shadowed:
                        self.problem(name, f"its base {base.short} keeps its own "
                                           f"{_names(shadowed)}, which calls would reach once "
                                           "the class's own is removed")
                if (own.inherits_state or own.restore_how not in ("", "update", "assign")) and \
                        not self._next_is_interface(info, migrated):
                    self.problem(name, "its hooks call the base's (super().__getstate__() or "
                                       "__setstate__), which is not JobSerializable's: for object "
                                       "since Python 3.11, __getstate__ returns self.__dict__ "
                                       "itself, which the edits change")
                if name in self.problems:
                    changed = True
