"""The command line: click commands that hand their options to the runner.

Exit codes:

    0  nothing to do, or everything was done
    1  --check: some file would change; `check`: some hook is still there
    2  usage error (bad option, bad [tool.codemods])
    3  some file could not be read, parsed, rewritten or written
  130  interrupted (SIGINT or SIGTERM): every file is either as it was or fully written
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path
from typing import Callable, List, Type

import click

from . import __version__
from .codemod import Codemod
from .report import CheckSummary, Finding, Severity, Status, Summary, report_json
from .runner import RunResult, render_diff, run, write
from .workers import DEFAULT_TIMEOUT
from .settings import SettingsError, load_settings

EXIT_OK, EXIT_PENDING, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # ^C or SIGTERM, as shells report a SIGINT


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
        click.option("--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT,
                     show_default=True, metavar="SECONDS",
                     help="Seconds one file may take to parse or rewrite; a file that takes "
                          "longer is reported (CM008) and the run goes on. 0: no limit."),
        click.option("--exclude", multiple=True, metavar="GLOB",
                     help="Skip paths matching this gitignore-style pattern (repeatable)."),
        click.option("--include-generated", is_flag=True, default=None,
                     help="Also process files marked @generated."),
        click.option("--job-method", "job_methods", multiple=True, metavar="NAME",
                     help="Another job-state method name (repeatable)."),
        click.option("--interface-module", metavar="DOTTED.NAME", default=None,
                     help="Where the serialization interface lives "
                          "(default: `serialization` in the top package)."),
        click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]),
                     default="text",
                     help="How findings are printed: text (stderr), json or sarif (stdout)."),
        click.option("--show-unchanged", is_flag=True,
                     help="--format json: list unchanged files too."),
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
            output_format, show_unchanged, timeout, **options) -> None:
    """Shared body of every command: run, then show, check or write."""
    if interactive and (diff or check):
        raise click.UsageError("--interactive cannot be combined with --diff or --check")
    if show_unchanged and output_format != "json":
        raise click.UsageError("--show-unchanged lists files in the JSON report: use it with "
                               "--format json")
    if (diff or interactive) and output_format != "text":
        raise click.UsageError(
            f"--format {output_format} cannot be combined with --diff or --interactive "
            "(both use stdout)")
    try:
        settings = load_settings(paths, warn=_warn).merged(exclude=tuple(exclude), **options)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    codemod = codemod_class(settings)
    dry_run = diff or check or codemod.read_only
    _terminate_as_interrupt()
    try:
        result = run(codemod, paths, jobs=jobs or os.cpu_count() or 1, progress=True,
                     timeout=timeout or None, writing=not dry_run)
    except KeyboardInterrupt:
        click.echo("\ninterrupted before anything was written: no file changed", err=True)
        sys.exit(EXIT_INTERRUPTED)
    color = sys.stdout.isatty()
    if diff:
        for outcome in result.changes:
            _announce(outcome)
            click.echo(render_diff(outcome, color=color), nl=False)
    elif interactive or not check:
        try:
            if interactive:
                _review(result, color)
            else:
                _write_all(result)
        except KeyboardInterrupt:
            written = sum(o.status is Status.CHANGED and o.written for o in result.changes)
            click.echo(f"\ninterrupted: {_count(written)} written, the other "
                       f"{_count(len(result.changes) - written)} left as they were (no file is "
                       "half-written)", err=True)
            sys.exit(EXIT_INTERRUPTED)
    code = exit_code(result, check=check, read_only=codemod.read_only)
    _report(result, output_format, dry_run=dry_run, command=codemod.name, code=code,
            show_unchanged=show_unchanged)
    sys.exit(code)


def _count(files: int) -> str:
    return f"{files} file" if files == 1 else f"{files} files"


_TERMINATED: List[int] = []  # the SIGTERMs received (a prompt turns the interrupt into Abort)


def _terminate_as_interrupt() -> None:
    """SIGTERM ends a run as ^C does: between two files, never within one.  Only
    this run's SIGTERMs count: a program that runs the command line twice in one
    process (a test, say) does not see its second run end for the first's."""
    _TERMINATED.clear()
    def interrupt(signum, frame):
        _TERMINATED.append(signum)
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread (an embedding program): leave it alone
        pass


def _warn(message: str) -> None:
    click.secho(f"warning: {message}", err=True, fg="yellow" if sys.stderr.isatty() else None)


def _announce(outcome) -> None:
    """One line on stderr before the diff of a new interface module: why a file of
    about a thousand lines appears (stdout keeps a diff that `git apply` takes)."""
    if outcome.importers:
        sys.stdout.flush()
        click.echo(f"note: {outcome.path} is new: the runtime interface that the migrated "
                   f"classes import (written once; to use a copy the project already has, "
                   f"pass --interface-module DOTTED.NAME)", err=True)


def _write_all(result: RunResult) -> None:
    """Rewrites first, deletions last, and no deletion once a rewrite failed: a
    module goes only when the files that imported it were rewritten."""
    # New modules (the interface) first: an interrupted run never leaves a rewritten
    # file importing a module not written yet.
    changes = sorted(result.changes, key=lambda outcome: outcome.importers is None)
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
    with _signals_held():
        problem = write(outcome)
        if problem is not None:
            outcome.status = Status.FAILED
            outcome.findings.append(problem)
        else:
            outcome.written = True


@contextlib.contextmanager
def _signals_held():
    """^C and SIGTERM wait while one file is written and counted: they end the
    run between two files (write_atomic keeps each file whole either way; this
    keeps the count of files written exact)."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # Windows, or not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)  # nested: still held outside


def _review(result: RunResult, color: bool) -> None:
    """Ask about each change: yes, no (skip), all (yes to the rest), quit.

    Deletions come last, and are not offered once a rewrite was declined or
    failed: a module goes only when the files that imported it changed too.
    An interrupt (^C between prompts, SIGTERM anywhere) quits as ``q`` does, then
    ends the run as interrupted."""
    accept_all = False
    declined = []
    interrupted = False
    # Rewrites first, then new interface modules, then deletions.
    changes = sorted(result.changes, key=lambda outcome: (
        outcome.new is None, outcome.importers is not None))

    def written():
        return {o.path for o in changes if o.written}

    index = 0
    try:
        for index, outcome in enumerate(changes):
            if outcome.new is None and (declined or any(
                    o.status is Status.FAILED for o in changes[:index])):
                _hold_back(outcome)
                continue
            if outcome.importers is not None and not written() & set(outcome.importers):
                outcome.status = Status.SKIPPED
                outcome.findings.append(Finding(
                    str(outcome.path), 1, "CM006",
                    "not written: no file that would import it was accepted", Severity.INFO))
                continue
            if not accept_all:
                _announce(outcome)
                click.echo(render_diff(outcome, color=color), nl=False)
                what = "Delete" if outcome.new is None else "Apply"
                try:
                    answer = click.prompt(
                        f"{what} {outcome.path}? [y]es, [n]o, [a]ll, [q]uit",
                        type=click.Choice(["y", "n", "a", "q"]), show_choices=False, err=True,
                    )
                except click.Abort:  # end of input, ^C, SIGTERM: quit, keeping what was accepted
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
    except KeyboardInterrupt:
        interrupted = True
        declined.extend(o for o in changes[index:] if not o.written and o.status is Status.CHANGED)
    with _signals_held():
        for outcome in list(declined):
            # Quitting declines what is left, but not a new module a file accepted imports.
            if outcome.importers is not None and written() & set(outcome.importers):
                declined.remove(outcome)
                _write_one(outcome)
    for outcome in declined:
        outcome.status = Status.SKIPPED
        outcome.findings.append(Finding(
            str(outcome.path), 1, "CM006", "declined in review; not written", Severity.INFO))
    if interrupted or _TERMINATED:
        raise KeyboardInterrupt  # once quit, the run ends as interrupted


def _hold_back(outcome) -> None:
    outcome.status = Status.SKIPPED
    outcome.findings.append(Finding(
        str(outcome.path), 1, "CM007",
        "not deleted: another change was declined or could not be written", Severity.WARNING))


def _report(result: RunResult, output_format: str, *, dry_run: bool, command: str, code: int,
            show_unchanged: bool) -> None:
    summary = (CheckSummary if command == "check" else Summary).of(result.outcomes)
    if output_format == "json":
        click.echo(report_json(result.outcomes, summary, command=command,
                               tool_version=__version__, show_unchanged=show_unchanged))
        return
    if output_format == "sarif":
        from .sarif import report_sarif  # noqa: PLC0415

        click.echo(report_sarif(result.outcomes, command=command, tool_version=__version__,
                                exit_code=code, dry_run=dry_run))
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
    "finding; change nothing. Exit 1 when any hook is found, 0 when none is.",
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


@main.command("rules")
@click.argument("codes", nargs=-1, metavar="[CODE]...")
def rules_command(codes) -> None:
    """Explain finding codes: every one as a table, or the CODEs given in full
    (what it means, an example, and the fix)."""
    from .rules import RULES, describe  # noqa: PLC0415

    unknown = [code for code in codes if code.upper() not in RULES]
    if unknown:
        raise click.UsageError(f"unknown finding code(s): {', '.join(unknown)} "
                               f"(known: {', '.join(RULES)})")
    if codes:
        click.echo("\n".join(describe(RULES[code.upper()]) for code in codes), nl=False)
        return
    for rule in RULES.values():
        click.echo(f"{rule.code}  {rule.level:<7}  {rule.name:<24}  {rule.summary}")


def exit_code(result: RunResult, *, check: bool, read_only: bool = False) -> int:
    """3 when a file failed; then 1 when ``--check`` finds a change, or when the
    read-only ``check`` finds a hook (migratable or not; a job pickler whose
    entries name no class with hooks stays, and does not count); else 0."""
    if any(outcome.status is Status.FAILED for outcome in result.outcomes):
        return EXIT_FAILED
    if read_only and any(hook.verdict != "stays" for outcome in result.outcomes
                         for hook in outcome.hooks):
        return EXIT_PENDING
    if check and result.changes:
        return EXIT_PENDING
    return EXIT_OK
