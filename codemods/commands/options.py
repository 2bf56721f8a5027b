"""Command-line options of the libcst commands, named as ``python -m codemods``
names them, and the settings they make."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict, Optional, Tuple

from libcst.codemod import CodemodContext
from libcst.metadata import FullRepoManager, FullyQualifiedNameProvider

from ..codemod import module_names
from ..settings import Settings, SettingsError, load_settings


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--job-method", dest="job_methods", action="append", default=[],
                        metavar="NAME", help="Another job-state method name (repeatable).")
    parser.add_argument("--interface-module", default=None, metavar="DOTTED.NAME",
                        help="Where the serialization interface lives "
                             "(default: `serialization` in the top package).")


def add_strip_args(parser: argparse.ArgumentParser) -> None:
    add_common_args(parser)
    parser.add_argument("--pickler-module", default=None, metavar="DOTTED.NAME",
                        help="The job-pickler module whose imports go.")
    parser.add_argument("--pickling-predicate", dest="pickling_predicates", action="append",
                        default=[], metavar="NAME",
                        help="Another predicate taken as always false (repeatable).")
    parser.add_argument("--keep-guards", action="store_true", default=None,
                        help="Keep __getstate__ methods that only raise, and JobUnserializable.")


def settings_for(filename: Optional[str], **options) -> Settings:
    """``[tool.codemods]`` of the pyproject.toml above the file, then the options
    given (which win, as on our own command line)."""
    base = Settings()
    if filename:
        try:
            base = load_settings([Path(filename)])
        except SettingsError:
            base = Settings()  # libcst's runner has no usage errors per file: defaults
    return base.merged(**{name: tuple(value) if isinstance(value, list) else value
                          for name, value in options.items()})


def with_qualified_names(context: CodemodContext) -> CodemodContext:
    """The context libcst's runner made for a file, with the fully qualified
    names our rules read (the runner resolves only what a command declares,
    and these commands resolve metadata pass by pass, not for the whole file);
    module names as ``python -m codemods`` names them (from the package tree,
    not from libcst's ``repo_root``)."""
    if not context.filename:
        return context
    path = Path(context.filename).resolve()
    root, module_name, package_name = module_names(path)
    manager = FullRepoManager(str(root), [str(path)], providers={FullyQualifiedNameProvider})
    return CodemodContext(filename=str(path), full_module_name=module_name,
                          full_package_name=package_name, metadata_manager=manager)


_PLANS: Dict[Tuple[str, str, Settings], object] = {}


def tree_plan(codemod_class, context: CodemodContext, settings: Settings):
    """The plan ``python -m codemods`` makes for the file's whole tree (the folder
    above its top package), scanned once per process and settings.  libcst's
    runner writes files while its other workers still read: with ``-j 1`` every
    plan is made before anything is written, and the output is ours byte for byte."""
    if not context.filename:
        return None
    from ..runner import plan_in_process  # noqa: PLC0415

    root = str(module_names(Path(context.filename).resolve())[0])
    key = (codemod_class.name, root, settings)
    if key not in _PLANS:
        _PLANS[key] = plan_in_process(codemod_class(settings), [Path(root)])
    return _PLANS[key]


def refuse_misprinted(context: CodemodContext, tree) -> None:
    """Skip a file libcst does not print back byte for byte (a libcst round-trip
    bug): ``python -m codemods`` then applies only its rewrite to the original
    text, but libcst's runner prints the whole tree."""
    from libcst.codemod import SkipFile  # noqa: PLC0415

    from ..sources import SourceError, read_source  # noqa: PLC0415

    if not context.filename:
        return
    try:
        text = read_source(Path(context.filename)).text
    except SourceError:
        return
    if tree.code != text:
        raise SkipFile("CM004 libcst does not print this file back unchanged (a known libcst "
                       "round-trip bug); left as it was: run `python -m codemods` on it, "
                       "which rewrites around such lines")


def setup(context: CodemodContext, codemod_class, **options):
    """(context, settings, plan) for one of our commands under libcst's runner: the
    settings of ``[tool.codemods]`` and ``options``, qualified names, the tree's plan."""
    from libcst.codemod import SkipFile  # noqa: PLC0415

    try:
        settings = settings_for(context.filename, **options)
    except SettingsError as exc:
        raise SkipFile(str(exc)) from None
    context = with_qualified_names(context)
    return context, settings, tree_plan(codemod_class, context, settings)
