"""The worker processes: the time limit counts only a file's own work, and a
worker stopped for a file is never blamed for another."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from codemods import workers
from codemods.migrate import MigrateCodemod
from codemods.report import Status
from codemods.runner import _tree_index
from codemods.settings import Settings
from codemods.sources import read_source

HOOK = ('class Job{n}:\n    def __getstate__(self):\n        state = self.__dict__.copy()\n'
        '        del state["lock"]\n        return state\n')


def _tree(tmp_path: Path, count: int):
    for n in range(count):
        (tmp_path / f"job{n}.py").write_text(HOOK.format(n=n))
    return sorted(tmp_path.glob("*.py"))


def test_loading_libcst_is_not_counted_in_the_first_files_time(tmp_path):
    # Loading libcst and the codemod's modules takes a worker some tenths of a
    # second; a limit below that must still let small files through.
    _tree(tmp_path, 4)
    done = subprocess.run([sys.executable, "-m", "codemods", "migrate", "--timeout", "0.3",
                           "-j", "2", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert "CM008" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    assert all('@clear("lock")' in path.read_text() for path in tmp_path.glob("job*.py"))


def _engine(tmp_path: Path, count: int, timeout=5.0):
    sources = [read_source(path) for path in _tree(tmp_path, count)]
    engine = workers.Engine(MigrateCodemod(Settings()), sources, 1, timeout=timeout)
    return engine, sources


def test_a_worker_that_has_answered_is_not_stopped_as_overdue(tmp_path):
    engine, sources = _engine(tmp_path, 1)
    try:
        worker = engine.workers[0]
        engine._send(worker, "scan", None, worker.sources)
        assert worker.conn.poll(30)  # its first answer waits in the pipe, unread
        worker.in_flight, worker.started = sources[0].path, time.monotonic() - 60
        engine._stop_overdue([worker])
        assert worker.overdue is None and worker.process.is_alive()
    finally:
        engine.abort()


def _killed(tmp_path, overdue: int, in_flight: int, left):
    """A worker holding two files, stopped for file ``overdue`` while on file
    ``in_flight`` (indexes), with ``left`` unanswered; what its replacement gets."""
    engine, _ = _engine(tmp_path, 2)
    worker = engine.workers[0]
    files = sorted(worker.sources, key=lambda s: str(s.path))
    worker.left = [files[index] for index in left]
    worker.overdue, worker.in_flight = files[overdue].path, files[in_flight].path
    worker.process.kill()
    results = {}
    replacement = engine._replace(worker, "scan", None, results)
    return engine, [f.path for f in files], results, replacement


def test_a_worker_stopped_after_finishing_its_file_does_not_blame_the_next(tmp_path):
    # Stopped for the first file, which it finished before the kill landed, while
    # it had started on the second meanwhile.
    engine, (first, second), results, replacement = _killed(tmp_path, 0, 1, [1])
    try:
        assert second not in results
        assert replacement is not None and [s.path for s in replacement.left] == [second]
    finally:
        engine.abort()


def test_a_worker_stopped_for_its_file_reports_that_file(tmp_path):
    engine, (first, second), results, replacement = _killed(tmp_path, 0, 0, [0, 1])
    try:
        event, outcome = results[first]
        assert event == "done" and outcome.status is Status.FAILED
        assert outcome.findings[0].code == "CM008"
        assert [s.path for s in replacement.left] == [second]
    finally:
        engine.abort()


def test_a_worker_out_of_files_takes_those_another_has_not_been_sent(tmp_path):
    # Every file placed with the first worker: the second takes the ones not yet
    # sent, scans them and keeps their trees (it owns them), and the rewrite of
    # files taken again (parsed anew) is the same as in one process.
    paths = _tree(tmp_path, 4)
    (tmp_path / "plain.py").write_text("VALUE = 1\n")
    sources = [read_source(path) for path in sorted(tmp_path.glob("*.py"))]
    codemod = MigrateCodemod(Settings())
    index = _tree_index([s.path for s in sources], {s.path: s.text for s in sources})

    def plan(scanned):
        return codemod.plan({path: facts for path, (_, facts) in scanned.items()}, index)

    alone = workers.Engine(codemod, sources, 0)
    expected_facts = alone.scan()
    expected = alone.rewrite(plan(expected_facts))
    engine = workers.Engine(codemod, sources, 2)
    try:
        first, second = engine.workers
        first.sources, second.sources = list(sources), []
        for source in sources:
            engine.owner[source.path] = first
        scanned = engine.scan()
        assert second.sources and all(engine.owner[s.path] is second for s in second.sources)
        assert sorted(scanned) == sorted(expected_facts)
        assert tmp_path / "plain.py" in engine.idle  # nothing to rewrite: never sent again
        first.sources, second.sources = first.sources + second.sources, []
        outcomes = engine.rewrite(plan(scanned))
    finally:
        engine.abort()
    assert {p: (o.status, o.new) for p, o in outcomes.items()} == \
        {p: (o.status, o.new) for p, o in expected.items()}
    assert all(outcomes[path].status is Status.CHANGED for path in paths)


class _Counting:
    """Counts the worker processes started, and keeps them for a look."""

    def __init__(self, monkeypatch) -> None:
        self.started = []
        original = workers._Worker.start

        def start(worker, copy_of=None):
            original(worker, copy_of)
            self.started.append(worker)

        monkeypatch.setattr(workers._Worker, "start", start)


def test_workers_start_while_the_tree_is_read_and_take_its_files(tmp_path, monkeypatch):
    from codemods.runner import run

    counting = _Counting(monkeypatch)
    (tmp_path / "plain.py").write_text("x = 1\n")
    _tree(tmp_path, 3)
    seen_at_start = []
    original = workers.Prestart.wanted

    def wanted(prestart, source):
        original(prestart, source)
        seen_at_start.append(len(prestart.workers))

    monkeypatch.setattr(workers.Prestart, "wanted", wanted)
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=2)
    # one more for each file to parse, up to -j, while the reading went on
    assert seen_at_start == [1, 2, 2]
    assert len(counting.started) == 2  # the Engine started none of its own
    assert sum(outcome.status is Status.CHANGED and outcome.path.name.startswith("job")
               for outcome in result.outcomes) == 3
    assert all(worker.process is None for worker in counting.started)  # all stopped


def test_the_plans_module_names_are_found_while_the_workers_scan(tmp_path, monkeypatch):
    """The tree index names every file once the workers have their first files,
    not after the scan (where the plan would wait for it); a tree with nothing
    to parse names none."""
    from codemods import index as index_module
    from codemods.runner import run

    calls = []
    original = index_module.TreeIndex.name_files

    def name_files(index):
        engine_workers = [w for w in workers_seen if w.process is not None]
        calls.append((index._named is None, all(w.left for w in engine_workers)))
        original(index)

    workers_seen = []
    original_feed = workers.Engine._feed

    def feed(engine, worker, kind, plan):
        workers_seen.append(worker)
        original_feed(engine, worker, kind, plan)

    monkeypatch.setattr(index_module.TreeIndex, "name_files", name_files)
    monkeypatch.setattr(workers.Engine, "_feed", feed)
    _tree(tmp_path, 3)
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=2)
    assert calls == [(True, True)]  # once, before anything named them, files in flight
    assert sum(outcome.status is Status.CHANGED and outcome.path.name.startswith("job")
               for outcome in result.outcomes) == 3

    calls.clear()
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "mod.py").write_text("x = 1\n")
    run(MigrateCodemod(Settings()), [plain], jobs=2)
    assert calls == []


def test_strip_names_the_files_it_read_while_the_workers_scan(tmp_path, monkeypatch):
    """``strip`` asks every file it passed over whether the plan gives it work
    (``rewrite_wants``, by module name): the names are found before the plan."""
    from codemods import codemod as codemod_module
    from codemods.runner import run
    from codemods.strip import StripCodemod

    named, planned = [], []
    original = codemod_module._ROOTS._names_of
    monkeypatch.setattr(codemod_module._ROOTS, "_names_of",
                        lambda path: named.append(path.name) or original(path))
    plan = StripCodemod.plan
    monkeypatch.setattr(StripCodemod, "plan",
                        lambda self, *args: planned.append(list(named)) or plan(self, *args))
    _tree(tmp_path, 2)
    for n in range(3):
        (tmp_path / f"plain{n}.py").write_text("x = 1\n")
    run(StripCodemod(Settings()), [tmp_path], jobs=2)
    assert {f"plain{n}.py" for n in range(3)} <= set(planned[0])
    assert len(named) == len(set(named))  # each once


def test_naming_ahead_of_time_that_fails_is_reported_where_the_names_are_needed(tmp_path,
                                                                              monkeypatch):
    """The names found while the workers scan are only found ahead of time: an
    error there ends nothing, and the plan that needs them reports it (CM900)."""
    from codemods import runner

    def fails(path):
        raise RuntimeError("cannot name it")

    monkeypatch.setattr(runner, "module_names", fails)
    _tree(tmp_path, 2)
    result = runner.run(MigrateCodemod(Settings()), [tmp_path], jobs=2)
    assert {f.code for o in result.outcomes for f in o.findings} == {"CM900"}
    assert all(o.status is Status.FAILED for o in result.outcomes)


def test_a_tree_with_nothing_to_parse_starts_no_worker(tmp_path, monkeypatch):
    from codemods.runner import run

    counting = _Counting(monkeypatch)
    (tmp_path / "plain.py").write_text("x = 1\n")
    run(MigrateCodemod(Settings()), [tmp_path], jobs=2)
    assert counting.started == []


def test_an_interrupt_while_reading_stops_the_workers_started(tmp_path, monkeypatch):
    from codemods.runner import run

    counting = _Counting(monkeypatch)
    _tree(tmp_path, 3)
    calls = []

    class Interrupted(MigrateCodemod):
        def wants(self, path, text):
            calls.append(path)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return super().wants(path, text)

    try:
        run(Interrupted(Settings()), [tmp_path], jobs=2)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt was swallowed")
    assert len(counting.started) == 1
    assert counting.started[0].process is None  # killed and joined


def test_started_workers_beyond_the_files_are_stopped(tmp_path, monkeypatch):
    counting = _Counting(monkeypatch)
    sources = [read_source(path) for path in _tree(tmp_path, 1)]
    codemod = MigrateCodemod(Settings())
    prestart = workers.Prestart(codemod, 2)
    prestart.wanted(sources[0])
    prestart.wanted(sources[0])
    engine = workers.Engine(codemod, sources, 2, started=prestart.take())
    try:
        assert len(engine.workers) == 1 and engine.workers[0] is counting.started[0]
        assert counting.started[1].process is None
        scanned = engine.scan()
        assert scanned[sources[0].path][0] == "facts"
    finally:
        engine.abort()


def test_files_are_placed_on_workers_by_the_codemods_cost_not_their_size(tmp_path):
    # A job pickler's scan resolves names: migrate counts it ten times its size,
    # so the small pickler weighs more than the largest plain file and has a worker
    # to itself, where sizes alone would have put it beside the smaller file.
    (tmp_path / "pickler.py").write_text(
        "import pickle\n\n\ndef dump(job, data):\n    pickler = pickle.Pickler(data)\n"
        "    pickler.dispatch_table[Job] = _reduce\n    pickler.dump(job)\n")
    (tmp_path / "large.py").write_text(HOOK.format(n=1) + "# filler\n" * 100)
    (tmp_path / "small.py").write_text(HOOK.format(n=2) + "# filler\n" * 40)
    sources = {s.path.name: s for s in map(read_source, sorted(tmp_path.glob("*.py")))}
    codemod = MigrateCodemod(Settings())
    assert len(sources["pickler.py"].text) < len(sources["small.py"].text)
    assert codemod.cost(sources["pickler.py"]) > codemod.cost(sources["large.py"])
    engine = workers.Engine(codemod, list(sources.values()), 2)
    try:
        placed = sorted(sorted(s.path.name for s in w.sources) for w in engine.workers)
    finally:
        engine.abort()
    assert placed == [["large.py", "small.py"], ["pickler.py"]]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not workers.copies_workers(), reason="workers are not copied here")
def test_the_second_worker_is_a_copy_of_the_first_and_works_the_same(tmp_path, monkeypatch):
    # libcst is loaded once: the second worker is forked from the first once it has
    # loaded it.  Its results are those of a run in one process, its process ends
    # with the run, and stopping the first does not wait for the copy to end.
    from codemods.runner import run

    counting = _Counting(monkeypatch)
    _tree(tmp_path, 4)
    copy = tmp_path.parent / "copy"
    import shutil  # noqa: PLC0415

    shutil.copytree(tmp_path, copy)
    alone = run(MigrateCodemod(Settings()), [copy], jobs=0)
    pids = []
    original = workers.Engine.close

    def close(engine):
        pids.extend(w.process.pid for w in engine.workers if isinstance(w.process, workers._Copy))
        started = time.monotonic()
        original(engine)
        assert time.monotonic() - started < 2

    monkeypatch.setattr(workers.Engine, "close", close)
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=2)
    assert len(counting.started) == 2
    assert len(pids) == 1 and pids[0] is not None  # the second worker was a copy
    assert not _alive(pids[0])
    assert {o.path.name: (o.status, o.new) for o in result.outcomes} == \
        {o.path.name: (o.status, o.new) for o in alone.outcomes}


def _prestarted(tmp_path, codemod):
    """Two files, and two workers started for them: the first, and its copy."""
    sources = [read_source(path) for path in _tree(tmp_path, 2)]
    prestart = workers.Prestart(codemod, 2)
    for source in sources:
        prestart.wanted(source)
    assert isinstance(prestart.workers[1].process, workers._Copy)
    return sources, prestart


@pytest.mark.skipif(not workers.copies_workers(), reason="workers are not copied here")
def test_a_copy_stopped_for_its_file_is_replaced_and_the_file_reported(tmp_path):
    codemod = MigrateCodemod(Settings())
    sources, prestart = _prestarted(tmp_path, codemod)
    engine = workers.Engine(codemod, sources, 2, started=prestart.take(), timeout=30)
    try:
        copy = next(w for w in engine.workers if isinstance(w.process, workers._Copy))
        engine._send(copy, "scan", None, copy.sources[:1])
        event, _, pid = copy.conn.recv()
        assert event == "pid" and _alive(pid)
        copy.process.pid = pid
        while copy.conn.recv()[0] in ("start", "loading"):
            pass  # up to its answer, read: the kill lands on a worker between files
        copy.in_flight, copy.started = copy.sources[0].path, time.monotonic() - 60
        copy.left = copy.sources[:1]
        engine._stop_overdue([copy])
        assert copy.overdue is not None
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _alive(pid)
        results = {}
        replacement = engine._replace(copy, "scan", None, results)
        assert results[copy.sources[0].path][1].findings[0].code == "CM008"
        assert replacement is None or not isinstance(replacement.process, workers._Copy)
    finally:
        engine.abort()


@pytest.mark.skipif(not workers.copies_workers(), reason="workers are not copied here")
def test_the_first_worker_ends_even_while_its_copy_runs(tmp_path):
    # The copy closes what it inherited, multiprocessing's end-of-process pipe of
    # the first worker among it: that worker, killed, is joined at once.
    _, prestart = _prestarted(tmp_path, MigrateCodemod(Settings()))
    first, second = prestart.workers
    try:
        event, _, pid = second.conn.recv()  # the copy is running
        assert event == "pid" and _alive(pid)
        first.process.kill()
        started = time.monotonic()
        first.process.join(timeout=3)
        assert time.monotonic() - started < 2  # its end shows at once
        assert _alive(pid)
    finally:
        second.process.pid = pid
        prestart.abort()


def test_a_worker_reaps_its_copies_and_waits_no_longer_than_its_limit():
    import os  # noqa: PLC0415
    import signal  # noqa: PLC0415

    ended = os.fork()
    if ended == 0:
        os._exit(0)
    running = os.fork()
    if running == 0:
        time.sleep(30)
        os._exit(0)
    try:
        started = time.monotonic()
        workers._reap([ended, running], limit=0.2)
        assert time.monotonic() - started < 2
        with pytest.raises(ChildProcessError):
            os.waitpid(ended, os.WNOHANG)  # reaped already
        assert os.waitpid(running, os.WNOHANG) == (0, 0)  # left running
    finally:
        os.kill(running, signal.SIGKILL)
        os.waitpid(running, 0)


class _Failing(MigrateCodemod):
    """Crashes the worker (an error no step guards) on the file named ``fail``."""

    fail = "job0.py"

    def text_to_parse(self, source):
        if source.path.name == self.fail:
            raise RuntimeError("a bug of ours")
        return super().text_to_parse(source)


def _two_workers_on(tmp_path, failing_on_first: bool):
    """Two started workers (the second a copy), each given one file, the failing
    file on the first worker or on the copy; the scan's results and its time."""
    codemod = _Failing(Settings())
    sources, prestart = _prestarted(tmp_path, codemod)
    engine = workers.Engine(codemod, sources, 2, started=prestart.take(), timeout=30)
    try:
        first, copy = engine.workers
        assert isinstance(copy.process, workers._Copy)
        failing, other = sorted(sources, key=lambda s: s.path.name != codemod.fail)
        mine, theirs = (first, copy) if failing_on_first else (copy, first)
        mine.sources, theirs.sources = [failing], [other]
        engine.owner.update({failing.path: mine, other.path: theirs})
        started = time.monotonic()
        scanned = engine.scan()
        return scanned, time.monotonic() - started, failing.path
    finally:
        engine.abort()


@pytest.mark.skipif(not workers.copies_workers(), reason="workers are not copied here")
def test_the_first_worker_crashing_while_its_copy_works_is_seen_at_once(tmp_path):
    # It does not wait for its copies to end unless it was stopped.
    scanned, seconds, failing = _two_workers_on(tmp_path, failing_on_first=True)
    assert seconds < 3
    assert scanned[failing][1].findings[0].code == "CM003"


@pytest.mark.skipif(not workers.copies_workers(), reason="workers are not copied here")
def test_a_copy_that_crashes_shows_why(tmp_path, capfd):
    scanned, _, failing = _two_workers_on(tmp_path, failing_on_first=False)
    assert scanned[failing][1].findings[0].code == "CM003"
    err = capfd.readouterr().err
    assert "Worker copy" in err and "RuntimeError: a bug of ours" in err


def test_workers_end_when_the_runner_is_killed(tmp_path):
    # A worker waits on its pipe; if it (or another worker) held the runner's end
    # open too, it would wait for ever once the runner is killed.
    _tree(tmp_path, 3)
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from codemods import workers\n"
        "from codemods.migrate import MigrateCodemod\n"
        "from codemods.settings import Settings\n"
        "from codemods.sources import read_source\n"
        "sources = [read_source(p) for p in sorted(Path(sys.argv[1]).glob('*.py'))]\n"
        "prestart = workers.Prestart(MigrateCodemod(Settings()), 2)\n"
        "for source in sources:\n"
        "    prestart.wanted(source)\n"
        "started = prestart.take()\n"
        "extra = workers._Worker(MigrateCodemod(Settings()))\n"
        "extra.start()  # forked from this process after the others\n"
        "for worker in started:\n"
        "    if isinstance(worker.process, workers._Copy):\n"
        "        worker.process.join(timeout=0)  # reads its pid\n"
        "        while worker.process.pid is None:\n"
        "            worker.process.join(timeout=0.05)\n"
        "pids = [w.process.pid for w in started] + [extra.process.pid]\n"
        "print(' '.join(map(str, pids)), flush=True)\n"
        "time.sleep(60)\n")
    runner = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(pid) for pid in runner.stdout.readline().split()]
        assert len(pids) == 3 and all(map(_alive, pids))
    finally:
        runner.kill()
        runner.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, pids))


FREEZES = """
import gc, sys
from pathlib import Path
from codemods import workers
from codemods.migrate import MigrateCodemod
from codemods.runner import _tree_index
from codemods.settings import Settings
from codemods.sources import read_source

sources = [read_source(Path(p)) for p in sys.argv[2:]]
codemod = MigrateCodemod(Settings())
work = workers.FileWork(codemod, in_worker=sys.argv[1] == "worker")
counts = [gc.get_freeze_count()]
facts = {s.path: work.scan(s)[1] for s in sources}
counts.append(gc.get_freeze_count())
plan = codemod.plan(facts, _tree_index([s.path for s in sources], {}))
outcomes = [work.rewrite(s, plan) for s in sources]
counts.append(gc.get_freeze_count())
print(counts, [o.status.name for o in outcomes])
"""


@pytest.mark.parametrize("kind", ["worker", "in-process"])
def test_a_worker_freezes_its_heap_once_loaded_and_when_the_rewrite_starts(tmp_path, kind):
    # The trees and libcst's modules live as long as the worker: kept out of the
    # garbage collector's full collections (workers._freeze_heap).  The runner's
    # own process (jobs 0, the tests) never freezes.
    paths = _tree(tmp_path, 2)
    done = subprocess.run([sys.executable, "-c", FREEZES, kind, *map(str, paths)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    counts, statuses = done.stdout.strip().split("] [")
    loaded, scanned, rewritten = (int(n) for n in counts.strip("[").split(", "))
    assert statuses.strip("]") == "'CHANGED', 'CHANGED'"
    if kind == "worker":
        assert loaded == 0 < scanned  # frozen once libcst is loaded (by the first scan)
        assert rewritten > scanned  # and again when the rewrite starts
    else:
        assert loaded == scanned == rewritten == 0


JOB_PICKLER = """import copyreg
import pickle

from .proto import Digest as DigestProto
from . import utils
from .jobs import Job0


def _reduce_job(job):
    return (Job0, ())


def _reduce_digest(digest):
    return (DigestProto, ())


def pickler(stream):
    p = pickle.Pickler(stream)
    p.dispatch_table = copyreg.dispatch_table.copy()
    p.dispatch_table[Job0] = _reduce_job
    p.dispatch_table[DigestProto] = _reduce_digest
    return p
"""


def test_the_modules_a_job_pickler_imports_are_read_while_the_workers_load(tmp_path,
                                                                           monkeypatch):
    """The plan resolves each dispatch_table key through the modules the job
    pickler imports: the runner reads them ahead (``MigrateCodemod.prefetch``),
    and the plan reads no module of its own."""
    from codemods import index as index_module
    from codemods.runner import run

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "jobs.py").write_text(HOOK.format(n=0))
    (package / "proto.py").write_text("Digest = make('Digest')\n" * 50)
    (package / "utils.py").write_text("def helper():\n    return 1\n")
    (package / "jobpickler.py").write_text(JOB_PICKLER)
    read, planning = [], []
    original = index_module.module_facts
    monkeypatch.setattr(index_module, "module_facts",
                        lambda text, path, *args: read.append((path.name, bool(planning)))
                        or original(text, path, *args))
    plan = MigrateCodemod.plan
    monkeypatch.setattr(MigrateCodemod, "plan",
                        lambda self, *args: planning.append(1) or plan(self, *args))
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=2)
    assert ("proto.py", False) in read and ("utils.py", False) in read
    assert not [name for name, in_plan in read if in_plan]
    changed = {o.path.name for o in result.outcomes if o.status is Status.CHANGED}
    assert "jobs.py" in changed
    assert not [f for o in result.outcomes for f in o.findings if f.code == "CM900"]


def test_reading_ahead_never_runs_libcsts_parser_in_the_runner(tmp_path, monkeypatch):
    """A module ``ast`` cannot read (too deep, newer syntax) is left for the plan,
    which reads it as it would have: libcst's native parser can crash on deep
    nesting, and the runner's process has no worker around it."""
    import ast

    from codemods import index as index_module
    from codemods.runner import _tree_index

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "deep.py").write_text("TABLE = " + "(" * 300 + "1" + ")" * 300 + "\n")
    (package / "fine.py").write_text("class Fine:\n    pass\n")
    pickler = package / "jobpickler.py"
    pickler.write_text("from . import deep, fine\n")
    files = sorted(package.glob("*.py"))
    index = _tree_index(files, {})
    index.name_files()
    monkeypatch.setattr(index_module, "_read_with_libcst",
                        lambda *args: pytest.fail("libcst's parser ran in the runner"))
    index.read_imported(pickler, ast.parse(pickler.read_text()))
    assert package / "fine.py" in index._modules
    assert package / "deep.py" not in index._modules  # the plan reads it, as before
