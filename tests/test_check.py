"""check: what each hook would become, changing nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from codemods import cli

EXAMPLE = Path(__file__).parent.parent / "examples" / "shop"


def test_check_lists_hooks_and_changes_nothing(tmp_path):
    tree = tmp_path / "shop"
    shutil.copytree(EXAMPLE, tree)
    before = {p: p.read_bytes() for p in tree.rglob("*.py")}
    result = CliRunner().invoke(cli.main, ["check", "--format", "json", str(tree)])
    assert result.exit_code == cli.EXIT_PENDING  # hooks are there
    findings = {
        (Path(f["path"]).name, f["code"], f["message"].split(":")[0])
        for f in json.loads(result.stdout)["findings"]
    }
    assert findings == {
        ("cart.py", "CM301", "Cart"),
        ("courier.py", "CM301", "Courier"),
        ("courier.py", "CM301", "Dispatcher"),
        ("jobs.py", "CM302", "migrate"),
    }
    assert {p: p.read_bytes() for p in tree.rglob("*.py")} == before
    assert not (tree / "shop" / "serialization.py").exists()


def test_check_mode_fails_while_hooks_remain(tmp_path):
    tree = tmp_path / "shop"
    shutil.copytree(EXAMPLE, tree)
    runner = CliRunner()
    assert runner.invoke(cli.main, ["check", "--check", str(tree)]).exit_code == cli.EXIT_PENDING
    assert runner.invoke(cli.main, ["migrate", str(tree)]).exit_code == 0
    result = runner.invoke(cli.main, ["check", "--check", str(tree)])
    assert result.exit_code == 0, result.output
    assert "no pickling hooks found" in result.stderr
