"""Four costs of libcst that depend on nothing a run reads, cut.

1. Importing ``libcst.matchers`` (see ``import_matchers``), and the hashing of
   ``typing``'s aliases while libcst loads (see ``typing_hashes_kept``).

2. A per-class cache for what libcst's matcher-aware visitors gather when made.

3. ``AddImportsVisitor``'s first pass walking every node of the imports it is
   given, to read them from ``Module.body`` when it leaves the module (see
   ``_top_imports_read_from_the_body``).

Every ``MatcherDecoratableTransformer`` and ``MatcherDecoratableVisitor`` (each
codemod command, ``AddImportsVisitor``, ``RemoveImportsVisitor`` and the
gatherers they make) scans ``dir(self)``, some 600 attributes, three times when
it is created, looking for ``@m.visit``/``@m.leave``/``@m.call_if_inside``
decorations: about 9 ms per object, and a run over a tree makes several per
file.  What it finds depends on the class alone, so it is found once per class
here and bound to each new object.  ``install`` is a no-op where libcst's
internals differ from what this expects; tests/test_libcst_speed.py checks that
the cached answers equal libcst's own for every visitor class the codemods make.

Even once per class, a gathering took about 11 ms, paid by every worker for
every class it uses: libcst's gatherers now run unchanged, but over the names
that can add something (``_restricted``), not the 1,600 plain ``visit_*`` and
``leave_*`` methods of libcst's visitor classes.
"""

from __future__ import annotations

import contextlib
import sys
import typing
from types import FunctionType, MethodType
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Tuple

_NAMES = ("_gather_matchers", "_gather_constructed_visit_funcs",
          "_gather_constructed_leave_funcs")


class _NoSignature:
    """What ``import_matchers`` gives ``dataclasses`` for a matcher class's
    signature: printed, nothing."""

    def __str__(self) -> str:
        return ""


def import_matchers() -> None:
    """Import ``libcst.matchers`` (which ``libcst.codemod`` imports), without the
    docstrings ``dataclasses`` writes for its classes.

    The module defines some 175 dataclasses without a docstring, and for each
    ``dataclasses`` prints ``inspect.signature(cls)`` into one: the repr of
    every field's annotation, large ``Union`` types of matchers.  That is a
    third of the import's time (about 0.1 s, twice a run: once per worker).
    While the module loads, ``inspect.signature`` answers an empty signature for
    its classes that have no docstring yet; each such class's ``__doc__`` is
    then its name alone.  Every other call is passed on, and the function is
    put back afterwards.  Nothing is done when the module is loaded already."""
    if "libcst.matchers" in sys.modules:
        return
    import inspect  # noqa: PLC0415

    original = inspect.signature

    def signature(obj, *args, **kwargs):
        if isinstance(obj, type) and obj.__module__ == "libcst.matchers" \
                and not vars(obj).get("__doc__"):
            return _NoSignature()
        return original(obj, *args, **kwargs)

    inspect.signature = signature
    try:
        import libcst.matchers  # noqa: F401, PLC0415
    finally:
        inspect.signature = original


# typing's alias classes whose hash is computed from their arguments, each time.
_HASHED_ALIASES = ("_GenericAlias", "_UnionGenericAlias")


@contextlib.contextmanager
def typing_hashes_kept() -> Iterator[None]:
    """Inside the block, each ``typing`` alias (``List[X]``, ``Union[...]``)
    computes its hash once.

    libcst's annotations build unions of unions of node types, and ``typing``
    caches every subscription (``Union[...]``, ``Sequence[...]``) by hashing its
    arguments; an alias hashes its own arguments again at each call (a union
    makes a ``frozenset`` of them), so each lookup rehashed the whole nest.
    That was a third of importing ``libcst.matchers`` (about 0.04 s of each
    run).  An alias cannot change once made, so its hash is kept, with the
    alias itself, until the block ends, and each class gets its own
    ``__hash__`` back.  Where a class is missing or not as expected (another
    Python), it is left alone."""
    kept: Dict[int, Tuple[object, int]] = {}
    replaced: List[Tuple[type, Callable[[object], int]]] = []
    for name in _HASHED_ALIASES:
        cls = getattr(typing, name, None)
        original = vars(cls).get("__hash__") if isinstance(cls, type) else None
        if type(original) is not FunctionType:
            continue

        def kept_hash(alias: object, original: Callable[[object], int] = original) -> int:
            found = kept.get(id(alias))
            if found is None or found[0] is not alias:
                found = kept[id(alias)] = (alias, original(alias))
            return found[1]

        kept_hash.original = original  # type: ignore[attr-defined]
        cls.__hash__ = kept_hash  # type: ignore[assignment]
        replaced.append((cls, original))
    try:
        yield
    finally:
        for cls, original in replaced:
            cls.__hash__ = original  # type: ignore[assignment]
        kept.clear()


# The attributes libcst's matcher decorators set on a function (libcst.matchers._decorators).
_DECORATION_ATTRS = ("_call_if_inside_matcher", "_call_if_not_inside_matcher", "_visit_matcher",
                     "_leave_matcher")
_inert_by_class: Dict[type, FrozenSet[str]] = {}
# Per class of an MRO: the names of its own plain undecorated functions, and of all
# its other attributes (libcst's visitor bases, shared by every visitor class, have
# 1,600 of the first kind: read once, not once per visitor class).
_own_by_class: Dict[type, Tuple[FrozenSet[str], FrozenSet[str]]] = {}


def _own(klass: type) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    found = _own_by_class.get(klass)
    if found is None:
        plain = frozenset(
            name for name, value in vars(klass).items() if type(value) is FunctionType
            and not any(hasattr(value, attr) for attr in _DECORATION_ATTRS))
        found = _own_by_class[klass] = (plain, frozenset(vars(klass)) - plain)
    return found


def _inert(cls: type) -> FrozenSet[str]:
    """The names under which objects of ``cls`` find a plain function of a class
    with no matcher decoration: each gatherer takes such an attribute (a bound
    method), reads the decorations off it and finds none."""
    inert = _inert_by_class.get(cls)
    if inert is None:
        names: set = set()
        for klass in reversed(cls.__mro__):  # the first class in the MRO wins
            plain, other = _own(klass)
            names -= other
            names |= plain
        inert = _inert_by_class[cls] = frozenset(names)
    return inert


def _restricted(original: Callable[[object], Dict], obj: object) -> Dict:
    """``original(obj)``, libcst's gatherer as it is, with the names it walks
    (``dir(obj)``, sorted) less the inert ones: the same answer, in the same
    order.  The gatherer's module is given a ``dir`` of its own for the call,
    which shadows the builtin; where anything is unusual (the gatherer is not
    the module's, the class has its own attribute lookup), it runs unchanged."""
    from libcst.matchers import _visitors  # noqa: PLC0415

    cls = type(obj)
    if getattr(original, "__globals__", None) is not vars(_visitors) or "dir" in vars(_visitors) \
            or cls.__getattribute__ is not object.__getattribute__:
        return original(obj)
    inert = _inert(cls)
    own = getattr(obj, "__dict__", {})

    def restricted_dir(target: object) -> List[str]:
        names = dir(target)
        if target is not obj:
            return names
        return [name for name in names if name not in inert or name in own]

    _visitors.dir = restricted_dir  # type: ignore[attr-defined]
    try:
        return original(obj)
    finally:
        del _visitors.dir  # type: ignore[attr-defined]


def _cached_matchers(original: Callable[[object], Dict]) -> Callable[[object], Dict]:
    cache: Dict[type, Dict] = {}

    def gather(obj: object) -> Dict:
        found = cache.get(type(obj))
        if found is None:
            found = cache[type(obj)] = dict(_restricted(original, obj))
        return dict(found)

    gather.original = original  # type: ignore[attr-defined]
    return gather


def _cached_functions(original: Callable[[object], Dict]) -> Callable[[object], Dict]:
    cache: Dict[type, Dict[Any, Tuple[Callable, ...]]] = {}

    def gather(obj: object) -> Dict:
        functions = cache.get(type(obj))
        if functions is None:
            found = _restricted(original, obj)
            if any(getattr(f, "__self__", None) is not obj for fs in found.values() for f in fs):
                return found  # not plain methods of the class: nothing to cache
            functions = cache[type(obj)] = {
                matcher: tuple(f.__func__ for f in fs) for matcher, fs in found.items()}
        return {matcher: tuple(MethodType(f, obj) for f in fs)
                for matcher, fs in functions.items()}

    gather.original = original  # type: ignore[attr-defined]
    return gather


def _top_imports_read_from_the_body() -> bool:
    """``AddImportsVisitor.visit_Module`` first runs
    ``_GatherTopImportsBeforeStatements`` over the module, a visitor whose only
    callback is ``leave_Module``: it reads the imports from ``Module.body``
    there, yet libcst walks every node below first (with a matcher-aware
    visitor, about 10 µs a node: 19 ms for BuildStream's ``element.py``, whose
    imports are 1,800 nodes).  The same class, with a ``visit_Module`` that
    does not go below the module, takes its place in libcst's module; where the
    class is not there, or has a callback besides ``leave_Module`` (a libcst
    that reads more in its walk), nothing is changed.  True when in place."""
    try:
        from libcst.codemod.visitors import _add_imports  # noqa: PLC0415
    except ImportError:
        return False
    gatherer = getattr(_add_imports, "_GatherTopImportsBeforeStatements", None)
    if not isinstance(gatherer, type):
        return False
    if getattr(gatherer, "reads_the_body_only", False):
        return True
    callbacks = {name for klass in gatherer.__mro__ if klass.__module__.startswith("libcst.codemod")
                 for name in vars(klass) if name.startswith(("visit", "leave", "on_"))}
    if callbacks != {"leave_Module"}:
        return False

    class TopImports(gatherer):  # type: ignore[misc, valid-type]
        __doc__ = gatherer.__doc__
        reads_the_body_only = True

        def visit_Module(self, node) -> bool:
            return False  # leave_Module reads node.body: nothing below is visited for it

    TopImports.__name__ = TopImports.__qualname__ = gatherer.__name__
    TopImports.__module__ = gatherer.__module__
    TopImports.original = gatherer  # type: ignore[attr-defined]
    _add_imports._GatherTopImportsBeforeStatements = TopImports
    return True


def install() -> bool:
    """Cache the three gatherers in ``libcst.matchers._visitors``, and have
    ``AddImportsVisitor`` read the imports without walking them; True when the
    gatherers are cached."""
    _top_imports_read_from_the_body()
    try:
        from libcst.matchers import _visitors  # noqa: PLC0415
    except ImportError:
        return False
    if not all(callable(getattr(_visitors, name, None)) for name in _NAMES):
        return False
    if hasattr(_visitors._gather_matchers, "original"):
        return True  # installed already
    _visitors._gather_matchers = _cached_matchers(_visitors._gather_matchers)
    _visitors._gather_constructed_visit_funcs = _cached_functions(
        _visitors._gather_constructed_visit_funcs)
    _visitors._gather_constructed_leave_funcs = _cached_functions(
        _visitors._gather_constructed_leave_funcs)
    return True
