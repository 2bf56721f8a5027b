"""The text prefilter never skips a file a rule would change or report on: each
codemod gives the same outcomes with it as when every file is parsed, and every
parsed file rewritten (issue 9); the same with the cheap stage's other parts
(index facts from the scan, statements printed from the source) as without.

Run over every snapshot case, and over the part of the standard library where
the rules have something to look at (each file that mentions pickling,
multiprocessing or a hook's name) plus a fixed sample of the rest.  Set
CODEMODS_FULL_STDLIB=1 to run it over the whole standard library (minutes).
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path

import pytest

from codemods.check import CheckCodemod
from codemods.migrate import MigrateCodemod
from codemods.runner import run
from codemods.settings import Settings
from codemods.strip import StripCodemod
from codemods.write import reprint as reprint_module
from snapshot_harness import SNAPSHOTS, cases

CODEMODS = {"migrate": MigrateCodemod, "check": CheckCodemod, "strip": StripCodemod}
STDLIB = Path(sysconfig.get_paths()["stdlib"])
BROAD_WORDS = ("getstate", "setstate", "dispatch_table", "set_start_method", "get_context",
               "serialization")


def unfiltered(codemod_class):
    class Unfiltered(codemod_class):
        skips_files_without_work = False
        prunes_definitions = False
        outlines_classes = False

        def wants(self, path, text):
            return True

        def facts_from_text(self, source):
            return None  # every file parsed with libcst

        def rewrites_nothing(self, parsed):
            return False  # and rewritten

        def scan(self, parsed):
            facts = super().scan(parsed)
            if getattr(facts, "index", None) is not None:
                facts.index = None  # the plan reads every module's index facts itself
            return facts

    Unfiltered.__name__ = f"Unfiltered{codemod_class.__name__}"
    return Unfiltered


def unfiltered_outcomes(codemod, paths, jobs=0):
    """``outcomes`` of ``unfiltered(...)``, printing every rewritten module whole
    (no statement taken from the source: write/reprint.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reprint_module, "reprint", lambda *args: None)
        return outcomes(codemod, paths, jobs)


def outcomes(codemod, paths, jobs=0):
    result = run(codemod, paths, jobs=jobs)
    return {
        str(outcome.path): (outcome.status.value, outcome.new,
                            sorted(finding.format() for finding in outcome.findings),
                            sorted(map(repr, outcome.hooks)))
        for outcome in result.outcomes
    }


def _case_inputs():
    for name in ("migrate", "strip"):
        for case in cases(name):
            yield pytest.param(name, case, id=str(case))


@pytest.mark.parametrize("command", sorted(CODEMODS))
@pytest.mark.parametrize("suite,case", list(_case_inputs()))
def test_snapshot_inputs_give_the_same_outcomes_unfiltered(command, suite, case, tmp_path):
    tree = tmp_path / "tree"
    if case.is_tree:
        shutil.copytree(case.input, tree)
    else:
        shared = SNAPSHOTS / suite / "_tree"
        shutil.copytree(shared, tree) if shared.is_dir() else tree.mkdir()
        shutil.copyfile(case.input, tree / case.input.name)
    settings = case.settings()
    filtered = outcomes(CODEMODS[command](settings), [tree])
    everything = unfiltered_outcomes(unfiltered(CODEMODS[command])(settings), [tree])
    assert filtered == everything


def _stdlib_files():
    files = sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)
    if os.environ.get("CODEMODS_FULL_STDLIB"):
        return files
    chosen, rest = [], []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        (chosen if any(word in text for word in BROAD_WORDS) else rest).append(path)
    return chosen + rest[::100]


def _unreadable_and_passed_over(filtered, everything) -> bool:
    """A file that libcst cannot parse (Python 2 grammar, a bad encoding test,
    too deep), which only the unfiltered run, parsing every file, reports; the
    prefilter passes it over, as nothing in it names what a rule acts on.  Only in
    the whole standard library (CODEMODS_FULL_STDLIB=1), not in the sample.  Or one
    whose names libcst cannot resolve (CM012: Python 3.13's test/test_import has a
    relative import above its top package in the sample's copy), which only the
    unfiltered run resolves."""
    status, _, findings, hooks = everything
    return filtered == ("unchanged", None, [], []) and status == "failed" and not hooks and \
        all(" CM002 " in f or " CM003 " in f or " CM012 " in f for f in findings)


@pytest.fixture(scope="module")
def stdlib_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("stdlib")
    for path in _stdlib_files():
        target = root / path.relative_to(STDLIB)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root


@pytest.mark.parametrize("command", sorted(CODEMODS))
def test_the_standard_library_gives_the_same_outcomes_unfiltered(command, stdlib_copy):
    filtered = outcomes(CODEMODS[command](Settings()), [stdlib_copy], jobs=2)
    everything = unfiltered_outcomes(unfiltered(CODEMODS[command])(Settings()), [stdlib_copy],
                                     jobs=2)
    assert filtered.keys() == everything.keys()
    differing = [path for path in filtered if filtered[path] != everything[path]
                 and not _unreadable_and_passed_over(filtered[path], everything[path])]
    assert differing == []
    assert any(status == "changed" or findings for status, _, findings, _ in filtered.values())
