"""The runner reads ahead, while the workers load libcst, what a file's scan
takes from its text and ``ast`` alone (``Codemod.read_ahead``), and sends it
with the file: the worker then does not read it again.  What it reads must be
what the worker would have read: every snapshot case gives its expected output
and findings with it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from codemods import workers
from codemods.check import CheckCodemod
from codemods.codemod import ReadAhead
from codemods.migrate import MigrateCodemod
from codemods.read import text_facts
from codemods.settings import Settings
from codemods.sources import read_source
from codemods.strip import StripCodemod
from snapshot_harness import cases, expected_tree, run_case

MIGRATE_CASES = cases("migrate")
STRIP_CASES = cases("strip")


def _as_a_worker_gets_it(monkeypatch):
    """Every file scanned in this process is first read ahead, and scanned as a
    worker would get it: with what was read ahead, and without the ``ast`` this
    process just made of its text."""
    original = workers.FileWork.scan
    read = []

    def scan(self, source):
        ahead = self.codemod.read_ahead(source)
        read.append(ahead)
        text_facts._last_parse[:] = [None, None]
        return original(self, replace(source, ahead=ahead))

    monkeypatch.setattr(workers.FileWork, "scan", scan)
    return read


@pytest.mark.parametrize("case", MIGRATE_CASES, ids=str)
def test_a_case_read_ahead_gives_its_snapshot(case, tmp_path, monkeypatch):
    read = _as_a_worker_gets_it(monkeypatch)
    actual = run_case(case, MigrateCodemod, tmp_path)
    assert read and all(isinstance(ahead, ReadAhead) for ahead in read)
    assert {k: v.decode() for k, v in actual.tree.items()} == {
        k: v.decode() for k, v in expected_tree(case).items()}
    assert actual.findings == case.findings.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", STRIP_CASES, ids=str)
def test_a_strip_case_read_ahead_gives_its_snapshot(case, tmp_path, monkeypatch):
    read = _as_a_worker_gets_it(monkeypatch)
    actual = run_case(case, StripCodemod, tmp_path)
    assert all(ahead is None or isinstance(ahead.facts, object) for ahead in read)
    assert {k: v.decode() for k, v in actual.tree.items()} == {
        k: v.decode() for k, v in expected_tree(case).items()}
    assert actual.findings == case.findings.read_text(encoding="utf-8")


def test_strip_reads_ahead_the_facts_of_a_file_ast_answers_for(tmp_path):
    (tmp_path / "calls.py").write_text(CALLS)
    (tmp_path / "hooks.py").write_text(HOOKS)
    codemod = StripCodemod(Settings())
    calls, hooks = (read_source(tmp_path / name) for name in ("calls.py", "hooks.py"))
    ahead = codemod.read_ahead(calls)
    assert ahead is not None and ahead.facts == codemod.facts_from_text(calls)
    assert codemod.read_ahead(hooks) is None  # libcst reads it: the worker reads its ast
    assert workers.FileWork(codemod).scan(replace(calls, ahead=ReadAhead("given"))) == (
        "facts", "given")


@pytest.mark.parametrize("case", [c for c in MIGRATE_CASES if c.is_tree], ids=str)
def test_check_read_ahead_reports_as_without(case, tmp_path, monkeypatch):
    without = run_case(case, CheckCodemod, tmp_path / "without")
    _as_a_worker_gets_it(monkeypatch)
    ahead = run_case(case, CheckCodemod, tmp_path / "ahead")
    assert ahead.findings == without.findings
    def reports(run):  # each case's tree lies in its own folder
        return [(o.path.name, [replace(h, path=Path(h.path).name) for h in o.hooks])
                for o in run.result.outcomes]

    assert reports(ahead) == reports(without)


CALLS = "import multiprocessing\n\n\ndef f(x):\n    return x.get_state_for_child_job_pickling()\n"

HOOKS = '''\
class Job:
    def __init__(self):
        self.lock = None

    def helper(self):
        return [x for x in range(3)]

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["lock"]
        return state
'''


def test_a_worker_reads_no_ast_of_a_file_read_ahead(tmp_path, monkeypatch):
    (tmp_path / "job.py").write_text(HOOKS)
    codemod = MigrateCodemod(Settings())
    source = read_source(tmp_path / "job.py")
    ahead = codemod.read_ahead(source)
    assert ahead.facts is None and ahead.outline is not None and ahead.layout is not None
    text_facts._last_parse[:] = [None, None]
    parsed_texts = []
    original = text_facts.parse_or_none

    def counted(text):
        parsed_texts.append(text)
        return original(text)

    monkeypatch.setattr(text_facts, "parse_or_none", counted)
    work = workers.FileWork(codemod)
    kind, facts = work.scan(replace(source, ahead=ahead))
    assert kind == "facts" and facts.classes and facts.index is not None
    from codemods.runner import _tree_index

    plan = codemod.plan({source.path: facts}, _tree_index([source.path], {source.path: source.text}))
    outcome = work.rewrite(source, plan)
    assert outcome.status.name == "CHANGED" and '@clear("lock")' in outcome.new
    assert source.text not in parsed_texts  # only the rewrite's output is parsed


def test_what_is_read_ahead_is_what_the_worker_reads(tmp_path):
    (tmp_path / "job.py").write_text(HOOKS)
    (tmp_path / "plain.py").write_text("def get_state_for_child_job_pickling(x):\n    return x\n")
    codemod = MigrateCodemod(Settings())
    for name in ("job.py", "plain.py"):
        source = read_source(tmp_path / name)
        ahead = codemod.read_ahead(source)
        text_facts._last_parse[:] = [None, None]
        assert ahead.facts == codemod.facts_from_text(source)
        if ahead.facts is None:
            assert ahead.outline == codemod.text_to_parse(source)
            parsed = workers.FileWork(codemod)._parse(replace(source, ahead=ahead))
            assert parsed.outline == ahead.outline


class _Conn:
    def __init__(self, speaks_after: int, calls: list) -> None:
        self.speaks_after, self.calls = speaks_after, calls

    def poll(self):
        self.calls.append(1)
        return len(self.calls) > self.speaks_after


class _Worker:
    def __init__(self, files, conn, isolated=False):
        self.queue = [read_source(f) for f in files]
        self.conn, self.isolated, self.left = conn, isolated, [object()]


def _engine_with(worker_list, read, monkeypatch):
    # The order and the stops are the same on every Python (the codemod here parses
    # nothing): on with the reading, where it is off (3.9, 3.10).
    monkeypatch.setattr(workers, "READS_AHEAD", True)
    engine = workers.Engine.__new__(workers.Engine)
    engine.workers, engine._ahead = worker_list, {}

    class Reading:
        def read_ahead(self, source):
            read.append(source.path.name)
            return source.path.name

    engine.codemod = Reading()
    return engine


def test_files_are_read_ahead_in_the_order_they_will_be_sent(tmp_path, monkeypatch):
    files = []
    for name in "abcdefg":
        (tmp_path / f"{name}.py").write_text("x = 1\n")
        files.append(tmp_path / f"{name}.py")
    calls, read = [], []
    quiet = _Conn(10**6, calls)
    engine = _engine_with([_Worker(files[:3], quiet), _Worker(files[3:5], quiet),
                           _Worker(files[5:], quiet, isolated=True)], read, monkeypatch)
    engine._read_ahead_while_loading(engine.workers)
    # the next file of each worker first; a file that looks deep is left to its own process
    assert read == ["a.py", "d.py", "b.py", "e.py", "c.py"]
    assert engine._ahead == {f.path: f.path.name for w in engine.workers[:2] for f in w.queue}


def test_reading_ahead_stops_once_a_worker_speaks(tmp_path, monkeypatch):
    files = []
    for name in "abcd":
        (tmp_path / f"{name}.py").write_text("x = 1\n")
        files.append(tmp_path / f"{name}.py")
    calls, read = [], []
    engine = _engine_with([_Worker(files, _Conn(2, calls))], read, monkeypatch)
    engine._read_ahead_while_loading(engine.workers)
    assert read == ["a.py", "b.py"]  # the third poll found it talking


def test_a_file_too_large_to_read_in_a_moment_is_left_to_its_worker(tmp_path, monkeypatch):
    (tmp_path / "small.py").write_text("x = 1\n")
    (tmp_path / "large.py").write_text("x = 1\n" * 100)
    monkeypatch.setattr(workers, "READ_AHEAD_CHARS", 100)
    read = []
    engine = _engine_with([_Worker([tmp_path / "large.py", tmp_path / "small.py"],
                                   _Conn(10**6, []))], read, monkeypatch)
    engine._read_ahead_while_loading(engine.workers)
    assert read == ["small.py"]


def test_nothing_is_read_ahead_where_ast_can_crash_the_process(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text("x = 1\n")
    read = []
    engine = _engine_with([_Worker([tmp_path / "a.py"], _Conn(10**6, []))], read, monkeypatch)
    monkeypatch.setattr(workers, "READS_AHEAD", False)
    engine._read_ahead_while_loading(engine.workers)
    assert read == []
    assert workers.READS_AHEAD is False or sys.version_info >= (3, 11)


def test_a_long_chain_of_operators_never_ends_the_run(tmp_path):
    """On Python 3.9 and 3.10 ``ast`` crashes the process on such a file (it
    does not raise): only a worker may read it, whose crash is a finding."""
    (tmp_path / "job.py").write_text(HOOKS)
    (tmp_path / "chain.py").write_text(HOOKS.replace("Job", "Chain") + "TOTAL = "
                                       + "+".join(["1"] * 140_000) + "\n")
    # (libcst takes minutes over such a file on 3.11: a time limit, CM008, ends that)
    done = subprocess.run([sys.executable, "-m", "codemods", "migrate", "--diff", "-j", "2",
                           "--timeout", "5", str(tmp_path)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode in (0, 1, 3), done.stderr[-2000:]
    assert "would change" in done.stderr or "would change" in done.stdout
    assert "class Job(JobSerializable)" in done.stdout


def test_a_prestarted_worker_says_when_libcst_is_loaded():
    prestart = workers.Prestart(MigrateCodemod(Settings()), 1)
    source = read_source(Path(__file__))
    prestart.wanted(source)
    [worker] = prestart.take()
    try:
        assert worker.preloading
        assert worker.conn.poll(120)
        assert worker.conn.recv() == ("loaded", None, None)
    finally:
        worker.stop()


def test_the_runner_keeps_no_tree_of_a_file_it_read_ahead(tmp_path):
    (tmp_path / "job.py").write_text(HOOKS)
    for codemod in (MigrateCodemod(Settings()), StripCodemod(Settings())):
        codemod.read_ahead(read_source(tmp_path / "job.py"))
        assert text_facts._last_parse == [None, None]


def test_files_go_to_the_workers_with_what_was_read_ahead(tmp_path, monkeypatch):
    from codemods.runner import run

    for n in range(3):
        (tmp_path / f"job{n}.py").write_text(HOOKS.replace("Job", f"Job{n}"))
    sent = []
    original = workers._Worker.send

    def send(self, kind, payload):
        if kind == "scan":
            sent.extend(payload)
        return original(self, kind, payload)

    monkeypatch.setattr(workers._Worker, "send", send)
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=2)
    assert sorted(o.path.name for o in result.changes) == [
        "job0.py", "job1.py", "job2.py", "serialization.py"]
    assert sent and all(s.ahead is None or isinstance(s.ahead, ReadAhead) for s in sent)
    if workers.READS_AHEAD:
        assert isinstance(sent[0].ahead, ReadAhead)  # read while the worker loaded libcst
