"""Start-up costs nothing it need not: --help, and a run over a tree whose files
all fail the text prefilter, never import libcst (issue 9)."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import runpy, sys
sys.argv = ["codemods", *sys.argv[1:]]
try:
    runpy.run_module("codemods", run_name="__main__")
except SystemExit:
    pass
# libcst in this process, or worker processes started (which import it)
print("LIBCST LOADED" if any(name in ("libcst", "multiprocessing") or name.startswith("libcst.")
                             for name in sys.modules) else "LIBCST NOT LOADED", file=sys.stderr)
"""


def _libcst_loaded(*args) -> bool:
    result = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)],
                            capture_output=True, text=True, timeout=120)
    assert "LIBCST" in result.stderr, result.stderr
    return "LIBCST LOADED" in result.stderr


def test_help_does_not_load_libcst():
    assert not _libcst_loaded("--help")
    assert not _libcst_loaded("migrate", "--help")


@pytest.mark.parametrize("command", ["migrate", "check", "strip"])
def test_a_tree_without_hooks_does_not_load_libcst(tmp_path, command):
    package = tmp_path / "plain"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("import os\n\n\ndef walk(path):\n    return os.listdir(path)\n")
    assert not _libcst_loaded(command, "--diff" if command != "check" else "--check", tmp_path)


def test_a_tree_with_a_hook_does_load_libcst(tmp_path):
    """The probe can tell: a file with a hook is parsed, with libcst, in a worker."""
    (tmp_path / "mod.py").write_text(
        "class A:\n    def __getstate__(self):\n        return self.__dict__.copy()\n")
    assert _libcst_loaded("check", "-j", "1", tmp_path)
