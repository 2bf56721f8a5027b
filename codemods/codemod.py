"""The contract between the runner and a codemod, and the parse step they share.

A codemod runs in up to two passes over the tree:

1. ``scan`` (optional, in parallel): read one parsed file, return picklable facts;
2. ``plan`` (once, in the main process): combine every file's facts into a plan,
   e.g. which classes were migrated anywhere in the tree;
3. ``rewrite`` (in parallel): rewrite one parsed file with the plan's help;
4. ``tree_changes`` (once): files added or deleted as a whole.

The rewrites themselves are libcst ``VisitorBasedCodemodCommand`` subclasses; a
codemod here only wires them to the runner.  Nothing is imported or executed
from the code being read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, List, Mapping, Sequence, Tuple

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import FullRepoManager, FullyQualifiedNameProvider

from .index import PackageRoots
from .report import FileOutcome, Finding, Severity
from .settings import Settings
from .sources import SourceFile

DELETE = object()  # a rewrite result: the file goes


def transform_fresh(transform, tree: cst.Module) -> cst.Module:
    """``transform.transform_module(tree)`` for a tree straight from the parser.

    ``Codemod.transform_module`` deep-copies the tree before computing metadata,
    in case a node object appears twice in it; a freshly parsed tree cannot
    have that, and on a large module the copy costs more than the transform.
    Use it only on a parsed tree, never on one a transform built.
    """
    context = transform.context
    cache = {}
    if context.metadata_manager is not None and context.filename:
        cache = context.metadata_manager.get_cache_for_path(context.filename)
    wrapper = cst.MetadataWrapper(tree, unsafe_skip_copy=True, cache=cache)
    previous = context.wrapper
    with transform.resolve(wrapper):
        transform.context = replace(context, wrapper=wrapper)
        try:
            return transform.transform_module_impl(wrapper.module)
        finally:
            transform.context = replace(transform.context, wrapper=previous)


def visit_with_metadata(context: CodemodContext, tree: cst.Module, visitor) -> None:
    """Run a visitor that needs metadata (fully qualified names among them)."""
    cache = {}
    if context.metadata_manager is not None and context.filename is not None:
        cache = context.metadata_manager.get_cache_for_path(context.filename)
    cst.MetadataWrapper(tree, unsafe_skip_copy=True, cache=cache).visit(visitor)


@dataclass
class ParsedFile:
    source: SourceFile
    module: cst.Module
    root: Path  # the folder that holds the file's top package
    module_name: str
    package_name: str
    # libcst's print of the untouched parse: the source itself, except where
    # libcst does not round-trip (see splice.py)
    printed: str = ""

    @property
    def path(self) -> Path:
        return self.source.path

    def context(self, **scratch: Any) -> CodemodContext:
        """A libcst context for one command run on this file, with fully
        qualified names available (``FullyQualifiedNameProvider``).  The
        path as the user gave it is ``scratch["path"]``, for findings."""
        absolute = str(self.path.resolve())
        manager = FullRepoManager(str(self.root), [absolute], providers={FullyQualifiedNameProvider})
        context = CodemodContext(
            filename=absolute,
            full_module_name=self.module_name,
            full_package_name=self.package_name,
            metadata_manager=manager,
        )
        context.scratch.update(scratch, path=self.path)
        return context


@dataclass
class Rewrite:
    """A codemod's answer for one file: new text, ``DELETE``, or None for no change."""

    text: Any = None
    findings: List[Finding] = field(default_factory=list)


_ROOTS = PackageRoots()


def module_names(path: Path) -> Tuple[Path, str, str]:
    """(the folder above the file's top package, module name, package name)."""
    return _ROOTS.names(path)


class Codemod:
    """Base of every codemod the runner knows."""

    name: ClassVar[str]
    uses_scan: ClassVar[bool] = False
    read_only: ClassVar[bool] = False  # reports only, never rewrites
    suffixes: ClassVar[Tuple[str, ...]] = (".py", ".pyi")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def prefilter(self) -> Sequence[str]:
        """Words one of which a file must contain to be parsed at all."""
        raise NotImplementedError

    def wants(self, path: Path, text: str) -> bool:
        """Whether a file is worth parsing (the cheap prefilter)."""
        return any(word in text for word in self.prefilter())

    def report_unparsed(self, source: SourceFile) -> List[Finding]:
        """Findings for a file of a kind we never rewrite (e.g. Cython)."""
        return []

    def scan(self, parsed: ParsedFile) -> Any:
        return None

    def plan(self, facts: Mapping[Path, Any], index: Any = None) -> Any:
        """``index`` is the tree's ``TreeIndex`` (classes and bases of every file)."""
        return None

    def rewrite(self, parsed: ParsedFile, plan: Any) -> Rewrite:
        raise NotImplementedError

    def tree_changes(
        self, plan: Any, outcomes: Sequence[FileOutcome], roots: Sequence[Path]
    ) -> List[FileOutcome]:
        return []


def finding(path: Path, line: int, code: str, message: str, severity=Severity.WARNING, column=0):
    return Finding(str(path), line, code, message, severity, column)


def parse(source: SourceFile) -> ParsedFile | Finding:
    """Parse ``source``, or say why it cannot be worked on.

    A file libcst does not print back byte for byte is still parsed; the runner
    then applies only the rewrite to the original text (``splice``).
    """
    path = source.path
    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as exc:
        return finding(path, exc.raw_line, "CM002", f"does not parse: {exc.message}",
                       Severity.ERROR, exc.raw_column)
    except RecursionError:
        return finding(path, 1, "CM003", "nests too deeply for the parser (RecursionError)",
                       Severity.ERROR)
    except Exception as exc:  # libcst rejects some valid syntax with other errors
        return finding(path, 1, "CM002", f"does not parse: {type(exc).__name__}: {exc}",
                       Severity.ERROR)
    try:
        printed = module.code
    except RecursionError:
        return finding(path, 1, "CM003", "nests too deeply to print back (RecursionError)",
                       Severity.ERROR)
    root, module_name, package_name = module_names(path)
    return ParsedFile(source, module, root, module_name, package_name, printed)
