"""Running one codemod over a tree: discover, prefilter, parse, scan, plan,
rewrite (in parallel processes), then show, check or write the result."""

from __future__ import annotations

import difflib
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterable, List, Optional, Sequence

import click

from .codemod import DELETE, Codemod, ParsedFile, finding, parse
from .discovery import discover
from .report import FileOutcome, Finding, Severity, Status
from .sources import SourceError, is_read_only, read_source, write_atomic
from .splice import splice

GENERATED_MARKER = "@" + "generated"  # split so that this file is not itself "generated"


@dataclass
class RunResult:
    outcomes: List[FileOutcome] = field(default_factory=list)

    @property
    def changes(self) -> List[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.changed]


def _load(codemod: Codemod, path: Path) -> ParsedFile | FileOutcome:
    """Read and parse one file, or the outcome that says why not."""
    try:
        source = read_source(path)
    except SourceError as exc:
        return FileOutcome(path, Status.FAILED, findings=[
            finding(path, 1, "CM001", str(exc), Severity.ERROR)])
    if path.suffix not in (".py", ".pyi"):
        findings = codemod.report_unparsed(source)
        return FileOutcome(path, Status.SKIPPED if findings else Status.UNCHANGED,
                           findings=findings)
    if not codemod.settings.include_generated and GENERATED_MARKER in source.text:
        return FileOutcome(path, Status.UNCHANGED)
    if not codemod.wants(path, source.text):
        return FileOutcome(path, Status.UNCHANGED)
    parsed = parse(source)
    if isinstance(parsed, Finding):
        return FileOutcome(path, Status.FAILED, findings=[parsed])
    return parsed


def _scan_one(codemod: Codemod, path: Path):
    loaded = _load(codemod, path)
    if isinstance(loaded, FileOutcome):
        return path, None, loaded
    return path, _guarded(codemod.scan, loaded), None


def _rewrite_one(codemod: Codemod, plan, path: Path) -> FileOutcome:
    loaded = _load(codemod, path)
    if isinstance(loaded, FileOutcome):
        return loaded
    source = loaded.source
    result = _guarded(codemod.rewrite, loaded, plan)
    if isinstance(result, Finding):
        return FileOutcome(path, Status.FAILED, findings=[result])
    outcome = FileOutcome(path, Status.UNCHANGED, old=source.text, encoding=source.encoding,
                          findings=list(result.findings))
    if isinstance(result.text, str) and loaded.printed != source.text:
        merged, refused_at = splice(loaded.printed, source.text, result.text)
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


def _guarded(function: Callable, parsed: ParsedFile, *args):
    """Run a codemod step; a crash in it becomes an internal-error finding for
    that file, never the end of the run."""
    try:
        return function(parsed, *args)
    except RecursionError:
        return finding(parsed.path, 1, "CM003",
                       "nests too deeply to rewrite (RecursionError); left as it was",
                       Severity.ERROR)
    except Exception as exc:  # noqa: BLE001 - reported, and the run goes on
        return finding(parsed.path, 1, "CM900",
                       f"internal error in {codemod_name(function)}: "
                       f"{type(exc).__name__}: {exc}; left as it was", Severity.ERROR)


def codemod_name(function: Callable) -> str:
    owner = getattr(function, "__self__", None)
    return getattr(owner, "name", "codemod")


def _map(function, items: Sequence, jobs: int, label: Optional[str], on_crash):
    """``function`` over ``items`` in order.

    With ``jobs`` >= 1 every item runs in a worker process, even with one job:
    libcst's native parser can crash the interpreter on pathological input
    (deep nesting), and a crash must cost one file, not the run.  A batch whose
    worker died is retried one item per process; an item that still kills its
    worker gets ``on_crash(item)``.  ``jobs=0`` runs in this process.
    """
    if jobs == 0 or not items:
        yield from _with_progress(map(function, items), len(items), label)
        return
    size = max(1, min(16, len(items) // (jobs * 4)))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    results: dict = {}

    def gather():
        with ProcessPoolExecutor(max_workers=min(jobs, len(batches))) as pool:
            futures = {pool.submit(_run_batch, function, batch): n for n, batch in enumerate(batches)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                yield len(batches[futures[future]])

    try:
        for _ in _with_progress(gather(), len(batches), label):
            pass
    except BrokenProcessPool:
        for n, batch in enumerate(batches):
            if n not in results:
                results[n] = [_run_isolated(function, item, on_crash) for item in batch]
    for n in range(len(batches)):
        yield from results[n]


def _run_batch(function, batch):
    return [function(item) for item in batch]


def _run_isolated(function, item, on_crash):
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            return pool.submit(function, item).result()
    except BrokenProcessPool:
        return on_crash(item)


def _crashed(path: Path) -> FileOutcome:
    return FileOutcome(path, Status.FAILED, findings=[finding(
        path, 1, "CM003", "crashed the parser (too deeply nested for libcst); left as it was",
        Severity.ERROR)])


def _with_progress(results: Iterable, length: int, label: Optional[str]):
    if label is None or not sys.stderr.isatty():
        yield from results
        return
    with click.progressbar(results, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


def run(codemod: Codemod, paths: Sequence[Path], jobs: int = 1,
        progress: bool = False) -> RunResult:
    """Every file's outcome under ``paths``; nothing is written.

    ``jobs`` worker processes parse and rewrite; ``jobs=0`` works in this
    process (faster for a few files, but a parser crash would end it).
    """
    paths = [Path(p) for p in paths]
    discovered = discover(paths, codemod.settings.excludes, codemod.suffixes)
    result = RunResult()
    for path, reason in discovered.problems:
        result.outcomes.append(FileOutcome(path, Status.FAILED, findings=[
            finding(path, 0, "CM001", reason, Severity.ERROR)]))
    files = discovered.files
    done = {}
    facts = {}
    if codemod.uses_scan:
        scanned = _map(partial(_scan_one, codemod), files, jobs, "scanning" if progress else None,
                       on_crash=lambda path: (path, None, _crashed(path)))
        for path, fact, outcome in scanned:
            if outcome is not None:
                done[path] = outcome
            elif isinstance(fact, Finding):
                done[path] = FileOutcome(path, Status.FAILED, findings=[fact])
            else:
                facts[path] = fact
    try:
        plan = codemod.plan(facts, _tree_index(files))
    except Exception as exc:  # noqa: BLE001 - reported; nothing is rewritten
        result.outcomes.extend(done[path] for path in files if path in done)
        result.outcomes.extend(
            FileOutcome(path, Status.FAILED, findings=[finding(
                path, 1, "CM900", f"internal error while planning {codemod.name}: "
                f"{type(exc).__name__}: {exc}; left as it was", Severity.ERROR)])
            for path in files if path not in done)
        return result
    todo = [path for path in files if path not in done]
    for outcome in _map(partial(_rewrite_one, codemod, plan), todo, jobs,
                        codemod.name if progress else None, on_crash=_crashed):
        done[outcome.path] = outcome
    result.outcomes.extend(done[path] for path in files)
    result.outcomes.extend(codemod.tree_changes(plan, result.outcomes, paths))
    return result


def _tree_index(files: Sequence[Path]):
    from .migrate import tree_index  # noqa: PLC0415 - only codemods with a plan need it

    return tree_index(files)


def render_diff(outcome: FileOutcome, color: bool = False) -> str:
    """A unified diff of one change, git style (``a/``, ``b/`` before a relative
    path, /dev/null for a new or deleted file)."""
    name = outcome.path.as_posix()
    prefix_old, prefix_new = ("", "") if outcome.path.is_absolute() else ("a/", "b/")
    old = outcome.old.splitlines(keepends=True) if outcome.old is not None else []
    new = outcome.new.splitlines(keepends=True) if outcome.new is not None else []
    lines = difflib.unified_diff(
        old, new,
        fromfile="/dev/null" if outcome.old is None else f"{prefix_old}{name}",
        tofile="/dev/null" if outcome.new is None else f"{prefix_new}{name}",
    )
    out = []
    for line in lines:
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        if color:
            if line.startswith(("+++", "---")):
                line = click.style(line, bold=True)
            elif line.startswith("@@"):
                line = click.style(line, fg="cyan")
            elif line.startswith("+"):
                line = click.style(line, fg="green")
            elif line.startswith("-"):
                line = click.style(line, fg="red")
        out.append(line)
    return "".join(out)


def write(outcome: FileOutcome) -> Optional[Finding]:
    """Apply one change to disk atomically; a finding if it could not be."""
    path = outcome.path
    try:
        if outcome.old is not None and is_read_only(path):
            return finding(path, 1, "CM005", "is read-only; left as it was", Severity.ERROR)
        if outcome.new is None:
            path.unlink()
            return None
        # Through a symbolic link (one that stays in the tree), the file it names changes.
        write_atomic(path.resolve(), outcome.new.encode(outcome.encoding))
    except OSError as exc:
        return finding(path, 1, "CM005", f"cannot be written: {exc.strerror or exc}",
                       Severity.ERROR)
    return None
