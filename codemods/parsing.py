"""Parsing a file with libcst, and the steps that run on a parsed file.

Only worker code (workers.py) and the codemods' own modules import this: a
run whose files all fail the text prefilter never loads libcst.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Optional, Tuple

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import FullRepoManager, FullyQualifiedNameProvider

from .codemod import DELETE, PARSE_WHOLE, finding, module_names
from .report import FileOutcome, Finding, Severity, Status
from .sources import SourceFile
from .libcst_speed import install as _install_libcst_speed
from .read.walk import install as _install_read_only_visit
from .splice import splice, splice_outline

_install_libcst_speed()  # matcher-aware visitors made once per class, not per object
_install_read_only_visit()  # visitors walk without rebuilding the tree (read/walk.py)


def transform_fresh(transform, tree: cst.Module, wrapper=None) -> cst.Module:
    """``transform.transform_module(tree)`` for a tree straight from the parser.

    ``Codemod.transform_module`` deep-copies the tree before computing metadata,
    in case a node object appears twice in it; a freshly parsed tree cannot
    have that, and on a large module the copy costs more than the transform.
    Use it only on a parsed tree, never on one a transform built.  ``wrapper``,
    one made over that tree already (by a scan), brings the metadata it resolved;
    or one made over a copy of it that lacks the bodies of the definitions the
    transform skips (``write/pruning.py``): their other nodes are the tree's own.
    """
    context = transform.context
    if wrapper is None:
        wrapper = metadata_wrapper(tree, context)
    previous = context.wrapper
    with transform.resolve(wrapper):
        transform.context = replace(context, wrapper=wrapper)
        try:
            return transform.transform_module_impl(tree)
        finally:
            transform.context = replace(transform.context, wrapper=previous)


def metadata_wrapper(tree: cst.Module, context: CodemodContext) -> cst.MetadataWrapper:
    """A wrapper over the parsed tree itself (no copy), with the context's
    caches (fully qualified names need the file's module name)."""
    cache = {}
    if context.metadata_manager is not None and context.filename:
        cache = context.metadata_manager.get_cache_for_path(context.filename)
    return cst.MetadataWrapper(tree, unsafe_skip_copy=True, cache=cache)


def visit_with_metadata(context: CodemodContext, tree: cst.Module, visitor) -> None:
    """Run a visitor that needs metadata (fully qualified names among them)."""
    metadata_wrapper(tree, context).visit(visitor)


@dataclass
class ParsedFile:
    source: SourceFile
    module: cst.Module
    root: Path  # the folder that holds the file's top package
    module_name: str
    package_name: str
    # what a codemod's scan learnt of the file, for its rewrite in the same process
    cache: dict = field(default_factory=dict)
    # parsed from an outline of the text (Codemod.text_to_parse), not the text itself
    outlined: bool = False
    # the outline parsed (read/outline.py), where ``outlined``
    outline: Optional[str] = None

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def text(self) -> str:
        """The text libcst parsed: the outline, or the source itself."""
        return self.outline if self.outline is not None else self.source.text

    @property
    def printed(self) -> str:
        """libcst's print of the untouched parse: the source itself, except where
        libcst does not round-trip (see splice.py).  Printed when first asked
        for: only a file whose rewrite made new text needs it."""
        if "printed" not in self.cache:
            self.cache["printed"] = self.module.code
        return self.cache["printed"]

    @property
    def layout(self):
        """The statements of the source as ``ast`` reads them (write/reprint.py);
        None where ``ast`` cannot read it.  Kept from the parse when the scan had
        the ``ast`` at hand."""
        if "layout" not in self.cache:
            from .read.text_facts import parse_or_none  # noqa: PLC0415
            from .read.layout import layout  # noqa: PLC0415

            tree = parse_or_none(self.source.text)
            self.cache["layout"] = layout(tree) if tree is not None else None
        return self.cache["layout"]

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


def print_rewrite(parsed: ParsedFile, new: cst.Module) -> Tuple[str, bool]:
    """The rewritten module's text, and whether it is exact: the source with only
    the rewrite's changes, each kept statement's lines taken from the source
    (write/reprint.py).  Not exact: libcst's print of the whole module, which
    ``rewrite_parsed`` applies to the source (``splice``)."""
    from .write.reprint import reprint  # noqa: PLC0415

    if new is not parsed.module:
        # An outline keeps every statement of the text that reprint takes lines for
        # on its lines (only method bodies become one statement each): its layout is
        # the text's, and reprint proves it, printing the untouched outline back.
        shared = reprint(parsed.module, new, parsed.text, parsed.layout)
        if shared is not None:
            return shared, True
    return new.code, False


def unchanged_print(parsed: ParsedFile, text: str, exact: bool) -> bool:
    """Whether ``print_rewrite``'s text is what libcst parsed, as it was."""
    return text == (parsed.text if exact else parsed.printed)


def parse(source: SourceFile, text: str | None = None) -> ParsedFile | Finding:
    """Parse ``source`` (or ``text``, what the codemod parses of it), or say why
    it cannot be worked on.

    A file libcst does not print back byte for byte is still parsed; the runner
    then applies only the rewrite to the original text (``splice``).
    """
    path = source.path
    try:
        module = cst.parse_module(source.text if text is None else text)
    except cst.ParserSyntaxError as exc:
        return finding(path, exc.raw_line, "CM002", f"does not parse: {exc.message}",
                       Severity.ERROR, exc.raw_column)
    except RecursionError:
        return finding(path, 1, "CM003", "nests too deeply for the parser (RecursionError)",
                       Severity.ERROR)
    except Exception as exc:  # libcst rejects some valid syntax with other errors
        return finding(path, 1, "CM002", f"does not parse: {type(exc).__name__}: {exc}",
                       Severity.ERROR)
    root, module_name, package_name = module_names(path)
    outlined = text is not None and text != source.text
    parsed = ParsedFile(source, module, root, module_name, package_name, outlined=outlined,
                        outline=text if outlined else None)
    from .read.text_facts import last_tree  # noqa: PLC0415
    from .read.layout import layout  # noqa: PLC0415

    tree = last_tree(source.text)
    if tree is not None:  # the scan's: its statements are kept for the rewrite
        parsed.cache["layout"] = layout(tree)
    elif source.ahead is not None and source.ahead.layout is not None:  # read by the runner
        parsed.cache["layout"] = source.ahead.layout
    return parsed


def guarded(function: Callable, parsed: ParsedFile, *args):
    """Run a codemod step; a crash in it becomes an internal-error finding for
    that file, never the end of the run."""
    try:
        return function(parsed, *args)
    except RecursionError:
        return finding(parsed.path, 1, "CM003",
                       "nests too deeply to rewrite (RecursionError); left as it was",
                       Severity.ERROR)
    except ImportError as exc:
        if not _from_fully_qualified_names(exc):
            return _internal_error(function, parsed, exc)
        return _relative_import_above_package(parsed)
    except Exception as exc:  # noqa: BLE001 - reported, and the run goes on
        return _internal_error(function, parsed, exc)


def _internal_error(function: Callable, parsed: ParsedFile, exc: Exception) -> Finding:
    owner = getattr(function, "__self__", None)
    return finding(parsed.path, 1, "CM900",
                   f"internal error in {getattr(owner, 'name', 'codemod')}: "
                   f"{type(exc).__name__}: {exc}; left as it was", Severity.ERROR)


def _from_fully_qualified_names(exc: ImportError) -> bool:
    """Whether libcst's ``FullyQualifiedNameProvider`` raised it: a relative import
    with more dots than the file's package has levels."""
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    return frame is not None and \
        frame.tb_frame.f_globals.get("__name__") == "libcst.metadata.name_provider"


def _relative_import_above_package(parsed: ParsedFile) -> Finding:
    from .read.text_facts import parse_or_none, relative_imports_above  # noqa: PLC0415

    package = parsed.package_name
    found = relative_imports_above(parse_or_none(parsed.source.text), package)
    line, column, text = found[0] if found else (1, 0, "")
    where = f"the relative import `{text}`" if text else "a relative import"
    top = package.split(".")[0] if package else ""
    above = f"{top}, the file's top package (the folder above it has no __init__.py)" \
        if top else "the file's folder, which has no __init__.py"
    return finding(parsed.path, line, "CM012",
                   f"{where} reaches above {above}: its names cannot be resolved; left as "
                   "it was", Severity.ERROR, column)


def _printed(parsed: ParsedFile) -> str:
    return parsed.printed


def rewrite_parsed(codemod, plan, parsed: ParsedFile) -> Optional[FileOutcome]:
    """The outcome of rewriting one parsed file: the new text applied only where
    a rule changed something (see splice.py), with its findings.  None where the
    file was parsed from an outline and its rewrite does not apply cleanly to the
    text: the caller parses the text whole and rewrites that."""
    path, source = parsed.path, parsed.source
    result = guarded(codemod.rewrite, parsed, plan)
    if isinstance(result, Finding):
        return FileOutcome(path, Status.FAILED, findings=[result])
    if result.text is PARSE_WHOLE:
        return None
    outcome = FileOutcome(path, Status.UNCHANGED, old=source.text, encoding=source.encoding,
                          findings=list(result.findings), hooks=list(result.hooks),
                          digest=source.digest)
    printed = None
    if isinstance(result.text, str) and not result.exact:
        printed = guarded(_printed, parsed)
    elif isinstance(result.text, str) and parsed.outlined:
        printed = parsed.outline  # what an exact print of the untouched outline gives
    if isinstance(printed, Finding):
        return FileOutcome(path, Status.FAILED, findings=[printed])
    if printed is not None and parsed.outlined:
        from .read.text_facts import compiles  # noqa: PLC0415

        result.text = splice_outline(printed, source.text, result.text)
        # An outline is made only of a text ``ast`` reads: so must its rewrite be (and
        # compile: the rare file ``ast`` reads that does not is parsed whole).
        if result.text is None or not compiles(result.text):
            return None  # it touches lines the outline left out
    elif printed is not None and printed != source.text:
        merged, refused_at = splice(printed, source.text, result.text)
        if merged is None:
            outcome.findings.append(finding(
                path, refused_at, "CM004",
                "libcst does not print this line back unchanged (a known libcst round-trip "
                "bug) and the rewrite touches it; left as it was", Severity.WARNING))
        result.text = merged
    if result.text is DELETE:
        outcome.new, outcome.status = None, Status.CHANGED
    elif result.text is not None and result.text != source.text:
        outcome.new, outcome.status = result.text, Status.CHANGED
    elif any(f.severity is Severity.ERROR for f in outcome.findings):
        outcome.status = Status.FAILED  # e.g. the self-check refused the rewrite
    elif outcome.findings:
        outcome.status = Status.SKIPPED
    return outcome
