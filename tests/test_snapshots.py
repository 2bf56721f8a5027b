"""Every snapshot case: expected output and findings, then idempotence."""

from __future__ import annotations

import pytest

from harness_codemod import HarnessCodemod

from codemods.migrate import MigrateCodemod
from codemods.strip import StripCodemod
from snapshot_harness import SNAPSHOTS, cases, expected_tree, run_case, update

CODEMODS = {"harness": HarnessCodemod, "migrate": MigrateCodemod, "strip": StripCodemod}

ALL_CASES = [case for name in CODEMODS if (SNAPSHOTS / name).is_dir() for case in cases(name)]


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_snapshot(case, tmp_path, update_snapshots):
    actual = run_case(case, CODEMODS[case.codemod], tmp_path)
    if update_snapshots:
        update(case, actual)
        return
    assert case.findings.exists(), f"no expectations yet: run pytest --update-snapshots for {case}"
    expected = expected_tree(case)
    assert {k: v.decode() for k, v in actual.tree.items()} == {
        k: v.decode() for k, v in expected.items()
    }
    assert actual.findings == case.findings.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_idempotent(case, tmp_path):
    """Running a codemod over its own output changes nothing more."""
    if not (case.expected.exists()):
        pytest.skip("the codemod deletes this case's only module")
    again = run_case(case, CODEMODS[case.codemod], tmp_path, source=case.expected)
    assert [str(outcome.path) for outcome in again.result.changes] == []
