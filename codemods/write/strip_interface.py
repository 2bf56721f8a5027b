"""The declarative interface that ``migrate`` wrote, removed again.

    @clear("_cache")                                  -> (removed)
    @custom("_re", serialize=str, deserialize=f)      -> (removed)
    class A(Base, JobSerializable):                   -> class A(Base):
        @on_restore                                   -> (removed; the method stays)
        def _init(self): ...

    class S(JobUnserializable, reason="..."):         -> class S:   (kept with keep_guards)

Interface names are recognised by what they resolve to (fully qualified
names), so ``@serialization.clear(...)`` and renamed imports count too.  The
imports they leave unused go; the interface module itself goes once nothing in
the tree imports it.
"""

from __future__ import annotations

from typing import Collection, Iterable, List, Optional, TypeVar

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import

from ..settings import Settings
from .migrate_class import INTERFACE_BASE, REFUSING_BASE
from ..read.walk import read_only_visit

CLASS_DECORATORS = frozenset({"clear", "custom"})
METHOD_DECORATORS = frozenset({"on_restore"})
REASON_KEYWORD = "reason"

Decorated = TypeVar("Decorated", cst.ClassDef, cst.FunctionDef)


def stripped_bases(settings: Settings) -> frozenset:
    """The interface bases ``strip`` removes (a refusing base is a guard)."""
    if settings.keep_guards:
        return frozenset({INTERFACE_BASE})
    return frozenset({INTERFACE_BASE, REFUSING_BASE})


def kept_interface_names(settings: Settings) -> frozenset:
    """Interface names that stay on purpose: the guards, with keep_guards."""
    return frozenset({REFUSING_BASE}) if settings.keep_guards else frozenset()


def interface_member(qualified_names: Iterable[str], interface: str) -> Optional[str]:
    """The name in the interface module ``interface`` that one of
    ``qualified_names`` refers to, if any."""
    for name in qualified_names:
        module, _, member = name.rpartition(".")
        if interface and module == interface:
            return member
    return None


def without_decorators(original: Decorated, updated: Decorated,
                       removed: Collection[cst.CSTNode]) -> Decorated:
    """``updated`` (a class or function) without the decorators of ``original``
    that are in ``removed``.  A removed decorator takes the comment lines just
    above it, except the first: the lines above it are the documentation of
    the class or function as much as the decorator's, and stay."""
    decorators = [new for old, new in zip(original.decorators, updated.decorators)
                  if old not in removed]
    if len(decorators) == len(original.decorators):
        return updated
    return updated.with_changes(decorators=decorators)


def class_without(original: cst.ClassDef, updated: cst.ClassDef,
                  removed: Collection[cst.CSTNode]) -> cst.ClassDef:
    """``updated`` without the decorators, bases and keywords of ``original``
    that are in ``removed``; ``class A:`` when no base is left."""
    updated = without_decorators(original, updated, removed)
    arguments = [new for old, new in zip([*original.bases, *original.keywords],
                                         [*updated.bases, *updated.keywords])
                 if old not in removed]
    if len(arguments) == len(original.bases) + len(original.keywords):
        return updated
    if arguments:
        last = [*original.bases, *original.keywords][-1]
        arguments[-1] = arguments[-1].with_changes(comma=last.comma)
    bases = [arg for arg in arguments if arg.keyword is None]
    keywords = [arg for arg in arguments if arg.keyword is not None]
    changes = dict(bases=bases, keywords=keywords)
    if not arguments:
        changes.update(lpar=cst.MaybeSentinel.DEFAULT, rpar=cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(**changes)


def reason_keywords(node: cst.ClassDef) -> List[cst.Arg]:
    """The ``reason=`` keywords of a class (that go with its refusing base)."""
    return [arg for arg in node.keywords
            if arg.keyword is not None and arg.keyword.value == REASON_KEYWORD]


def imports_module(module: cst.Module, package: str, dotted: str) -> bool:
    """Whether ``module`` (a file of package ``package``) imports the module
    ``dotted`` or a name from it, at any depth."""

    class Finder(cst.CSTVisitor):
        found = False

        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                name = alias.evaluated_name
                if name == dotted or name.startswith(dotted + "."):
                    self.found = True

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            source = get_absolute_module_from_package_for_import(package or None, node)
            if source is None:
                return
            if source == dotted or source.startswith(dotted + "."):
                self.found = True
            elif not isinstance(node.names, cst.ImportStar) and any(
                f"{source}.{alias.evaluated_name}" == dotted for alias in node.names
            ):
                self.found = True

    finder = Finder()
    read_only_visit(module, finder)
    return finder.found
