"""Bad input, interruptions, concurrent edits, slow files: each file is reported
by name, no other file is affected, nothing is half-written or overwritten."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click_compat import CliRunner

from codemods import cli
from codemods.migrate import MigrateCodemod
from codemods.runner import run
from codemods.settings import Settings

HOOK = ('class Job:\n    def __getstate__(self):\n        state = self.__dict__.copy()\n'
        '        del state["lock"]\n        return state\n')
MIGRATED_MARK = '@clear("lock")'
EXAMPLE = Path(__file__).parent.parent / "examples" / "shop"


def cli_run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def subprocess_run(*args, cwd=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "codemods", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def _slow_text(terms: int) -> str:
    """A hook whose expression takes libcst's parser seconds (the time grows with
    the square of the terms: 4,000 take about five seconds here)."""
    return "class Slow:\n    def __getstate__(self):\n        return " + \
        " + ".join(["a"] * terms) + "\n"


def test_a_slow_file_costs_that_file_not_the_run(tmp_path):
    (tmp_path / "slow.py").write_text(_slow_text(4000))
    (tmp_path / "job.py").write_text(HOOK)
    started = time.monotonic()
    done = subprocess_run("migrate", "--timeout", "1", "-j", "1", tmp_path)
    took = time.monotonic() - started
    assert done.returncode == cli.EXIT_FAILED, done.stderr
    assert f"{tmp_path / 'slow.py'}:1:1: CM008 took longer than 1 s" in done.stderr
    assert MIGRATED_MARK in (tmp_path / "job.py").read_text()  # the other file is done
    assert (tmp_path / "slow.py").read_text() == _slow_text(4000)
    assert took < 30


def test_the_time_limit_is_an_option_with_a_default():
    help_text = CliRunner().invoke(cli.main, ["migrate", "--help"]).stdout
    assert "--timeout SECONDS" in help_text and "default: 60" in " ".join(help_text.split())


def test_a_file_changed_between_read_and_write_is_not_overwritten(tmp_path):
    (tmp_path / "job.py").write_text(HOOK)
    (tmp_path / "other.py").write_text(HOOK.replace("Job", "Other"))
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=0)
    assert len(result.changes) == 3  # two files and the interface module
    theirs = HOOK + "# edited meanwhile\n"
    (tmp_path / "job.py").write_text(theirs)  # someone else's edit
    (tmp_path / "serialization.py").write_text("# someone's new module\n")
    cli._write_all(result)
    assert (tmp_path / "job.py").read_text() == theirs
    assert (tmp_path / "serialization.py").read_text() == "# someone's new module\n"
    assert MIGRATED_MARK in (tmp_path / "other.py").read_text()
    codes = {Path(f.path).name: f.code for o in result.outcomes for f in o.findings}
    assert codes == {"job.py": "CM009", "serialization.py": "CM009"}
    assert cli.exit_code(result, check=False) == cli.EXIT_FAILED


def test_a_file_removed_between_read_and_write_is_not_recreated(tmp_path):
    (tmp_path / "job.py").write_text(HOOK)
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=0)
    (tmp_path / "job.py").unlink()
    cli._write_all(result)
    assert not (tmp_path / "job.py").exists()
    assert any(f.code == "CM009" for o in result.outcomes for f in o.findings)


def test_the_tool_never_imports_the_code_it_reads(tmp_path):
    marker = tmp_path / "imported.txt"
    (tmp_path / "pkg").mkdir()
    side_effect = f"open({str(marker)!r}, 'w').write('imported')\n"
    (tmp_path / "pkg" / "__init__.py").write_text(side_effect)
    (tmp_path / "pkg" / "job.py").write_text(side_effect + "from . import helper\n" + HOOK)
    (tmp_path / "pkg" / "helper.py").write_text(side_effect)
    (tmp_path / "conftest.py").write_text(side_effect)
    for command in ("check", "migrate", "strip"):
        done = subprocess_run(command, "--diff" if command != "check" else "--check",
                              tmp_path / "pkg")
        assert "Traceback" not in done.stderr
    assert (tmp_path / "pkg" / "job.py").read_text().endswith(HOOK)
    assert not marker.exists()


# Bad input ------------------------------------------------------------------------------------

LATIN = "# -*- coding: latin-1 -*-\n" + HOOK.replace("Job", "Caf\xe9")


def _bad_inputs(tmp_path: Path):
    """name -> (how to make it, what the run must say of it or None, what the file
    must hold afterwards: "same" or the migrated marker)."""
    return {
        "does_not_parse.py": (lambda p: p.write_text("def __getstate__(:\n"),
                              "CM002 does not parse", "same"),
        "latin1_no_cookie.py": (lambda p: p.write_bytes(HOOK.encode() + b"# caf\xe9\n"),
                                "CM001 is not valid utf-8 text: 'utf-8' codec can't decode byte 0xe9",
                                "same"),
        "latin1_cookie.py": (lambda p: p.write_bytes(LATIN.encode("latin-1")), None, "migrated"),
        "binary.py": (lambda p: p.write_bytes(b"\x00\x01__getstate__\x00"),
                      "CM001 is not text (it contains NUL bytes)", "same"),
        "bom.py": (lambda p: p.write_bytes(b"\xef\xbb\xbf" + HOOK.encode()), None, "migrated"),
        "crlf.py": (lambda p: p.write_bytes(HOOK.replace("\n", "\r\n").encode()), None,
                    "migrated"),
        "mixed_endings.py": (lambda p: p.write_bytes(
            HOOK.replace("\n", "\r\n", 2).encode()), None, "migrated"),
        "tabs.py": (lambda p: p.write_text(HOOK.replace("    ", "\t")), None, "migrated"),
        "empty.py": (lambda p: p.write_text(""), None, "same"),
        "large.py": (lambda p: p.write_text(HOOK + "".join(
            f"def f{i}(x):\n    return x + {i}\n\n" for i in range(10000))), None, "migrated"),
        "dangling_link.py": (lambda p: p.symlink_to(p.parent / "missing.py"),
                             "CM001 is a symbolic link to", None),
    }


def test_each_bad_input_is_reported_by_name_and_the_rest_goes_on(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    made = _bad_inputs(tmp_path)
    for name, (make, _, _) in made.items():
        make(tree / name)
    (tree / "loop").symlink_to(tree)  # a symlink loop
    (tree / "outside.py").symlink_to(tmp_path / "elsewhere.py")  # pointing out of the tree
    (tmp_path / "elsewhere.py").write_text(HOOK)
    (tree / "readonly.py").write_text(HOOK)
    os.chmod(tree / "readonly.py", 0o444)
    (tree / "good.py").write_text(HOOK.replace("Job", "Good"))
    before = {p.name: p.read_bytes() for p in tree.iterdir()
              if p.is_file() and not p.is_symlink()}
    result = subprocess_run("migrate", "-j", "2", tree)
    err = result.stderr
    assert "Traceback" not in err
    assert result.returncode == cli.EXIT_FAILED
    for name, (_, message, after) in made.items():
        if message is not None:
            assert any(str(tree / name) in line and message in line
                       for line in err.splitlines()), (name, err)
        if after == "same":
            assert (tree / name).read_bytes() == before[name], name
        elif after == "migrated":
            assert (tree / name).read_bytes() != before[name], name
    assert f"{tree / 'readonly.py'}:1:1: CM005 is read-only; left as it was" in err
    assert f"{tree / 'loop'}:1:1: CM010 is a symbolic link back to {tree}" in err
    assert f"{tree / 'outside.py'}:1:1: CM010 is a symbolic link out of the tree" in err
    assert (tree / "readonly.py").read_bytes() == before["readonly.py"]
    assert (tmp_path / "elsewhere.py").read_text() == HOOK  # out of the tree: not followed
    assert MIGRATED_MARK in (tree / "good.py").read_text()
    # what was rewritten kept its form
    assert (tree / "bom.py").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in (tree / "crlf.py").read_bytes()
    assert (tree / "latin1_cookie.py").read_bytes().decode("latin-1").count("Caf\xe9") == 1
    assert "\t" in (tree / "tabs.py").read_text()
    for path in tree.iterdir():
        if path.is_file() and path.suffix == ".py" and not path.is_symlink() \
                and path.name not in ("does_not_parse.py", "binary.py", "latin1_no_cookie.py"):
            compile(path.read_bytes(), str(path), "exec")
    assert not list(tree.glob("*.codemods-tmp")) and not list(tree.glob(".*codemods-tmp"))
    # A second run changes nothing more (but the read-only file, still as it was: a
    # dry run shows its change, which a write would refuse).
    again = subprocess_run("migrate", "--diff", "-j", "2", tree)
    changed = [line for line in again.stdout.splitlines() if line.startswith("+++ ")]
    assert changed == [f"+++ {(tree / 'readonly.py').as_posix()}"], again.stdout


# Interruptions --------------------------------------------------------------------------------

def _many(tree: Path, count: int) -> None:
    package = tree / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for index in range(count):
        (package / f"job{index}.py").write_text(
            HOOK.replace("Job", f"Job{index}") + "\n# padding\n" * 20)


# The command, with each file's read or write slowed down in the child process (the
# same code, patched from outside), and a marker file made once the first is done: an
# interrupt then always lands in the middle of the phase, on any machine.
SLOWED = """
import sys, time
from pathlib import Path
from codemods import cli, runner
marker, phase = Path(sys.argv.pop(1)), sys.argv.pop(1)
module, name = (cli, "write") if phase == "write" else (runner, "read_source")
original = getattr(module, name)
def slowed(*args):
    result = original(*args)
    marker.touch()
    time.sleep(0.02)
    return result
setattr(module, name, slowed)
cli.main(prog_name="python -m codemods")
"""


def start_migrate(tree: Path, marker: Path, phase: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SLOWED, str(marker), phase, "migrate",
                             "-j", "2", str(tree)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _when_started(process: subprocess.Popen, marker: Path) -> None:
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    assert marker.exists(), "the phase never began"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_leaves_each_file_old_or_new(tmp_path, signum):
    tree = tmp_path / "tree"
    _many(tree, 300)
    originals = {p: p.read_text() for p in (tree / "pkg").glob("job*.py")}
    marker = tmp_path / "writing"
    process = start_migrate(tree, marker, "write")
    _when_started(process, marker)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    assert process.returncode == cli.EXIT_INTERRUPTED, err
    assert "interrupted" in err and "Traceback" not in err
    new = old = 0
    for path, original in originals.items():
        text = path.read_text()
        if text == original:
            old += 1
        else:
            assert MIGRATED_MARK in text and text.rstrip().endswith("# padding")
            compile(text, str(path), "exec")
            new += 1
    assert new + old == 300
    written = new + (tree / "pkg" / "serialization.py").exists()  # the interface module
    assert f"interrupted: {written} file" in err or (new == 0 and "no file changed" in err), err
    assert not [p for p in (tree / "pkg").iterdir() if "codemods-tmp" in p.name]


def test_an_interrupt_while_reading_changes_nothing(tmp_path):
    tree = tmp_path / "tree"
    _many(tree, 300)
    originals = {p: p.read_bytes() for p in (tree / "pkg").glob("job*.py")}
    marker = tmp_path / "reading"
    process = start_migrate(tree, marker, "read")
    _when_started(process, marker)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == cli.EXIT_INTERRUPTED, err
    assert [p for p, data in originals.items() if p.read_bytes() != data] == []
    assert "no file changed" in err and "Traceback" not in err


def test_sigterm_at_a_review_prompt_keeps_what_was_accepted_and_exits_130(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(HOOK.replace("Job", "First"))
    (package / "b.py").write_text(HOOK.replace("Job", "Second"))
    process = subprocess.Popen([sys.executable, "-m", "codemods", "migrate", "--interactive",
                                "-j", "1", str(tmp_path)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdin.write("y\n")
    process.stdin.flush()
    deadline = time.monotonic() + 60
    while MIGRATED_MARK not in (package / "a.py").read_text() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.5)  # at the second prompt, or on its way there
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == cli.EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "interrupted: 2 files written" in err, err
    assert MIGRATED_MARK in (package / "a.py").read_text()
    assert (package / "serialization.py").exists()  # the module a.py now imports
    assert MIGRATED_MARK not in (package / "b.py").read_text()
