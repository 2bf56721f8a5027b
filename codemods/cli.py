"""The command line: click commands that hand their options to the runner.

Exit codes:

    0  nothing to do, or everything was done
    1  --check: some file would change
    2  usage error (bad option, bad [tool.codemods])
    3  some file could not be read, parsed, rewritten or written
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Type

import click

from . import __version__
from .codemod import Codemod
from .report import Finding, Severity, Status, Summary, findings_json
from .runner import RunResult, render_diff, run, write
from .settings import SettingsError, load_settings

EXIT_OK, EXIT_PENDING, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _common_options(function: Callable) -> Callable:
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--diff", is_flag=True, help="Dry run: print a unified diff, write nothing."),
        click.option("--check", is_flag=True,
                     help="Write nothing; exit 1 when any file would change."),
        click.option("--interactive", "-i", is_flag=True,
                     help="Show each file's diff and ask before writing it."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Parallel processes (default: the number of CPUs)."),
        click.option("--exclude", multiple=True, metavar="GLOB",
                     help="Skip paths matching this gitignore-style pattern (repeatable)."),
        click.option("--include-generated", is_flag=True, default=None,
                     help="Also process files marked @generated."),
        click.option("--job-method", "job_methods", multiple=True, metavar="NAME",
                     help="Another job-state method name (repeatable)."),
        click.option("--interface-module", metavar="DOTTED.NAME", default=None,
                     help="Where the serialization interface lives "
                          "(default: `serialization` in the top package)."),
        click.option("--format", "output_format", type=click.Choice(["text", "json"]),
                     default="text", help="How findings are printed."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="codemods")
def main() -> None:
    """Move a Python code base off hand-written pickling hooks."""


def codemod_command(name: str, load: Callable[[], Type[Codemod]], help: str,
                    extra_options=()) -> click.Command:
    """A click command that runs the codemod ``load()`` returns (imported only
    when the command runs, so ``--help`` stays fast)."""

    def callback(**kwargs) -> None:
        execute(load(), **kwargs)

    callback.__doc__ = help
    command = callback
    for option in reversed(extra_options):
        command = option(command)
    return click.command(name, help=help)(_common_options(command))


def execute(codemod_class: Type[Codemod], paths, *, diff, check, interactive, jobs, exclude,
            output_format, **options) -> None:
    """Shared body of every command: run, then show, check or write."""
    if interactive and (diff or check):
        raise click.UsageError("--interactive cannot be combined with --diff or --check")
    if (diff or interactive) and output_format == "json":
        raise click.UsageError(
            "--format json cannot be combined with --diff or --interactive (both use stdout)")
    try:
        settings = load_settings(paths).merged(excludes=tuple(exclude), **options)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    codemod = codemod_class(settings)
    result = run(codemod, paths, jobs=jobs or os.cpu_count() or 1, progress=True)
    dry_run = diff or check or codemod.read_only
    color = sys.stdout.isatty()
    if diff:
        for outcome in result.changes:
            click.echo(render_diff(outcome, color=color), nl=False)
    elif interactive:
        _review(result, color)
    elif not check:
        _write_all(result)
    _report(result, output_format, dry_run=dry_run)
    sys.exit(exit_code(result, check=check))


def _write_all(result: RunResult) -> None:
    """Rewrites first, deletions last, and no deletion once a rewrite failed: a
    module goes only when the files that imported it were rewritten."""
    changes = result.changes
    for outcome in changes:
        if outcome.new is not None:
            _write_one(outcome)
    failed = any(outcome.status is Status.FAILED for outcome in changes)
    for outcome in changes:
        if outcome.new is not None:
            continue
        if failed:
            _hold_back(outcome)
        else:
            _write_one(outcome)


def _write_one(outcome) -> None:
    problem = write(outcome)
    if problem is not None:
        outcome.status = Status.FAILED
        outcome.findings.append(problem)


def _review(result: RunResult, color: bool) -> None:
    """Ask about each change: yes, no (skip), all (yes to the rest), quit.

    Deletions come last, and are not offered once a rewrite was declined or
    failed: a module goes only when the files that imported it changed too."""
    accept_all = False
    declined = []
    changes = sorted(result.changes, key=lambda outcome: outcome.new is None)
    for index, outcome in enumerate(changes):
        if outcome.new is None and (declined or any(
                o.status is Status.FAILED for o in changes[:index])):
            _hold_back(outcome)
            continue
        if not accept_all:
            click.echo(render_diff(outcome, color=color), nl=False)
            what = "Delete" if outcome.new is None else "Apply"
            try:
                answer = click.prompt(
                    f"{what} {outcome.path}? [y]es, [n]o, [a]ll, [q]uit",
                    type=click.Choice(["y", "n", "a", "q"]), show_choices=False, err=True,
                )
            except click.Abort:  # end of input or ^C: as quit, keeping what was accepted
                click.echo(err=True)
                answer = "q"
            if answer == "q":
                declined.extend(changes[index:])
                break
            if answer == "n":
                declined.append(outcome)
                continue
            accept_all = answer == "a"
        _write_one(outcome)
    for outcome in declined:
        outcome.status = Status.SKIPPED
        outcome.findings.append(Finding(
            str(outcome.path), 1, "CM006", "declined in review; not written", Severity.INFO))


def _hold_back(outcome) -> None:
    outcome.status = Status.SKIPPED
    outcome.findings.append(Finding(
        str(outcome.path), 1, "CM007",
        "not deleted: another change was declined or could not be written", Severity.WARNING))


def _report(result: RunResult, output_format: str, *, dry_run: bool) -> None:
    summary = Summary.of(result.outcomes)
    if output_format == "json":
        click.echo(findings_json(result.outcomes, summary))
        return
    for outcome in result.outcomes:
        for item in outcome.findings:
            style = {"error": "red", "warning": "yellow"}.get(item.severity.value)
            click.secho(item.format(), err=True, fg=style if sys.stderr.isatty() else None)
    click.echo(summary.format(dry_run=dry_run), err=True)


def _load_migrate():
    from .migrate import MigrateCodemod

    return MigrateCodemod


main.add_command(codemod_command(
    "migrate", _load_migrate,
    "Rewrite hand-written pickling hooks (__getstate__, __setstate__, job-state methods "
    "and the job pickler's per-class entries) into the declarative interface.",
))


def _load_check():
    from .check import CheckCodemod

    return CheckCodemod


main.add_command(codemod_command(
    "check", _load_check,
    "Report every pickling hook, what migrate and strip would do with it, and every "
    "finding; change nothing. With --check, exit 1 when any hook is found.",
))


def _load_strip():
    from .strip import StripCodemod

    return StripCodemod


main.add_command(codemod_command(
    "strip", _load_strip,
    "Remove job pickling altogether: __getstate__/__setstate__ and job-state methods, the "
    "declarative interface, the job-pickler module and its imports, and branches on "
    "pickling predicates (taken as always false).",
    extra_options=[
        click.option("--pickler-module", metavar="DOTTED.NAME", default=None,
                     help="The job-pickler module to delete (default: found by its shape)."),
        click.option("--pickling-predicate", "pickling_predicates", multiple=True,
                     metavar="NAME",
                     help="Another predicate taken as always false (repeatable)."),
        click.option("--keep-guards", is_flag=True, default=None,
                     help="Keep __getstate__ methods that only raise, and JobUnserializable."),
    ],
))


def exit_code(result: RunResult, *, check: bool) -> int:
    if any(outcome.status is Status.FAILED for outcome in result.outcomes):
        return EXIT_FAILED
    if check and (result.changes or any(
            f.code == "CM301" for outcome in result.outcomes for f in outcome.findings)):
        return EXIT_PENDING
    return EXIT_OK
