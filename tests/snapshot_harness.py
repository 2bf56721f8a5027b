"""Snapshot cases: an input, its expected output and its expected findings.

Layout, under ``tests/snapshots/<codemod>/``:

    case.py               input: a single module
    case.expected.py      what the codemod makes of it
    case/                 input: a whole tree (cross-file rules, deletions)
    case.expected/        the tree afterwards: deleted files absent, new files present
    case.findings.txt     findings, one per line: ``path:line:col: CODE message``
    _tree/                files every single-module case runs beside, unchanged

A first line ``# snapshot-settings: {...}`` (JSON) in a single-module case, or a
``snapshot-settings.json`` at the top of a tree case, sets codemod settings.
``pytest --update-snapshots`` rewrites every expectation from what the codemod
does now; review the git diff before committing it.
"""

from __future__ import annotations

import os

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Type

from codemods.codemod import Codemod
from codemods.runner import RunResult, run
from codemods.settings import Settings

SNAPSHOTS = Path(__file__).parent / "snapshots"
SETTINGS_MARKER = "# snapshot-settings:"
SETTINGS_FILE = "snapshot-settings.json"
# Files every single-module case of a codemod runs beside (e.g. a stand-in for the
# runtime interface); compared like the rest: expected unchanged unless listed.
SHARED_TREE = "_tree"


@dataclass(frozen=True)
class Case:
    codemod: str
    name: str
    input: Path  # a .py file or a folder

    @property
    def is_tree(self) -> bool:
        return self.input.is_dir()

    @property
    def expected(self) -> Path:
        if self.is_tree:
            return self.input.with_name(self.name + ".expected")
        return self.input.with_name(self.name + ".expected.py")

    @property
    def findings(self) -> Path:
        return self.input.with_name(self.name + ".findings.txt")

    def __str__(self) -> str:
        return f"{self.codemod}/{self.name}"

    def settings(self) -> Settings:
        if self.is_tree:
            file = self.input / SETTINGS_FILE
            data = json.loads(file.read_text()) if file.exists() else {}
        else:
            first = self.input.read_text(encoding="utf-8").partition("\n")[0]
            data = json.loads(first[len(SETTINGS_MARKER):]) if first.startswith(SETTINGS_MARKER) else {}
        return Settings(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def cases(codemod: str) -> List[Case]:
    folder = SNAPSHOTS / codemod
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.endswith((".expected.py", ".expected")) or path.name.startswith(("_", ".")):
            continue
        if path.is_dir() or path.suffix == ".py":
            name = path.name[: -len(".py")] if path.suffix == ".py" else path.name
            found.append(Case(codemod, name, path))
    return found


def read_tree(root: Path) -> Dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.name != SETTINGS_FILE
    }


@dataclass
class Actual:
    tree: Dict[str, bytes]  # the output, as files
    findings: str
    result: RunResult


def run_case(case: Case, codemod_class: Type[Codemod], workdir: Path,
             source: Optional[Path] = None) -> Actual:
    """Copy the case (or ``source``, e.g. an expected output) into ``workdir``,
    run the codemod there and write its changes, as a user's run would."""
    from codemods.runner import write

    source = source or case.input
    target = workdir / case.name
    if case.is_tree:
        shutil.copytree(source, target)
        paths = [target]
    else:
        shared = SNAPSHOTS / case.codemod / SHARED_TREE
        if shared.is_dir():
            shutil.copytree(shared, target)
        else:
            target.mkdir()
        shutil.copyfile(source, target / (case.name + ".py"))
        paths = [target / (case.name + ".py")]
    result = run(codemod_class(case.settings()), paths, jobs=0)
    for outcome in result.changes:
        problem = write(outcome)
        assert problem is None, problem
    lines = []
    for outcome in result.outcomes:
        for finding in outcome.findings:
            relative = Path(finding.path).resolve().relative_to(target.resolve()).as_posix()
            # Paths inside messages too, relative to the case (as finding paths are).
            lines.append(finding.format(relative).replace(f"{target}{os.sep}", "").replace(
                f"{target.resolve()}{os.sep}", ""))
    return Actual(read_tree(target), "".join(line + "\n" for line in lines), result)


def expected_tree(case: Case) -> Dict[str, bytes]:
    if case.is_tree:
        return read_tree(case.expected) if case.expected.exists() else {}
    tree = {}
    shared = SNAPSHOTS / case.codemod / SHARED_TREE
    if shared.is_dir():
        tree.update(read_tree(shared))
    if case.expected.exists():
        tree[case.name + ".py"] = case.expected.read_bytes()
    return tree


def update(case: Case, actual: Actual) -> None:
    if case.is_tree:
        if case.expected.exists():
            shutil.rmtree(case.expected)
        for relative, data in actual.tree.items():
            path = case.expected / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        case.expected.mkdir(exist_ok=True)
    elif case.name + ".py" in actual.tree:
        case.expected.write_bytes(actual.tree[case.name + ".py"])
    elif case.expected.exists():
        case.expected.unlink()  # the codemod deletes this module
    case.findings.write_text(actual.findings, encoding="utf-8")
