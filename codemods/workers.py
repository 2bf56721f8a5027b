"""Parsing, scanning and rewriting files where their trees are kept.

Each file is parsed once per run: the process that scans it keeps its tree and
rewrites it from that tree once the plan is made.  Files go to a few
long-lived worker processes, balanced by their expected work (``Codemod.cost``:
their size, unless the codemod knows better), or stay in this process when
there are few of them.  Workers start, and load libcst, while the runner still
reads the tree (``Prestart``); where processes fork, the first worker loads it
and the others are forked from it once it has (``copies_workers``): libcst is
loaded once per run, not once per worker.  A worker is sent one file at a time;
one that runs out takes the files another has not been sent yet (in the rewrite
it parses such a file again: a file's cost there is not known from its size).
A scanned file whose rewrite is known to be empty is not sent again.

libcst's native parser can crash the interpreter on pathological input (deep
nesting of brackets).  A cheap look at the text (``looks_deep``) sends such a
file to a process of its own; a worker that dies anyway costs the file it was
on (reported as CM003), and the files it still had go to a fresh worker.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from .report import FileOutcome, Finding, Severity, Status
from .sources import SourceFile

# Bracket depth above which a file is parsed in a process of its own (libcst's
# parser crashed at a depth of about 1,500 here; RecursionError comes earlier).
DEEP_BRACKETS = 200
_BRACKETS = re.compile(r"[()\[\]{}]")


def looks_deep(text: str) -> bool:
    """Whether the text nests brackets deeply enough to endanger the parser.
    Brackets in strings and comments count too: that can only isolate a file
    that did not need it, never the reverse."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > DEEP_BRACKETS:
                    return True
        else:
            depth -= 1
    return False


DEFAULT_TIMEOUT = 60.0  # seconds one file may take, scan and rewrite each
# Parsed trees a worker keeps from scan to rewrite, counted in characters of their
# source: a libcst tree takes some hundred times its source's size, so beyond this a
# file is parsed again for its rewrite rather than kept (memory over time, for the
# few large files of a large tree).
KEEP_SOURCE_CHARS = 400_000
# What the runner reads ahead of files for the workers (Engine._read_ahead_while_loading):
# not where ``ast`` can crash the process, and no file larger than this (its reading
# would hold the runner up for a tenth of a second or more).
READS_AHEAD = sys.version_info >= (3, 11)
READ_AHEAD_CHARS = 300_000

# Files sent to a worker ahead of its answers.  One: a file not yet sent can go to
# whichever worker is free first (a worker waits a pipe's round trip between files,
# well under a millisecond, against tens of milliseconds for a file).
IN_FLIGHT = 1


def crashed(path: Path) -> FileOutcome:
    from .codemod import finding  # noqa: PLC0415 - keeps this module light

    return FileOutcome(path, Status.FAILED, findings=[finding(
        path, 1, "CM003", "crashed the parser (too deeply nested for libcst); left as it was",
        Severity.ERROR)])


def timed_out(path: Path, limit: float) -> FileOutcome:
    from .codemod import finding  # noqa: PLC0415 - keeps this module light

    return FileOutcome(path, Status.FAILED, findings=[finding(
        path, 1, "CM008", f"took longer than {limit:g} s to parse or rewrite (the per-file "
        "time limit, --timeout); left as it was", Severity.ERROR)])


class FileWork:
    """The codemod's steps on files, with their parsed trees kept between the
    scan and the rewrite."""

    def __init__(self, codemod, on_loading: Optional[Callable[[bool], None]] = None,
                 in_worker: bool = False) -> None:
        self.codemod = codemod
        # A worker process's: it freezes its heap (_freeze_heap), and keeps what it
        # learnt of libcst's node types for the next run (read/walk.py).
        self.in_worker = in_worker
        self._plan_frozen_for: Any = None
        # Called with True before libcst and the codemod's modules are loaded, the
        # first time a file is parsed, and with False after: a worker's clock for the
        # file in flight stops meanwhile (loading is not the file's time).
        self.on_loading = on_loading or (lambda loading: None)
        self.loaded = False
        self.parsed: Dict[Path, Any] = {}
        # Scanned files whose rewrite the codemod says is empty: no tree is kept for them.
        self.idle: Set[Path] = set()
        self.kept_chars = 0  # source characters of the trees kept for their rewrite

    def _load(self) -> None:
        """libcst, and the codemod's libcst modules, before the first parse."""
        if self.loaded:
            return
        self.loaded = True
        self.on_loading(True)
        try:
            from .code_cache import reusing  # noqa: PLC0415
            from .libcst_speed import import_matchers, typing_hashes_kept  # noqa: PLC0415

            # libcst's dataclasses, compiled by an earlier run (a copy of a worker
            # starts with libcst loaded: nothing to compile).
            loading = "libcst" not in sys.modules
            with reusing() if loading else contextlib.nullcontext(), \
                    typing_hashes_kept() if loading else contextlib.nullcontext():
                import_matchers()  # first: libcst.codemod, which parsing imports, imports it
                from . import parsing  # noqa: F401, PLC0415 - libcst only where files are parsed

                self.codemod.preload()
            if self.in_worker:
                from .read.walk import read_learned  # noqa: PLC0415

                try:
                    read_learned()
                except Exception:  # noqa: BLE001, S110 - a cache: learnt again instead
                    pass
        finally:
            self.on_loading(False)
        if self.in_worker:
            _freeze_heap()

    def stop(self) -> None:
        """The run is over for this worker: what it learnt is kept for the next."""
        if self.loaded and self.in_worker:
            from .read.walk import write_learned  # noqa: PLC0415

            try:
                write_learned()
            except Exception:  # noqa: BLE001, S110 - a cache: the next run learns it
                pass

    def _parse(self, source: SourceFile):
        self._load()
        from .parsing import parse  # noqa: PLC0415

        parsed = self.parsed.get(source.path)
        if parsed is None:
            ahead = source.ahead  # what the runner read of it (Codemod.read_ahead)
            text = self.codemod.text_to_parse(source) if ahead is None else \
                ahead.outline if ahead.outline is not None else source.text
            parsed = parse(source, text)
            if not isinstance(parsed, Finding):
                self.parsed[source.path] = parsed
        return parsed

    def scan(self, source: SourceFile) -> Tuple[str, Any]:
        """("facts", facts) or ("done", the outcome of a file that cannot be read on)."""
        try:
            facts = self.codemod.facts_from_text(source) if source.ahead is None \
                else source.ahead.facts  # read by the runner (Codemod.read_ahead)
        except Exception:  # noqa: BLE001 - the full read decides, and reports
            facts = None
        if facts is not None:
            self.idle.add(source.path)
            return "facts", facts
        self._load()
        from .parsing import guarded  # noqa: PLC0415

        parsed = self._parse(source)
        if isinstance(parsed, Finding):
            return "done", FileOutcome(source.path, Status.FAILED, findings=[parsed])
        facts = guarded(self.codemod.scan, parsed)
        if isinstance(facts, Finding):
            self.parsed.pop(source.path, None)
            return "done", FileOutcome(source.path, Status.FAILED, findings=[facts])
        if guarded(self.codemod.rewrites_nothing, parsed) is True:
            self.parsed.pop(source.path, None)  # memory: most scanned files change nothing
            self.idle.add(source.path)
        elif self.kept_chars + len(source.text) > KEEP_SOURCE_CHARS:
            self.parsed.pop(source.path, None)  # parsed again for its rewrite
        else:
            self.kept_chars += len(source.text)
        return "facts", facts

    def rewrite(self, source: SourceFile, plan) -> FileOutcome:
        if source.path in self.idle:
            outcome = self.codemod.outcome_unparsed(source, plan)
            if outcome is not None:
                return outcome
            self.idle.discard(source.path)  # the plan gives it work: parsed now
        self._load()
        if self.in_worker and plan is not self._plan_frozen_for:
            self._plan_frozen_for = plan  # the rewrite starts: the trees kept are frozen
            _freeze_heap()
        from .parsing import rewrite_parsed  # noqa: PLC0415

        parsed = self._parse(source)
        if isinstance(parsed, Finding):
            return FileOutcome(source.path, Status.FAILED, findings=[parsed])
        try:
            outcome = rewrite_parsed(self.codemod, plan, parsed)
        finally:
            if self.parsed.pop(source.path, None) is not None:  # each tree is rewritten once
                self.kept_chars = max(0, self.kept_chars - len(source.text))
        if outcome is None:  # parsed from an outline, and the rewrite needs the whole text
            from .parsing import parse  # noqa: PLC0415

            parsed = parse(source, source.text)
            if isinstance(parsed, Finding):
                return FileOutcome(source.path, Status.FAILED, findings=[parsed])
            outcome = rewrite_parsed(self.codemod, plan, parsed)
        return outcome


def _freeze_heap() -> None:
    """Put every object alive in this worker out of the cyclic garbage
    collector's sight (``gc.freeze``): libcst's modules once loaded, and the trees
    kept for the rewrite when it starts.  They live until the worker ends or the
    tree is rewritten, and each full collection walked them all, to free nothing:
    on BuildStream that was 0.04 to 0.09 s per phase, a tenth of the work.
    Reference counting still frees what they hold; only cycles among them wait
    for the worker to end, and a worker ends with its run."""
    gc.freeze()


def _serve(conn, codemod) -> None:
    """A worker process: scans, then rewrites, the files it is sent, answering
    for each file ("start", then its result).  A scanned file whose rewrite is
    known to be empty is answered "facts-idle"; the plan comes with the first
    rewrite message of a phase (None after)."""
    current: List[Optional[Path]] = [None]

    def clock(loading: bool) -> None:
        if current[0] is not None:
            conn.send(("loading" if loading else "start", current[0], None))

    work = FileWork(codemod, on_loading=clock, in_worker=True)
    plan = None
    copies: List[int] = []  # pids of the workers forked from this one
    stopped = False
    try:
        while True:
            kind, payload = conn.recv()
            if kind == "stop":
                stopped = True
                work.stop()
                return
            if kind == "load":  # started ahead of its files: libcst loads meanwhile
                work._load()
                conn.send(("loaded", None, None))  # the runner stops reading ahead
                continue
            if kind == "copy":  # another worker, started from this one with libcst loaded
                copies.append(_start_copy(conn, codemod))
                continue
            if kind == "rewrite":
                sent_plan, payload = payload
                if sent_plan is not None:
                    plan = sent_plan
            for source in payload:
                current[0] = source.path
                conn.send(("start", source.path, None))
                if kind == "scan":
                    event, result = work.scan(source)
                    if event == "facts" and source.path in work.idle:
                        event = "facts-idle"
                    conn.send((event, source.path, result))
                else:
                    conn.send(("done", source.path, work.rewrite(source, plan)))
            current[0] = None
    except (EOFError, KeyboardInterrupt, BrokenPipeError):
        return
    finally:
        # Stopped, it waits for its copies, which the runner stopped first; ending
        # otherwise (a crash, an interrupt), it does not: the runner must see at once.
        _reap(copies, limit=5.0 if stopped else 0.0)


def _start_copy(conn, codemod) -> int:
    """Fork a copy of this worker, which serves the connection whose end comes
    next on ``conn`` (``_Worker.start``): it starts with libcst loaded.  The
    copy sends its pid first, for the runner to stop it by; its pid here."""
    from multiprocessing import reduction  # noqa: PLC0415
    from multiprocessing.connection import Connection  # noqa: PLC0415

    handle = reduction.recv_handle(conn)
    pid = os.fork()
    if pid:
        os.close(handle)
        return pid
    code = 0
    try:
        conn.close()  # this worker's own: it ends when this worker does
        _close_inherited(keep=handle)
        own = Connection(handle)
        own.send(("pid", None, os.getpid()))
        _serve(own, codemod)
    except BaseException:  # noqa: BLE001 - shown, as multiprocessing shows a worker's
        import traceback  # noqa: PLC0415

        code = 1
        # To the standard error's descriptor itself: sys.stderr may be another one
        # (a test's capture), which _close_inherited closed.
        text = f"Worker copy {os.getpid()}:\n{traceback.format_exc()}"
        try:
            os.write(2, text.encode("utf-8", "backslashreplace"))
        except OSError:
            pass
    finally:
        os._exit(code)  # a forked copy runs nothing of its parent's on the way out


def _reap(pids: List[int], limit: float = 5.0) -> None:
    """Wait for this worker's copies to end, for at most ``limit`` seconds in
    all (0: reap those that have ended, wait for none); one still running is
    left to the system."""

    deadline = time.monotonic() + limit
    for pid in pids:
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.005)


def _close_inherited(keep: int) -> None:
    """Close every file descriptor but the standard streams and ``keep``: among
    those a copy inherits is the end of the pipe by which the runner learns
    that the worker it was forked from has ended (multiprocessing's sentinel),
    which must close when that worker does."""

    try:
        open_now = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: the usual range
        open_now = list(range(3, 1024))
    for fd in open_now:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def copies_workers() -> bool:
    """Whether a worker that has loaded libcst starts the others, as copies of
    itself (``_start_copy``), so that libcst is loaded once per run, not once per
    worker: with fork, where one end of a new pipe can be handed to a running
    process without waiting for it to take it (not on macOS, whose hand-over
    waits for the receiver's answer)."""
    from multiprocessing import reduction  # noqa: PLC0415

    return _context().get_start_method() == "fork" and reduction.HAVE_SEND_HANDLE \
        and not getattr(reduction, "ACKNOWLEDGE", False)


class _Copy:
    """The process of a worker that another worker forked (``_start_copy``): the
    other worker's child, not this process's, so it is known by the pid it sends
    first, and by its connection, whose end shows that it has ended."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.pid: Optional[int] = None
        self.ended = False

    def kill(self) -> None:
        import signal  # noqa: PLC0415

        if self.pid is None:  # not forked yet (or its pid unread): closing ends it
            self.conn.close()
            self.ended = True
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def join(self, timeout: Optional[float] = None) -> None:
        """Wait until its connection ends (at most ``timeout`` seconds), reading
        what it still sends."""
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self.ended:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                if not self.conn.poll(left):
                    return  # still running
                event, _, result = self.conn.recv()
                if event == "pid":
                    self.pid = result
        except (EOFError, OSError):
            self.ended = True
        if self.ended:
            self.conn.close()

    def is_alive(self) -> bool:
        return not self.ended


def _close_connection(conn) -> None:
    conn.close()


def _context():
    import multiprocessing  # noqa: PLC0415 - only once a worker is needed

    methods = multiprocessing.get_all_start_methods()
    # fork: a worker starts with libcst and the codemod already imported.
    return multiprocessing.get_context("fork" if "fork" in methods else None)


@dataclass
class _Worker:
    """One worker process and the files it holds."""

    codemod: Any
    sources: List[SourceFile] = field(default_factory=list)
    process: Any = None
    conn: Any = None
    in_flight: Optional[Path] = None
    # when the file in flight was started (time.monotonic); None while libcst loads
    started: Optional[float] = 0.0
    overdue: Optional[Path] = None  # the file it was stopped for (over the time limit)
    left: List[SourceFile] = field(default_factory=list)  # sent, not yet answered this phase
    queue: List[SourceFile] = field(default_factory=list)  # not yet sent this phase
    isolated: bool = False  # a process of its own for a file that looks deeply nested
    plan_sent: bool = False  # the plan went with a rewrite message this phase
    # Started ahead of its files, loading libcst (Prestart): it says so when done, and
    # its first file can wait for what the runner reads ahead of it until then.
    preloading: bool = False

    def start(self, copy_of: Optional["_Worker"] = None) -> None:
        """A new process, or a copy of the worker ``copy_of`` (``_start_copy``)."""
        from multiprocessing import util  # noqa: PLC0415

        parent, child = _context().Pipe()
        # Each worker forked from this process later closes its copy of this end as it
        # starts: a worker, waiting on its own pipe, must see that pipe end when this
        # process ends, even killed (and no other worker may hold this end open).
        util.register_after_fork(parent, _close_connection)
        if copy_of is not None:
            from multiprocessing import reduction  # noqa: PLC0415

            try:
                copy_of.send("copy", None)
                reduction.send_handle(copy_of.conn, child.fileno(), copy_of.process.pid)
            except OSError:  # it died: the pipe's closed end shows it, and it is replaced
                pass
            child.close()
            self.process = _Copy(parent)
            self.conn = parent
            return
        self.process = _context().Process(target=_serve, args=(child, self.codemod), daemon=True)
        self.process.start()
        child.close()
        self.conn = parent

    def send(self, kind: str, payload) -> None:
        self.conn.send((kind, payload))

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.conn.send(("stop", None))
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.process = None


class Prestart:
    """Workers started while the runner still reads the tree: the first when
    the first file to parse is found, one more for each further file, up to
    ``jobs``.  Each loads libcst at once, while the reading goes on; the Engine
    then gives them their files.  A tree with nothing to parse starts none."""

    def __init__(self, codemod, jobs: int) -> None:
        self.codemod = codemod
        self.jobs = jobs
        self.workers: List[_Worker] = []

    def wanted(self, source: SourceFile) -> None:
        """A file to parse was found."""
        if len(self.workers) >= self.jobs or looks_deep(source.text):
            return  # a file that looks deep gets a process of its own, later
        worker = _Worker(self.codemod, preloading=True)
        if self.workers and copies_workers():
            worker.start(copy_of=self.workers[0])  # forked once libcst is loaded there
        else:
            worker.start()
            worker.send("load", None)
        self.workers.append(worker)

    def take(self) -> List[_Worker]:
        workers, self.workers = self.workers, []
        return workers

    def abort(self) -> None:
        """Stop them now (an interrupt while reading)."""
        for worker in self.take():
            worker.process.kill()
            worker.process.join()
            worker.process = None


class Engine:
    """Runs the scan and the rewrite of a set of files, each file in one place.

    ``jobs``: worker processes at most (files that look deeply nested get a
    process of their own besides); 0 works in this process for every file, for
    tests, without crash protection or time limit.  ``timeout``: seconds one
    file may take in a worker (each phase) before the worker is stopped and the
    file reported (CM008); None for no limit."""

    def __init__(self, codemod, sources: Sequence[SourceFile], jobs: int,
                 on_progress: Optional[Callable[[], None]] = None,
                 timeout: Optional[float] = DEFAULT_TIMEOUT,
                 started: Sequence[_Worker] = ()) -> None:
        self.codemod = codemod
        self.jobs = jobs
        self.timeout = timeout or None
        self.on_progress = on_progress or (lambda: None)
        self.local = FileWork(codemod)
        self.local_sources: List[SourceFile] = []
        self.workers: List[_Worker] = []
        self.owner: Dict[Path, Any] = {}  # path -> _Worker, or None for this process
        # Scanned files whose rewrite is known to be empty: not sent to be rewritten.
        self.idle: Set[Path] = set()
        self._started = list(started)  # workers already running, without files (Prestart)
        self._costs: Dict[Path, int] = {}
        # What this process read ahead of files not yet sent to be scanned (read_ahead).
        self._ahead: Dict[Path, Any] = {}
        self._assign(list(sources))
        for worker in self._started:  # more than the files need
            worker.stop()
        self._started = []

    # Placement -------------------------------------------------------------------------------

    def _cost(self, source: SourceFile) -> int:
        cost = self._costs.get(source.path)
        if cost is None:
            cost = self._costs[source.path] = self.codemod.cost(source)
        return cost

    def _assign(self, sources: List[SourceFile]) -> None:
        isolated = [s for s in sources if self.jobs and looks_deep(s.text)]
        rest = [s for s in sources if s not in isolated]
        for source in isolated:
            self._new_worker([source], isolated=True)
        if self.jobs == 0:
            self.local_sources = rest
            for source in rest:
                self.owner[source.path] = None
            return
        if not rest:
            return
        count = min(self.jobs, len(rest))
        bins: List[List[SourceFile]] = [[] for _ in range(count)]
        sizes = [0] * count
        for source in sorted(rest, key=self._cost, reverse=True):
            smallest = sizes.index(min(sizes))
            bins[smallest].append(source)
            sizes[smallest] += self._cost(source)
        for group in bins:
            self._new_worker(group)

    def _new_worker(self, sources: List[SourceFile], isolated: bool = False) -> _Worker:
        if self._started and not isolated:
            worker = self._started.pop(0)
            worker.sources = list(sources)
        else:
            worker = _Worker(self.codemod, list(sources), isolated=isolated)
            worker.start()
        self.workers.append(worker)
        for source in sources:
            self.owner[source.path] = worker
        return worker

    def add(self, sources: Sequence[SourceFile]) -> None:
        """Files to rewrite that were not scanned: to this process, or to the
        worker holding the least work."""
        for source in sources:
            if self.jobs and looks_deep(source.text):
                self._new_worker([source], isolated=True)
            elif self.jobs == 0:
                self.local_sources.append(source)
                self.owner[source.path] = None
            elif not any(not w.isolated for w in self.workers):
                self._new_worker([source])
            else:
                worker = min((w for w in self.workers if not w.isolated),
                             key=lambda w: sum(map(self._cost, w.sources)))
                worker.sources.append(source)
                self.owner[source.path] = worker

    # Phases ----------------------------------------------------------------------------------

    def scan(self, meanwhile: Optional[Callable[[], None]] = None
             ) -> Dict[Path, Tuple[str, Any]]:
        """path -> ("facts", facts) or ("done", outcome) for every file;
        ``meanwhile`` is called here once the workers have their first files."""
        return self._phase("scan", None, meanwhile)

    def rewrite(self, plan) -> Dict[Path, FileOutcome]:
        return {path: result for path, (_, result) in self._phase("rewrite", plan).items()}

    def _phase(self, kind: str, plan,
               meanwhile: Optional[Callable[[], None]] = None) -> Dict[Path, Tuple[str, Any]]:
        """Each worker works through its own files, sent one at a time; one that
        runs out takes the files another has not been sent yet (scanned, a file
        is then the taker's; rewritten, the taker parses it again)."""
        results: Dict[Path, Tuple[str, Any]] = {}
        for worker in self.workers:
            worker.left, worker.plan_sent = [], False
            worker.queue = [s for s in worker.sources
                            if kind == "scan" or not self._done_unparsed(s, plan, results)]
            if kind == "rewrite":
                # Files the scan did not parse go first (their rewrite parses them),
                # then the costliest.
                worker.queue.sort(key=lambda s: (s.path not in self.idle, -self._cost(s)))
        # A worker loading libcst ahead of its files (Prestart) gets them once this
        # process has read ahead what it could meanwhile; any other at once (it
        # loads libcst on its first file).
        waiting = [w for w in self.workers if w.preloading] if kind == "scan" else []
        for worker in self.workers:
            if worker not in waiting:
                self._feed(worker, kind, plan)
        if waiting:
            self._read_ahead_while_loading(waiting)
            for worker in waiting:
                self._feed(worker, kind, plan)
        for source in self.local_sources:  # meanwhile, the workers work
            if kind == "scan":
                results[source.path] = self.local.scan(source)
            else:
                results[source.path] = ("done", self.local.rewrite(source, plan))
            self.on_progress()
        if meanwhile is not None:
            meanwhile()
        busy = {w.conn: w for w in self.workers if w.left}
        if busy:
            from multiprocessing.connection import wait  # noqa: PLC0415
        while busy:
            ready = wait(list(busy), timeout=self._until_overdue(busy.values()))
            if not ready:
                self._stop_overdue(busy.values())
                continue
            for conn in ready:
                worker = busy[conn]
                try:
                    event, path, result = conn.recv()
                except (EOFError, OSError):
                    del busy[conn]
                    replacement = self._replace(worker, kind, plan, results)
                    if replacement is not None:
                        busy[replacement.conn] = replacement
                    continue
                if event == "pid":  # a copy's first message (_Copy)
                    worker.process.pid = result
                    continue
                if event == "loaded":  # libcst is loaded (Prestart): nothing to do here
                    continue
                if event == "start":
                    worker.in_flight = path
                    worker.started = time.monotonic()
                    continue
                if event == "loading":
                    worker.started = None  # the clock stops while libcst loads
                    continue
                if event == "facts-idle":
                    self.idle.add(path)
                    event = "facts"
                results[path] = (event, result)
                worker.in_flight = None
                worker.left = [s for s in worker.left if s.path != path]
                if event == "done" and kind == "scan":
                    worker.sources = [s for s in worker.sources if s.path != path]
                self.on_progress()
                self._feed(worker, kind, plan)
                if not worker.left:
                    del busy[conn]
        if kind == "rewrite":
            self.close()
        return results

    def _done_unparsed(self, source: SourceFile, plan, results) -> bool:
        """Whether the file's rewrite outcome is known without sending it: the scan
        found nothing to rewrite in it, and the plan gives it no work."""
        if source.path not in self.idle:
            return False
        outcome = self.codemod.outcome_unparsed(source, plan)
        if outcome is None:
            return False  # the worker parses it (again)
        results[source.path] = ("done", outcome)
        self.on_progress()
        return True

    def _read_ahead(self, source: SourceFile) -> None:
        """What the codemod reads of the file without libcst, kept to go with it."""
        if source.path not in self._ahead:
            try:
                self._ahead[source.path] = self.codemod.read_ahead(source)
            except Exception:  # noqa: BLE001 - the worker reads it itself, and reports
                self._ahead[source.path] = None

    def _read_ahead_while_loading(self, loading: List[_Worker]) -> None:
        """The files not yet sent, in the order they will be (the next of each
        worker first), read ahead while the ``loading`` workers load libcst: this
        process is idle then, and one core with it while the first worker loads
        alone.  It stops as soon as one of them says anything (it has loaded
        libcst, or a copy of it is ready), to send it its files without delay;
        a file too large to read in a moment is left to its worker.  Not on
        Python 3.9 and 3.10, where ``ast`` crashes (a segmentation fault, no
        error) on a long enough chain of operators: a worker's crash is a
        finding, this process's would end the run."""
        if not READS_AHEAD:
            return
        queues = [w.queue for w in self.workers if not w.isolated]
        for position in range(max(map(len, queues), default=0)):
            for queue in queues:
                if position >= len(queue) or len(queue[position].text) > READ_AHEAD_CHARS:
                    continue
                if any(w.conn.poll() for w in loading):
                    return
                self._read_ahead(queue[position])

    def _feed(self, worker: _Worker, kind: str, plan) -> None:
        """Send the worker files until it has ``IN_FLIGHT``: its own first, then
        those another worker has not been sent yet."""
        while len(worker.left) < IN_FLIGHT:
            source = worker.queue.pop(0) if worker.queue else self._take(worker, kind)
            if source is None:
                return
            self._send(worker, kind, plan, [source])

    def _take(self, taker: _Worker, kind: str) -> Optional[SourceFile]:
        """The last file not yet sent of the worker with the most such work."""
        if taker.isolated:
            return None  # a file that looks deep keeps its process to itself
        holders = [w for w in self.workers if w is not taker and w.queue and not w.isolated]
        if not holders:
            return None
        holder = max(holders, key=lambda w: sum(map(self._cost, w.queue)))
        source = holder.queue.pop()
        if kind == "scan":  # the tree stays where it is parsed
            holder.sources = [s for s in holder.sources if s.path != source.path]
            taker.sources.append(source)
            self.owner[source.path] = taker
        return source

    def _until_overdue(self, workers) -> Optional[float]:
        """Seconds until the first file in flight passes the time limit."""
        if self.timeout is None:
            return None
        started = [w.started for w in workers if w.in_flight is not None and w.overdue is None
                   and w.started is not None]
        if not started:
            return self.timeout
        return max(0.0, min(started) + self.timeout - time.monotonic())

    def _stop_overdue(self, workers) -> None:
        """Kill each worker whose file in flight passed the time limit; its pipe
        then closes, and it is replaced as a crashed one is."""
        now = time.monotonic()
        for worker in workers:
            if worker.in_flight is None or worker.overdue is not None or \
                    worker.started is None or now - worker.started < self.timeout:
                continue
            if worker.conn.poll():
                continue  # it has answered meanwhile: read that first
            worker.overdue = worker.in_flight
            worker.process.kill()

    def _send(self, worker: _Worker, kind: str, plan, sources: List[SourceFile]) -> None:
        worker.left.extend(sources)
        if not sources:
            return
        if kind == "rewrite":
            payload = (None if worker.plan_sent else plan, sources)
            worker.plan_sent = True
        else:  # with what was read ahead of each (which this process no longer keeps)
            payload = [replace(s, ahead=self._ahead.pop(s.path)) if self._ahead.get(s.path)
                       is not None else s for s in sources]
        try:
            worker.send(kind, payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it died: the pipe's end is read as such, and it is replaced

    def _replace(self, dead: _Worker, kind: str, plan, results) -> Optional[_Worker]:
        """The worker died: the file it was on crashed; a fresh worker takes the rest."""
        lost = dead.in_flight
        if lost is not None and dead.overdue is not None and lost != dead.overdue:
            # Stopped for a file that it finished just before the kill landed: the
            # file it had started since is not at fault, and goes to the new worker.
            lost = None
        if lost is not None:
            results[lost] = ("done", timed_out(lost, self.timeout)
                             if dead.overdue is not None else crashed(lost))
            self.on_progress()
        dead.process.join()
        dead.process = None
        self.workers.remove(dead)
        rest = [s for s in dead.left if s.path != lost]
        kept = [s for s in dead.sources if s.path != lost]
        if not rest and not dead.queue and kind == "scan" and not kept:
            return None
        # The files the dead worker had scanned are parsed again by the new one
        # when they are rewritten.
        worker = self._new_worker(kept, isolated=dead.isolated)
        worker.queue = list(dead.queue)
        self._send(worker, kind, plan, rest)
        self._feed(worker, kind, plan)
        return worker if worker.left else None

    def close(self) -> None:
        # Copies first: the worker they were forked from then reaps them (_reap).
        for worker in sorted(self.workers, key=lambda w: not isinstance(w.process, _Copy)):
            worker.stop()
        self.workers = []

    def abort(self) -> None:
        """Stop every worker now (an interrupt): nothing they do is kept."""
        for worker in self.workers:
            if worker.process is not None:
                worker.process.kill()
                worker.process.join()
                worker.process = None
        self.workers = []

