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
    given (which win, as on our own command line).  Raises SettingsError for a
    bad ``[tool.codemods]``."""
    base = load_settings([Path(filename)]) if filename else Settings()
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
    from ..runner import plan_only  # noqa: PLC0415

    root = str(module_names(Path(context.filename).resolve())[0])
    key = (codemod_class.name, root, settings)
    if key not in _PLANS:
        _PLANS[key] = plan_only(codemod_class(settings), [Path(root)])
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


STDIN_REFUSAL = ("reading from stdin: the rewrite depends on the rest of the file's tree (its "
                 "bases, the job pickler); give the file's path instead")


def setup(context: CodemodContext, codemod_class, **options):
    """(context, settings, plan, refusal) for one of our commands under libcst's
    runner: the settings of ``[tool.codemods]`` and ``options``, qualified names,
    the tree's plan; ``refusal`` is why the file must be skipped (a bad
    ``[tool.codemods]``, no path), or None.  The command raises it as ``SkipFile``
    from ``transform_module`` (see ``refuse``): libcst's runner reports that as a
    skipped file, where an exception here would be a failure with a traceback."""
    if not context.filename:
        return context, Settings(), None, STDIN_REFUSAL
    try:
        settings = settings_for(context.filename, **options)
    except SettingsError as exc:
        return context, Settings(), None, f"{exc}; left as it was"
    context = with_qualified_names(context)
    return context, settings, tree_plan(codemod_class, context, settings), None


def refuse(command, refusal: Optional[str]) -> None:
    """Skip the file for ``refusal``, said as a warning too (libcst's runner does
    not show a skip's reason for stdin)."""
    from libcst.codemod import SkipFile  # noqa: PLC0415

    if refusal is not None:
        command.warn(refusal)
        raise SkipFile(refusal)


def missing_interface(context: CodemodContext, settings: Settings, plan) -> Optional[str]:
    """A warning when the interface module a migrated file imports is not in the
    tree yet: libcst's runner rewrites files, and only ``python -m codemods
    migrate`` writes that module."""
    from ..interface import interface_module, interface_path, module_owner  # noqa: PLC0415

    if not context.filename or plan is None:
        return None
    root, module_name, package_name = module_names(Path(context.filename))
    dotted = interface_module(module_name, settings.interface_module, package_name,
                              plan.interface_modules)
    if module_owner(root, dotted) is not None:
        return None
    return (f"{context.filename}:1:1: the interface module {dotted} this file now imports is "
            f"not in the tree: write it to {interface_path(root, dotted)} (`python -m codemods "
            "migrate` on the tree does; it is codemods/runtime/serialization.py, copied as it is)")
