"""How fast `migrate --check` reads a tree, as ratios against two baselines run
here, on the same tree:

- `grep -rlE` for the hook names: the floor for "which files mention a hook";
- a plain libcst parse of every file, in one process: what any libcst codemod
  that parses everything pays.

Usage: python benchmarks/bench_runner.py [TREE] [--jobs N] [--repeat N]
Without TREE, a synthetic tree is generated (a few hook classes among many plain
modules, the proportion of a real code base).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOOK_MODULE = '''
class Holder{n}:
    def __init__(self):
        self.cache = {{}}
        self.handle = None

    def __getstate__(self):
        state = self.__dict__.copy()
        # The handle stays in this process.
        del state["handle"]
        assert "cache" in state
        state["cache"] = {{}}
        return state
'''

PLAIN_MODULE = '''
import os


def helper_{n}_{i}(path, *, depth=0):
    """Walk a little."""
    total = 0
    for name in sorted(os.listdir(path)):
        if name.startswith("."):
            continue
        total += len(name) * depth
    return total
'''


def make_tree(root: Path, files: int = 400, with_hooks: int = 20) -> None:
    package = root / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for n in range(files):
        text = HOOK_MODULE.format(n=n) if n < with_hooks else ""
        text += "".join(PLAIN_MODULE.format(n=n, i=i) for i in range(12))
        (package / f"mod{n}.py").write_text(text)


def best_of(repeat: int, command) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


PARSE_ALL = (
    "import sys, pathlib, libcst\n"
    "for p in pathlib.Path(sys.argv[1]).rglob('*.py'):\n"
    "    libcst.parse_module(p.read_text())\n"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tree", nargs="?")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(args.tree) if args.tree else Path(scratch)
        if not args.tree:
            make_tree(tree)
        files = sum(1 for _ in tree.rglob("*.py"))
        ours = best_of(args.repeat, [sys.executable, "-m", "codemods", "migrate", "--check",
                                     "-j", str(args.jobs), str(tree)])
        grep = best_of(args.repeat, ["grep", "-rlE", "__getstate__|__setstate__|child_job_pickling|dispatch_table", str(tree)])
        parse_all = best_of(args.repeat, [sys.executable, "-c", PARSE_ALL, str(tree)])
    print(f"tree: {files} .py files; jobs: {args.jobs}; best of {args.repeat}")
    print(f"migrate --check     {ours:8.3f} s")
    print(f"grep -rlE           {grep:8.3f} s   ratio migrate/grep      {ours / grep:8.1f}")
    print(f"libcst parse-all    {parse_all:8.3f} s   ratio migrate/parse-all {ours / parse_all:8.2f}")


if __name__ == "__main__":
    main()
