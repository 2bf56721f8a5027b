"""How fast the commands are, as ratios against anchors run in the same rounds.

For each tree, every round runs, one after the other:

- ours: ``migrate --diff -j J``, ``check -j J``, ``strip --diff -j J``, each
  with the compiled dataclass methods an earlier run left in the cache
  (codemods/code_cache.py; the benchmark's cache, warmed by one unmeasured
  run), and ``check`` once more without them, as a first run on a machine is;
- the anchor every libcst codemod pays: ``python -m libcst.tool codemod
  noop.NOOPCommand -j J --no-format TREE`` (parses every file with libcst, changes
  nothing);
- the floor for "which files mention a hook": ``grep -rlE`` for the hook names;
- and, for a tree without hooks, ``python -c "import click, pathspec"`` (what
  any command line with our dependencies pays to start).

It prints, per tree and command, the median wall time of the rounds, the ratio
to the anchor (``noop / ours``: how many times faster than the no-op), and the
peak memory of all processes of the command together (sampled from /proc).

Usage::

    python benchmarks/bench_commands.py --tree buildstream=/path/to/src --stdlib --no-hooks
    python benchmarks/bench_commands.py --tree mine=src --rounds 5 --jobs 2

``--stdlib`` copies the running interpreter's standard library (the ``.py``
files, site-packages left out) into a temporary folder; ``--no-hooks`` makes a
tree of plain modules without any hook (the start-up case).  Trees are copied,
so nothing is written in the originals.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path

PYTHON = sys.executable
FIRST_RUN = "check, no code cache"
HOOK_WORDS = "__getstate__|__setstate__|get_state_for_child_job_pickling|dispatch_table"
LIBCST_CONFIG = """generated_code_marker: '@generated'
formatter: ['cat']
blacklist_patterns: []
modules:
- 'libcst.codemod.commands'
repo_root: '{root}'
"""


_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


class _Tree:
    """A process and its descendants.  Each process's parent is read once, when
    it is first seen (a sample lists /proc and reads only the new processes'
    stat files, and the tree's memory): the sampler must take little of the
    CPU that the measured command runs on."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.parents: dict = {}

    def pids(self) -> list:
        children: dict = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                pid = int(entry)
                parent = self.parents.get(pid)
                if parent is None:
                    parent = _parent(pid)
                    if parent:  # 0: gone meanwhile, or unreadable; asked again next time
                        self.parents[pid] = parent
                children.setdefault(parent, []).append(pid)
        found, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, ()))
        return found


# Commands run as a user's would: with Python's bytecode cache (an environment that
# sets PYTHONDONTWRITEBYTECODE would make every run compile our modules again, which
# installed packages such as libcst and click never pay).
# The cache settings of the caller's environment are not the benchmark's either: each
# command gets its own (``measure``'s env).
ENVIRONMENT = {key: value for key, value in os.environ.items()
               if key not in ("PYTHONDONTWRITEBYTECODE", "CODEMODS_NO_CACHE",
                              "CODEMODS_CACHE_DIR")}


def measure(command, cwd=None, env=None):
    """(wall seconds, peak kB of the process and its descendants together);
    ``env``: variables set for the command besides ``ENVIRONMENT``."""
    peak = [0]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**ENVIRONMENT, **(env or {})})
    done = threading.Event()

    tree = _Tree(process.pid)

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(_rss_kb(pid) for pid in tree.pids()))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    return wall, peak[0]


def copy_stdlib(target: Path) -> Path:
    source = Path(sysconfig.get_paths()["stdlib"])
    for path in source.rglob("*.py"):
        if "site-packages" in path.parts:
            continue
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    return target


def make_plain_tree(target: Path, files: int = 200) -> Path:
    package = target / "plain"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    body = "import os\n\n\ndef walk_{n}(path):\n    return sorted(os.listdir(path))\n"
    for n in range(files):
        (package / f"mod{n}.py").write_text(body.format(n=n) * 20)
    return target


def commands_for(tree: Path, jobs: int, config_dir: Path, hooks: bool):
    ours = {
        "migrate --diff": [PYTHON, "-m", "codemods", "migrate", "--diff", "-j", str(jobs), str(tree)],
        "check": [PYTHON, "-m", "codemods", "check", "-j", str(jobs), str(tree)],
        "strip --diff": [PYTHON, "-m", "codemods", "strip", "--diff", "-j", str(jobs), str(tree)],
    }
    # A first run on a machine: without the compiled dataclass methods that the
    # others take from the cache (codemods/code_cache.py).
    ours[FIRST_RUN] = ours["check"]
    anchors = {
        "libcst.tool no-op": [PYTHON, "-m", "libcst.tool", "codemod", "noop.NOOPCommand",
                              "-j", str(jobs), "--no-format", "--hide-progress", str(tree)],
        "grep": ["grep", "-rlE", HOOK_WORDS, str(tree)],
    }
    if not hooks:
        anchors["import click, pathspec"] = [PYTHON, "-c", "import click, pathspec"]
    return ours, anchors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--stdlib", action="store_true", help="a copy of the standard library")
    parser.add_argument("--no-hooks", action="store_true", help="a tree without hooks")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="codemods-bench-"))
    # Our commands keep compiled code in a cache folder of the benchmark's own.
    cache = {"CODEMODS_CACHE_DIR": str(work / "code-cache")}
    no_cache = {"CODEMODS_NO_CACHE": "1"}
    trees = []
    for spec in args.tree:
        name, _, path = spec.partition("=")
        copy = work / name
        shutil.copytree(path, copy, symlinks=True)
        trees.append((name, copy, True))
    if args.stdlib:
        trees.append(("stdlib", copy_stdlib(work / "stdlib"), True))
    if args.no_hooks:
        trees.append(("no hooks", make_plain_tree(work / "nohooks"), False))
    if not trees:
        parser.error("give --tree NAME=PATH, --stdlib or --no-hooks")

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, jobs {args.jobs}, "
          f"rounds {args.rounds}")
    try:
        for name, tree, hooks in trees:
            config_dir = work / f"libcst-config-{name.replace(' ', '-')}"
            config_dir.mkdir()
            (config_dir / ".libcst.codemod.yaml").write_text(LIBCST_CONFIG.format(root=tree))
            ours, anchors = commands_for(tree, args.jobs, config_dir, hooks)
            files = sum(1 for _ in tree.rglob("*.py"))
            times = {label: [] for label in (*ours, *anchors)}
            peaks = {label: 0 for label in times}
            for command in ours.values():  # once, unmeasured: the bytecode caches are written
                measure(command, cwd=config_dir, env=cache)
            for round_number in range(args.rounds):
                labels = list(times)
                if round_number % 2:
                    labels.reverse()  # alternate the order, so that no command always goes first
                for label in labels:
                    command = ours.get(label) or anchors[label]
                    wall, peak = measure(command, cwd=config_dir,
                                         env=no_cache if label == FIRST_RUN else cache)
                    times[label].append(wall)
                    peaks[label] = max(peaks[label], peak)
            noop = statistics.median(times["libcst.tool no-op"])
            startup = statistics.median(times["import click, pathspec"]) \
                if "import click, pathspec" in times else None
            print(f"\n{name}: {files} files")
            print(f"  {'command':26s} {'median s':>9s} {'no-op/this':>11s} {'peak MB':>8s}")
            for label in times:
                median = statistics.median(times[label])
                ratio = noop / median if median else float("inf")
                line = f"  {label:26s} {median:9.2f} {ratio:11.2f} {peaks[label] / 1024:8.0f}"
                if startup and label in ours:
                    line += f"   ({median / startup:.2f} x import click, pathspec)"
                print(line)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
