"""The strip codemod: its snapshot cases, and what only the command line shows
(a deletion in --diff, --check and --interactive)."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from codemods import cli
from codemods.codemod import parse
from codemods.settings import Settings
from codemods.sources import read_source
from codemods.strip import StripCodemod, StripCommand
from snapshot_harness import SNAPSHOTS, cases

CASES = cases("strip")

command = cli.codemod_command("strip", lambda: StripCodemod, "Remove job pickling.")

PICKLER = """\
import io
import pickle


def pickle_job(job):
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    pickler.dispatch_table[Job] = _reduce_job
    pickler.dump(job)
    return buffer


def _reduce_job(job):
    return Job, (), job.get_state_for_child_job_pickling()
"""

JOB = """\
from .pickler import pickle_job


class Job:
    def start(self, platform):
        if platform.does_multiprocessing_start_require_pickling():
            return pickle_job(self)
        return self

    def get_state_for_child_job_pickling(self):
        return self.__dict__.copy()
"""

STRIPPED_JOB = """\
class Job:
    def start(self, platform):
        return self
"""


def test_cases_exist():
    assert (SNAPSHOTS / "strip").is_dir() and CASES


@pytest.fixture
def tree(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "pickler.py").write_text(PICKLER)
    (package / "job.py").write_text(JOB)
    return tmp_path


def invoke(*args, input=None):
    return CliRunner().invoke(command, [str(a) for a in args], input=input,
                              catch_exceptions=False)


def test_diff_shows_the_pickler_deleted_and_writes_nothing(tree):
    result = invoke("--diff", tree)
    assert result.exit_code == cli.EXIT_OK
    pickler = (tree / "pkg" / "pickler.py").as_posix()
    assert f"--- {pickler}\n+++ /dev/null\n" in result.stdout
    assert "-def pickle_job(job):" in result.stdout
    assert "-from .pickler import pickle_job" in result.stdout
    assert (tree / "pkg" / "pickler.py").read_text() == PICKLER
    assert "2 files would change" in result.stderr


def test_check_exits_1_on_a_pending_deletion(tree):
    (tree / "pkg" / "job.py").write_text(STRIPPED_JOB)
    result = invoke("--check", tree)
    assert result.exit_code == cli.EXIT_PENDING
    assert "1 file would change" in result.stderr
    assert (tree / "pkg" / "pickler.py").exists()


def test_write_deletes_the_pickler_and_then_check_is_clean(tree):
    result = invoke(tree)
    assert result.exit_code == cli.EXIT_OK
    assert not (tree / "pkg" / "pickler.py").exists()
    assert (tree / "pkg" / "job.py").read_text() == STRIPPED_JOB
    assert invoke("--check", tree).exit_code == cli.EXIT_OK


@pytest.mark.parametrize("answer, deleted", [("y", True), ("n", False)])
def test_interactive_asks_before_deleting(tree, answer, deleted):
    # job.py comes first in the review, then the deletion of pickler.py.
    result = invoke("--interactive", tree, input=f"y\n{answer}\n")
    assert result.exit_code == cli.EXIT_OK
    pickler = tree / "pkg" / "pickler.py"
    assert f"Delete {pickler}? [y]es, [n]o, [a]ll, [q]uit" in result.stderr
    assert f"Apply {tree / 'pkg' / 'job.py'}?" in result.stderr
    assert pickler.exists() is not deleted
    if not deleted:
        assert "CM006 declined in review; not written" in result.stderr


def test_cython_hooks_are_reported_and_the_file_is_left_alone(tmp_path):
    source = "cdef class Node:\n    def __getstate__(self):\n        return self.x\n"
    (tmp_path / "node.pyx").write_text(source)
    result = invoke("--check", tmp_path)
    assert result.exit_code == cli.EXIT_OK
    assert "node.pyx:2:4: CM201 __getstate__() is a job-pickling hook in a Cython file" in \
        result.stderr
    assert "0 files would change, 0 unchanged, 1 skipped with findings" in result.stderr
    assert (tmp_path / "node.pyx").read_text() == source


def test_options_reach_the_settings(tmp_path):
    """--pickler-module, --pickling-predicate and --keep-guards as the lead wires
    them: extra click options named after the Settings fields."""
    import click

    extra = [
        click.option("--pickler-module", default=None),
        click.option("--pickling-predicate", "pickling_predicates", multiple=True),
        click.option("--keep-guards", is_flag=True, default=None),
    ]
    wired = cli.codemod_command("strip", lambda: StripCodemod, "Strip.", extra)
    (tmp_path / "mod.py").write_text(
        "class S:\n    def __getstate__(self):\n        raise TypeError('no')\n\n\n"
        "def f(p):\n    if p.spawns():\n        return 1\n    return 2\n")
    result = CliRunner().invoke(wired, ["--diff", "--keep-guards", "--pickling-predicate",
                                        "spawns", str(tmp_path)])
    assert result.exit_code == cli.EXIT_OK
    assert "-    if p.spawns():" in result.stdout
    assert "__getstate__" not in result.stdout


def test_the_libcst_command_runs_alone_on_one_file(tmp_path):
    """StripCommand is a plain libcst codemod command: without the tree's plan it
    still strips the file, knowing only the configured job pickler."""
    path = tmp_path / "job.py"
    path.write_text("import app.spawner\n\n\n" + JOB.replace("from .pickler import pickle_job\n\n\n", ""))
    parsed = parse(read_source(path))
    stripped = StripCommand(parsed.context(), Settings(pickler_module="app.spawner"))
    result = stripped.transform_module(parsed.module).code
    assert result == STRIPPED_JOB
    assert [f.code for f in stripped.findings] == []


def test_a_module_that_an_unrewritten_file_mentions_is_not_deleted(tree):
    (tree / "pkg" / "legacy.py").write_text("from .pickler import pickle_job\n")
    result = invoke("--exclude", "legacy.py", tree)
    assert result.exit_code == cli.EXIT_OK
    assert (tree / "pkg" / "pickler.py").exists()
    assert "CM208 not deleted: 1 file(s) that strip did not rewrite mention 'pickler'" in result.stderr


def test_no_deletion_once_a_rewrite_failed(tree):
    os.chmod(tree / "pkg" / "job.py", 0o444)
    result = invoke(tree)
    assert result.exit_code == cli.EXIT_FAILED
    assert "job.py:1:0: CM005 is read-only" in result.stderr
    assert "CM007 not deleted: another change was declined or could not be written" in result.stderr
    assert (tree / "pkg" / "pickler.py").read_text() == PICKLER


def test_interactive_offers_no_deletion_once_an_importer_was_declined(tree):
    result = invoke("--interactive", tree, input="n\n")
    assert result.exit_code == cli.EXIT_OK
    assert "Delete" not in result.stderr
    assert (tree / "pkg" / "pickler.py").exists()
    assert "CM007 not deleted: another change was declined" in result.stderr
