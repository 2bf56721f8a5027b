"""Running one codemod over a tree: discover, read, prefilter, scan, plan,
rewrite, then show, check or write the result.

Every file is read once, here; its text decides whether it is parsed at all
(the codemod's prefilter), and the tree index (index.py) answers the questions
about the rest of the tree with the standard library's ``ast``.  The files that
are parsed are scanned and rewritten where their trees are kept (workers.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
import os
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import click

from .codemod import Codemod, finding, module_names
from .discovery import discover
from .index import TreeIndex
from .report import FileOutcome, Finding, Severity, Status
from .sources import (
    SourceError,
    SourceFile,
    changed_since_read,
    is_read_only,
    read_source,
    write_atomic,
)
from .workers import DEFAULT_TIMEOUT, Engine, Prestart

GENERATED_MARKER = "@" + "generated"  # split so that this file is not itself "generated"


@dataclass
class RunResult:
    outcomes: List[FileOutcome] = field(default_factory=list)

    @property
    def changes(self) -> List[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.changed]


def _read(codemod: Codemod, path: Path):
    """A file's source, or the outcome that says why it is not worked on."""
    try:
        source = read_source(path)
    except SourceError as exc:
        return FileOutcome(path, Status.FAILED, findings=[
            finding(path, 1, "CM001", str(exc), Severity.ERROR)])
    if path.suffix not in (".py", ".pyi"):
        findings = codemod.report_unparsed(source)
        return FileOutcome(path, Status.SKIPPED if findings else Status.UNCHANGED,
                           findings=findings)
    return source


class _Progress:
    """A progress bar on a terminal, advanced once per file done."""

    def __init__(self, label: Optional[str], length: int) -> None:
        self.bar = None
        if label is not None and length and sys.stderr.isatty():
            self.bar = click.progressbar(length=length, label=label, file=sys.stderr)
            self.bar.__enter__()

    def step(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def run(codemod: Codemod, paths: Sequence[Path], jobs: int = 1,
        progress: bool = False, timeout: Optional[float] = DEFAULT_TIMEOUT,
        writing: bool = True) -> RunResult:
    """Every file's outcome under ``paths``; nothing is written.

    ``writing``: the outcomes are to be written (a change to a read-only file then
    fails before any write, holding back the changes tied to it); a dry run
    (``--diff``, ``--check``) shows every change, read-only files' too.

    ``jobs`` worker processes at most parse and rewrite (see workers.Engine);
    ``jobs=0`` works in this process for every file (a parser crash would end it).
    ``timeout``: seconds one file may take in a worker (None: no limit).
    """
    paths = [Path(p) for p in paths]
    prestart = Prestart(codemod, jobs)
    try:
        files, texts, done, wanted, passed_over = _gather(codemod, paths, prestart.wanted)
    except BaseException:
        prestart.abort()  # ^C while reading the tree
        raise
    result = RunResult()
    bar = _Progress(codemod.name if progress else None, len(wanted))
    engine = Engine(codemod, wanted, jobs, on_progress=bar.step, timeout=timeout,
                    started=prestart.take())
    try:
        index = _tree_index(files, texts)

        def meanwhile() -> None:
            """While the workers load libcst and scan: the modules' names, which the
            plan (through the index) and ``rewrite_wants`` ask for, and what the
            codemod reads ahead for its plan (``Codemod.prefetch``).  Only ahead of
            time: a name that cannot be found fails again where it is asked for,
            and is reported there."""
            try:
                for path in texts:  # the files read (no link to nothing, no loop)
                    module_names(path)
                if codemod.uses_index:
                    index.name_files()
                    codemod.prefetch(index, wanted)
            except Exception:  # noqa: BLE001, S110 - see above
                pass

        facts = _scan(codemod, engine, wanted, done, meanwhile=meanwhile if wanted else None)
        try:
            plan = codemod.plan(facts, index)
        except Exception as exc:  # noqa: BLE001 - reported; nothing is rewritten
            for path in files:
                done.setdefault(path, FileOutcome(path, Status.FAILED, findings=[finding(
                    path, 1, "CM900", f"internal error while planning {codemod.name}: "
                    f"{type(exc).__name__}: {exc}; left as it was", Severity.ERROR)]))
            result.outcomes.extend(done[path] for path in files)
            return result
        late = [s for s in passed_over if codemod.rewrite_wants(s.path, s.text, plan)]
        engine.add(late)
        if bar.bar is not None:
            bar.bar.length += len(late)
        done.update({path: outcome for path, outcome in engine.rewrite(plan).items()
                     if path not in done})
        if writing:
            _fail_read_only(done.values())
        codemod.settle(plan, list(done.values()))
    except BaseException:
        engine.abort()  # ^C, SIGTERM: the workers' work is not waited for
        raise
    finally:
        engine.close()
        bar.close()
    for path in files:
        done.setdefault(path, FileOutcome(path, Status.UNCHANGED))
    result.outcomes.extend(done[path] for path in files)
    result.outcomes.extend(codemod.tree_changes(plan, result.outcomes, paths))
    return result


def _scan(codemod: Codemod, engine: Engine, wanted: Sequence[SourceFile],
          done: Dict[Path, FileOutcome],
          meanwhile: Optional[Callable[[], None]] = None) -> Dict[Path, object]:
    """Every scanned file's facts; a file whose scan failed gets its outcome in
    ``done``, and gives the plan what its text shows (``facts_unread``).
    ``meanwhile`` is done here while the workers scan."""
    facts = {}
    if not codemod.uses_scan:
        return facts
    sources = {source.path: source for source in wanted}
    scanned = engine.scan(meanwhile)
    # In the tree's order, not the order workers answered in: the plan is then the
    # same for any -j (where two files claim one module name, say).
    for path in [source.path for source in wanted if source.path in scanned]:
        event, value = scanned[path]
        if event == "facts":
            facts[path] = value
            continue
        done[path] = value
        unread = codemod.facts_unread(sources[path])
        if unread is not None:
            facts[path] = unread
    return facts


def _fail_read_only(outcomes) -> None:
    """A change to a read-only file fails now, not at its write: the changes
    planned with it are then withheld too (``Codemod.settle``)."""
    for outcome in outcomes:
        if outcome.status is not Status.CHANGED or outcome.old is None:
            continue
        try:
            read_only = is_read_only(outcome.path)
        except OSError:
            continue  # gone meanwhile: the write says so (CM009)
        if read_only:
            outcome.status = Status.FAILED
            outcome.findings.append(finding(outcome.path, 1, "CM005",
                                            "is read-only; left as it was", Severity.ERROR))


def _gather(codemod: Codemod, paths: Sequence[Path],
            on_wanted: Callable[[SourceFile], None] = lambda source: None):
    """The tree's files and their texts; the outcomes already decided (unreadable,
    generated); the sources the codemod wants parsed (each also handed to
    ``on_wanted`` when found), and those it passed over."""
    discovered = discover(paths, codemod.settings.exclude, codemod.suffixes)
    done: Dict[Path, FileOutcome] = {}
    for path, reason in discovered.problems:
        done[path] = FileOutcome(path, Status.FAILED, findings=[
            finding(path, 1, "CM001", reason, Severity.ERROR)])
    for path, reason in discovered.not_followed:
        done[path] = FileOutcome(path, Status.SKIPPED, findings=[
            finding(path, 1, "CM010", reason, Severity.INFO)])
    files = [*discovered.files, *(path for path, _ in discovered.problems),
             *(path for path, _ in discovered.not_followed)]
    # The texts kept: of the files to parse, and of the files passed over when the
    # codemod may want them after its plan; None for a file that cannot be read.  The
    # rest (most of a large tree) are read again if the tree index needs them.
    texts: Dict[Path, Optional[str]] = {}
    keep_passed_over = type(codemod).rewrite_wants is not Codemod.rewrite_wants
    wanted: List[SourceFile] = []
    passed_over: List[SourceFile] = []
    for path in discovered.files:
        read = _read(codemod, path)
        if isinstance(read, FileOutcome):
            done[path] = read
            texts[path] = None
            continue
        if not codemod.settings.include_generated and GENERATED_MARKER in read.text:
            done[path] = FileOutcome(path, Status.UNCHANGED)
        elif codemod.wants(path, read.text):
            wanted.append(read)
            texts[path] = read.text
            on_wanted(read)
        elif keep_passed_over:
            passed_over.append(read)
            texts[path] = read.text
    return files, texts, done, wanted, passed_over


def plan_only(codemod: Codemod, paths: Sequence[Path]):
    """The plan ``run`` would make for ``paths`` (for libcst's runner, which hands
    our commands one file at a time), scanned in a worker process: a file that
    crashes the parser or takes too long costs itself, not the caller."""
    paths = [Path(p) for p in paths]
    files, texts, _, wanted, _ = _gather(codemod, paths)
    engine = Engine(codemod, wanted, 1)
    try:
        facts = _scan(codemod, engine, wanted, {})
    finally:
        engine.close()
    return codemod.plan(facts, _tree_index(files, texts))


def _tree_index(files: Sequence[Path], texts: Dict[Path, Optional[str]]) -> TreeIndex:
    """The index of the tree's classes, over the texts read for this run (a file
    whose text was not kept is read again when the index needs it)."""

    def text_of(path: Path) -> Optional[str]:
        if path in texts:
            return texts[path]
        try:
            return read_source(path).text
        except SourceError:
            return None

    return TreeIndex(files, text_of, lambda path: module_names(path)[1:])


def render_diff(outcome: FileOutcome, color: bool = False) -> str:
    """A unified diff of one change, git style (``a/``, ``b/`` before a relative
    path, /dev/null for a new or deleted file)."""
    import difflib  # noqa: PLC0415 - only where a diff is shown

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
        if outcome.old is None and os.path.lexists(path):
            return finding(path, 1, "CM009", "was created by someone else while the tool ran; "
                           "left with its content, not overwritten", Severity.ERROR)
        if outcome.old is not None and outcome.digest and changed_since_read(path, outcome.digest):
            return finding(path, 1, "CM009", "changed on disk since it was read (another "
                           "process or editor?); left with its new content: run again",
                           Severity.ERROR)
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
