"""The three codemods through libcst's own runner (``python -m libcst.tool``):
listed, runnable with their options, and giving the files our command line
gives on the same snapshot cases."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codemods.check import CheckCodemod
from codemods.migrate import MigrateCodemod
from codemods.runner import run, write
from codemods.strip import StripCodemod
from snapshot_harness import SNAPSHOTS, cases

CONFIG = """generated_code_marker: '@generated'
formatter: ['cat']
blacklist_patterns: []
modules:
- 'codemods.commands'
repo_root: '.'
"""
EXAMPLE = Path(__file__).parent.parent / "examples" / "shop"


def libcst_tool(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    (cwd / ".libcst.codemod.yaml").write_text(CONFIG)
    return subprocess.run([sys.executable, "-m", "libcst.tool", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def single_file_cases(codemod: str):
    """The cases of one file, with default settings, whose expected output stays in
    that file (no module written or deleted elsewhere)."""
    return [case for case in cases(codemod)
            if not case.is_tree and case.settings() == _defaults()]


def _defaults():
    from codemods.settings import Settings  # noqa: PLC0415

    return Settings()


def _tree_of(codemod: str, tmp: Path, name: str) -> Path:
    tree = tmp / name
    shared = SNAPSHOTS / codemod / "_tree"
    if shared.is_dir():
        shutil.copytree(shared, tree)
    else:
        tree.mkdir()
    for case in single_file_cases(codemod):
        shutil.copyfile(case.input, tree / (case.name + ".py"))
    return tree


def _texts(tree: Path):
    return {path.relative_to(tree).as_posix(): path.read_text()
            for path in sorted(tree.rglob("*.py"))}


def test_the_commands_are_listed(tmp_path):
    listed = libcst_tool(tmp_path, "list")
    assert listed.returncode == 0, listed.stderr
    names = {line.split(" - ")[0] for line in listed.stdout.splitlines() if " - " in line}
    assert names == {"migrate.MigrateCommand", "strip.StripCommand", "check.CheckCommand"}


@pytest.mark.parametrize("codemod, command, codemod_class", [
    ("migrate", "migrate.MigrateCommand", MigrateCodemod),
    ("strip", "strip.StripCommand", StripCodemod),
])
def test_libcst_runner_gives_our_output(tmp_path, codemod, command, codemod_class):
    ours = _tree_of(codemod, tmp_path, "ours")
    theirs = _tree_of(codemod, tmp_path, "theirs")
    assert len(single_file_cases(codemod)) >= 8
    result = run(codemod_class(_defaults()), [ours], jobs=0)
    for outcome in result.changes:
        assert write(outcome) is None
    done = libcst_tool(theirs, "codemod", command, "-j", "1", "--no-format", "--hide-progress",
                       ".")
    assert "Failed to codemod 0 files" in done.stderr, done.stderr
    expected, got = _texts(ours), _texts(theirs)
    assert got.keys() == expected.keys()
    differing = [name for name in expected if expected[name] != got[name]]
    # Where libcst does not print a line back, ours rewrites around it; through
    # libcst's runner the file is left as it was, with a warning that says why.
    misprinted = [name for name in differing if name.startswith("roundtrip_")]
    for name in misprinted:
        assert got[name] == (SNAPSHOTS / codemod / name).read_text()
        assert f"{name}\nWARNING: CM004" in done.stderr or "CM004" in done.stderr
    # Ours holds back a file tied to one that keeps a use of what it would remove
    # (CM104, here: a call strip leaves in another case's file); libcst's runner,
    # one file at a time, cannot.
    held_back = sorted(o.path.name for o in result.outcomes
                       if any(f.code == "CM104" for f in o.findings))
    assert sorted(set(differing) - set(misprinted)) == held_back
    assert sum(old != new for old, new in zip(_texts(_tree_of(codemod, tmp_path, "x")).values(),
                                              got.values())) >= 5  # it did rewrite


def test_options_reach_the_command(tmp_path):
    (tmp_path / "job.py").write_text(
        "class Job:\n"
        "    def state_for_worker(self):\n"
        "        state = self.__dict__.copy()\n"
        "        del state['lock']\n"
        "        return state\n")
    shutil.copyfile(SNAPSHOTS / "migrate" / "_tree" / "serialization.py",
                    tmp_path / "serialization.py")
    plain = libcst_tool(tmp_path, "codemod", "migrate.MigrateCommand", "--no-format",
                        "--hide-progress", "job.py")
    assert plain.returncode == 0 and "@clear" not in (tmp_path / "job.py").read_text()
    told = libcst_tool(tmp_path, "codemod", "migrate.MigrateCommand", "--no-format",
                       "--hide-progress", "--job-method", "state_for_worker", "job.py")
    assert told.returncode == 0, told.stderr
    assert "@clear('lock', scope=JOB)" in (tmp_path / "job.py").read_text()


def test_check_reports_as_warnings_and_changes_nothing(tmp_path):
    tree = tmp_path / "shop"
    shutil.copytree(EXAMPLE, tree)
    before = _texts(tree)
    done = libcst_tool(tmp_path, "codemod", "check.CheckCommand", "-j", "1", "--no-format",
                       "--hide-progress", "shop")
    assert _texts(tree) == before
    ours = run(CheckCodemod(_defaults()), [tree], jobs=0)
    lines = [f.format() for outcome in ours.outcomes for f in outcome.findings]
    assert len(lines) == 4
    for line in lines:
        assert line in done.stderr, (line, done.stderr)


HOOK = ('class Job:\n    def __getstate__(self):\n        state = self.__dict__.copy()\n'
        '        del state["lock"]\n        return state\n')


def test_the_interface_module_a_file_now_imports_is_named_when_missing(tmp_path):
    (tmp_path / "job.py").write_text(HOOK)
    done = libcst_tool(tmp_path, "codemod", "migrate.MigrateCommand", "--no-format",
                       "--hide-progress", "job.py")
    assert done.returncode == 0, done.stderr
    assert "from serialization import JobSerializable, clear" in (tmp_path / "job.py").read_text()
    assert f"the interface module serialization this file now imports is not in the tree: " \
        f"write it to {tmp_path / 'serialization.py'}" in done.stderr


def test_a_bad_configuration_skips_the_file_and_says_why(tmp_path):
    (tmp_path / "job.py").write_text(HOOK)
    (tmp_path / "pyproject.toml").write_text("[tool.codemods]\nbogus = 1\n")
    done = libcst_tool(tmp_path, "codemod", "migrate.MigrateCommand", "--no-format",
                       "--hide-progress", "job.py")
    assert "unknown key 'bogus' in [tool.codemods]" in done.stderr
    assert "Skipped 1 files" in done.stderr
    assert (tmp_path / "job.py").read_text() == HOOK


@pytest.mark.parametrize("command", ["migrate.MigrateCommand", "strip.StripCommand",
                                     "check.CheckCommand"])
def test_stdin_is_refused_with_a_reason_not_a_traceback(tmp_path, command):
    (tmp_path / ".libcst.codemod.yaml").write_text(CONFIG)
    done = subprocess.run([sys.executable, "-m", "libcst.tool", "codemod", command,
                           "--no-format", "-"], cwd=tmp_path, input=HOOK, capture_output=True,
                          text=True, timeout=300)
    assert "Traceback" not in done.stderr
    assert "reading from stdin: the rewrite depends on the rest of the file's tree" in done.stderr


def test_a_file_that_crashes_the_parser_does_not_crash_the_plan(tmp_path):
    # libcst's runner parses every file it is given itself; the plan reads the whole
    # tree, given one file: a deep file elsewhere in the tree must not end the run.
    (tmp_path / "job.py").write_text(HOOK)
    (tmp_path / "deep.py").write_text("class Deep:\n    def __getstate__(self):\n        return "
                                      + "(" * 3000 + "1" + ")" * 3000 + "\n")
    done = libcst_tool(tmp_path, "codemod", "migrate.MigrateCommand", "--no-format",
                       "--hide-progress", "job.py")
    assert done.returncode == 0, done.stderr
    assert "@clear" in (tmp_path / "job.py").read_text()
