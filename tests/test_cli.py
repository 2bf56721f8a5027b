"""The command line and the runner, driven through click with the harness codemod."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click_compat import CliRunner

from codemods import cli
from harness_codemod import HarnessCodemod

command = cli.codemod_command("harness", lambda: HarnessCodemod, "Test codemod.")
CALL = "def f():\n    return old_api()\n"
CALLED = "from newlib import new_api\n\ndef f():\n    return new_api()\n"


def invoke(*args, input=None):
    return CliRunner().invoke(command, [str(a) for a in args], input=input,
                              catch_exceptions=False)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "a.py").write_text(CALL)
    (tmp_path / "b.py").write_text(CALL)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


def test_diff_prints_changes_and_writes_nothing(tree):
    result = invoke("--diff", tree)
    assert result.exit_code == 0
    assert f"--- {(tree / 'a.py').as_posix()}\n+++ {(tree / 'a.py').as_posix()}" in result.stdout
    assert "+    return new_api()" in result.stdout
    assert (tree / "a.py").read_text() == CALL
    assert "2 files would change, 1 unchanged, 0 skipped with findings, 0 failed" in result.stderr


def test_diff_of_a_relative_path_is_git_style(tree, monkeypatch):
    monkeypatch.chdir(tree)
    result = invoke("--diff", "a.py")
    assert result.stdout.startswith("--- a/a.py\n+++ b/a.py\n@@ ")


def test_check_exits_1_when_something_would_change(tree):
    result = invoke("--check", tree)
    assert result.exit_code == cli.EXIT_PENDING
    assert (tree / "a.py").read_text() == CALL
    assert invoke("--check", tree / "clean.py").exit_code == cli.EXIT_OK


def test_write_then_check_is_clean(tree):
    result = invoke("-j", "2", tree)
    assert result.exit_code == 0
    assert (tree / "a.py").read_text() == CALLED
    assert "2 files changed, 1 unchanged" in result.stderr
    assert invoke("--check", tree).exit_code == 0


@pytest.mark.parametrize(
    "answers, written",
    [("y\nn\n", {"a.py"}), ("n\ny\n", {"b.py"}), ("a\n", {"a.py", "b.py"}), ("q\n", set())],
)
def test_interactive_review(tree, answers, written):
    result = invoke("--interactive", tree, input=answers)
    assert result.exit_code == 0
    assert result.stdout.count("+++ ") == len(answers.strip().split("\n"))
    changed = {name for name in ("a.py", "b.py") if (tree / name).read_text() == CALLED}
    assert changed == written
    declined = 2 - len(written)
    assert f"{declined} skipped with findings" in result.stderr
    if declined:
        assert "CM006 declined in review; not written" in result.stderr


def test_interactive_refuses_diff(tree):
    result = CliRunner().invoke(command, ["--interactive", "--diff", str(tree)])
    assert result.exit_code == cli.EXIT_USAGE


def test_bad_files_are_reported_and_the_run_goes_on(tree):
    (tree / "broken.py").write_text("def f(:\n    old_api()\n")
    (tree / "latin.py").write_bytes(b"s = '\xe9'\nold_api()\n")
    (tree / "binary.py").write_bytes(b"old_api\0\0")
    (tree / "deep.py").write_text("old_api(" + "(" * 3000 + ")" * 3000 + ")\n")
    result = invoke(tree)
    assert result.exit_code == cli.EXIT_FAILED
    err = result.stderr
    assert "broken.py:2:1: CM002 does not parse: parser error" in err
    assert "latin.py:1:1: CM001 is not valid utf-8 text, and declares no other encoding" in err
    assert "binary.py:1:1: CM001 is not text (it contains NUL bytes)" in err
    assert "deep.py:1:1: CM003 crashed the parser" in err
    assert (tree / "a.py").read_text() == CALLED  # the good files were still done
    assert "2 files changed, 1 unchanged, 0 skipped with findings, 4 failed" in err


def test_read_only_file_is_not_written(tree):
    os.chmod(tree / "a.py", 0o444)
    result = invoke(tree)
    assert result.exit_code == cli.EXIT_FAILED
    assert "a.py:1:1: CM005 is read-only; left as it was" in result.stderr
    assert (tree / "a.py").read_text() == CALL
    assert (tree / "b.py").read_text() == CALLED


def test_encoding_bom_line_endings_and_mode_are_kept(tmp_path):
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\r\ns = '\xe9'\r\nold_api()\r\n")
    bom = tmp_path / "bom.py"
    bom.write_bytes(b"\xef\xbb\xbfold_api()\n")
    os.chmod(latin, 0o750)
    assert invoke(tmp_path).exit_code == 0
    assert latin.read_bytes() == (
        b"# -*- coding: latin-1 -*-\r\nfrom newlib import new_api\r\n\r\ns = '\xe9'\r\nnew_api()\r\n"
    )
    assert stat.S_IMODE(latin.stat().st_mode) == 0o750
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"new_api()" in bom.read_bytes()
    assert not [p for p in tmp_path.iterdir() if "codemods-tmp" in p.name]


def test_discovery_skips_ignored_excluded_generated_and_venvs(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored/\n*_skip.py\n")
    for rel in ["src/keep.py", "src/ignored/x.py", "src/a_skip.py", "src/gen.py",
                "src/excluded/y.py", "venv/lib.py", "src/__pycache__/z.py"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CALL)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    (tmp_path / "src/gen.py").write_text("# @" + "generated\n" + CALL)
    result = invoke("--diff", "--exclude", "excluded/", tmp_path)
    changed = sorted(line[4:] for line in result.stdout.splitlines() if line.startswith("+++ "))
    assert changed == [(tmp_path / "src/keep.py").as_posix()]
    result = invoke("--diff", "--include-generated", "--exclude", "excluded/", tmp_path)
    assert result.stdout.count("+++ ") == 2


def test_symlink_loops_and_links_out_of_the_tree_are_not_followed(tmp_path):
    root = tmp_path / "root"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text(CALL)
    (root / "pkg" / "loop").symlink_to(root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "other.py").write_text(CALL)
    (root / "out").symlink_to(outside)
    (root / "out.py").symlink_to(outside / "other.py")
    result = invoke("--diff", root)
    assert result.exit_code == 0
    assert result.stdout.count("+++ ") == 1


def test_missing_path_is_a_failure_not_a_traceback(tmp_path):
    result = invoke(tmp_path / "nope")
    assert result.exit_code == cli.EXIT_FAILED
    assert "does not exist" in result.stderr


def test_json_format(tree):
    (tree / "ref.py").write_text("x = old_api\n")
    result = invoke("--check", "--format", "json", tree)
    data = json.loads(result.stdout)
    assert data["summary"] == {"changed": 2, "unchanged": 1, "skipped": 1, "failed": 0}
    assert {Path(f["path"]).name: f["status"] for f in data["files"]} == {
        "a.py": "changed", "b.py": "changed", "ref.py": "skipped"}  # unchanged ones left out
    ref = next(f for f in data["findings"] if f["path"].endswith("ref.py"))
    assert ref["code"] == "HX001"
    shown = json.loads(invoke("--check", "--format", "json", "--show-unchanged", tree).stdout)
    assert len(shown["files"]) == 4


def test_pyproject_settings_are_read_and_validated(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.codemods]\nexcludes = ["skip/"]\n')
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "a.py").write_text(CALL)
    (tmp_path / "b.py").write_text(CALL)
    result = invoke("--diff", tmp_path)
    assert result.stdout.count("+++ ") == 1
    (tmp_path / "pyproject.toml").write_text('[tool.codemods]\nbogus = 1\n')
    result = CliRunner().invoke(command, [str(tmp_path)])
    assert result.exit_code == cli.EXIT_USAGE
    assert "unknown key 'bogus'" in result.output


def test_module_entry_point_help():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "codemods", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "Usage: python -m codemods" in out


def test_interactive_end_of_input_keeps_what_was_accepted(tree):
    result = invoke("--interactive", tree, input="y\n")  # no answer for the second file
    assert result.exit_code == 0
    assert (tree / "a.py").read_text() == CALLED and (tree / "b.py").read_text() == CALL
    assert "1 file changed, 1 unchanged, 1 skipped with findings, 0 failed" in result.stderr


def test_interactive_refuses_json(tree):
    result = CliRunner().invoke(command, ["--interactive", "--format", "json", str(tree)])
    assert result.exit_code == cli.EXIT_USAGE


def test_a_symlinked_file_is_written_through_its_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "mod.py").write_text(CALL)
    (tmp_path / "link.py").symlink_to(tmp_path / "real" / "mod.py")
    assert invoke(tmp_path / "link.py").exit_code == 0
    assert (tmp_path / "link.py").is_symlink()
    assert (tmp_path / "real" / "mod.py").read_text() == CALLED


def test_links_to_nothing_that_are_excluded_or_ignored_are_not_reported(tmp_path):
    (tmp_path / "a.py").write_text(CALL)
    (tmp_path / "excluded.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "ignored.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "reported.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("ignored.py\n")
    result = invoke("--diff", "--exclude", "excluded.py", tmp_path)
    assert "excluded.py" not in result.stderr and "ignored.py" not in result.stderr
    assert f"{tmp_path / 'reported.py'}:1:1: CM001 is a symbolic link to" in result.stderr


def test_a_second_name_for_a_folder_is_the_one_not_followed(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "mod.py").write_text(CALL)
    (tmp_path / "alias").symlink_to(tmp_path / "real")  # sorts before "real"
    result = invoke("--diff", tmp_path)
    assert [line for line in result.stdout.splitlines() if line.startswith("+++ ")] == [
        f"+++ {(tmp_path / 'real' / 'mod.py').as_posix()}"]
    assert f"{tmp_path / 'alias'}:1:1: CM010 is a symbolic link back to {tmp_path / 'real'}, " \
        "a folder already walked" in result.stderr
