"""The pre-commit hooks this repository offers, run as pre-commit runs them:
the entry, then the hook's args, then (with ``pass_filenames``) the files."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from codemods import cli

ROOT = Path(__file__).parent.parent
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
EXAMPLE = ROOT / "examples" / "shop"


def run_hook(hook_id: str, repo: Path, changed) -> subprocess.CompletedProcess:
    hook = HOOKS[hook_id]
    entry = shlex.split(hook["entry"])
    # the console script pre-commit's environment would have, from this interpreter
    command = [sys.executable, "-m", "codemods", *entry[1:]] if entry[0] == "codemods" else entry
    command += hook.get("args", [])
    if hook.get("pass_filenames", True):
        command += [str(path) for path in changed]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=300)


def test_hooks_are_declared_for_whole_tree_facts():
    assert set(HOOKS) == {"codemods-check", "codemods-migrate"}
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert shlex.split(hook["entry"])[0] == "codemods"  # the console script
        assert hook["pass_filenames"] is False and hook["require_serial"] is True
        assert "python" in hook["types_or"]
        assert hook["args"] == ["."]


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "shop")
    return tmp_path


def test_check_hook_fails_while_hooks_are_left(repo):
    # Only cart.py changed; the hook still reads the whole tree (the job pickler is
    # in jobs.py), as the migrate hook will.
    done = run_hook("codemods-check", repo, [repo / "shop" / "shop" / "cart.py"])
    assert done.returncode == cli.EXIT_PENDING, done.stderr
    assert "4 hooks in 3 files: 3 migratable, 1 job pickler" in done.stderr


def test_migrate_hook_rewrites_then_check_passes(repo):
    before = (repo / "shop" / "shop" / "jobs.py").read_text()
    done = run_hook("codemods-migrate", repo, [repo / "shop" / "shop" / "cart.py"])
    assert done.returncode == 0, done.stderr
    assert (repo / "shop" / "shop" / "serialization.py").exists()
    # the job pickler changed too, though only cart.py was "staged"
    assert (repo / "shop" / "shop" / "jobs.py").read_text() != before
    again = run_hook("codemods-check", repo, [])
    assert again.returncode == 0, again.stderr
    assert "no pickling hooks found" in again.stderr
