"""The reports tools read (JSON, SARIF), the finding codes' documentation, and
what `check` says of a tree."""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click_compat import CliRunner

from codemods import __version__, cli
from codemods.rules import RULES

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "shop"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text())
REPORT_SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())

# A tree with something for every kind of report: migratable classes and a job
# pickler (the example), a class migrate refuses (CM101, inside a method: a real
# column), a file that does not parse (CM002), and a start method strip reports.
REFUSED = '''\
class Outer:
    class Inner:
        def __getstate__(self):
            state = self.__dict__.copy()
            if state:
                del state["cache"]
            return state
'''


@pytest.fixture
def shop(tmp_path, monkeypatch):
    tree = tmp_path / "shop"
    shutil.copytree(EXAMPLE, tree)
    (tree / "shop" / "refused.py").write_text(REFUSED)
    (tree / "shop" / "broken.py").write_text("def __getstate__(:\n")
    (tree / "shop" / "run.py").write_text(
        "import multiprocessing\n\nmultiprocessing.set_start_method('spawn')\n")
    monkeypatch.chdir(tmp_path)  # paths relative to the run's root, as in CI
    return Path("shop")


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def sarif_errors(data):
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA)
    return [error.message for error in validator.iter_errors(data)]


@pytest.mark.parametrize("command", ["migrate", "strip", "check"])
def test_sarif_is_valid_sarif_2_1_0(shop, command):
    result = run(command, "--format", "sarif", shop)
    data = json.loads(result.stdout)
    assert sarif_errors(data) == []
    # the validator does reject what is not SARIF
    broken = copy.deepcopy(data)
    del broken["runs"][0]["tool"]["driver"]["name"]
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert len(sarif_errors(broken)) == 2


def test_sarif_rules_results_and_locations(shop):
    result = run("check", "--format", "sarif", shop)
    run_ = json.loads(result.stdout)["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "codemods" and driver["version"] == __version__
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == set(RULES)
    for code, rule in rules.items():
        assert rule["shortDescription"]["text"] == RULES[code].summary
        assert RULES[code].fix in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] == {
            "info": "note", "warning": "warning", "error": "error"}[RULES[code].level]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path.cwd().as_uri() + "/"
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
               for r in run_["results"]}
    for result_ in run_["results"]:
        assert driver["rules"][result_["ruleIndex"]]["id"] == result_["ruleId"]
        assert result_["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] \
            == "%SRCROOT%"
    refused = results[("CM101", "shop/shop/refused.py")]
    assert refused["level"] == "warning"
    # the `if` of the hook: line 5, column 13 (1-based)
    assert refused["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5, "startColumn": 13}
    cart = results[("CM301", "shop/shop/cart.py")]
    assert cart["level"] == "note"
    region = cart["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 4 and region["startColumn"] == 1 and region["endLine"] > 4
    assert results[("CM002", "shop/shop/broken.py")]["level"] == "error"
    assert run_["invocations"][0]["exitCode"] == cli.EXIT_FAILED


@pytest.mark.parametrize("command", ["migrate", "strip", "check"])
def test_json_report_follows_its_schema(shop, command):
    data = json.loads(run(command, "--format", "json", shop).stdout)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(data)
    assert data["version"] == 1 and data["command"] == command
    assert all(f["status"] != "unchanged" for f in data["files"])
    assert ("hooks" in data) == (command == "check")


def test_check_json_hooks_and_columns(shop):
    data = json.loads(run("check", "--format", "json", shop).stdout)
    hooks = {hook["subject"]: hook for hook in data["hooks"]}
    assert hooks["shop.refused.Outer.Inner"]["verdict"] == "needs-person"
    assert hooks["shop.refused.Outer.Inner"]["codes"] == ["CM101"]
    assert hooks["shop.refused.Outer.Inner"]["column"] == 5  # the nested class
    assert hooks["shop.cart.Cart"]["verdict"] == "migratable"
    assert hooks["shop.cart.Cart"]["hooks"] == ["__getstate__", "__setstate__"]
    assert hooks["shop.jobs"]["kind"] == "job-pickler"
    assert data["summary"]["hooks"] == len(hooks) == 5
    assert data["summary"]["needs_person_by_code"] == {"CM101": 1}
    refused = next(f for f in data["findings"] if f["code"] == "CM101")
    assert (refused["line"], refused["column"]) == (5, 13)


def test_check_speaks_of_hooks_and_exits_by_them(tmp_path):
    (tmp_path / "plain.py").write_text("x = 1\n")
    result = run("check", tmp_path)
    assert result.exit_code == cli.EXIT_OK
    assert result.stderr.strip().endswith("no pickling hooks found")
    # A hook migrate cannot rewrite is still a hook left: exit 1.
    (tmp_path / "refused.py").write_text(REFUSED)
    result = run("check", tmp_path)
    assert result.exit_code == cli.EXIT_PENDING
    assert "1 hook in 1 file: 0 migratable, 1 needs a person (CM101)" in result.stderr


def test_check_summary_counts_the_example(shop):
    result = run("check", shop)
    assert "5 hooks in 4 files: 3 migratable, 1 needs a person (CM101), 1 job pickler" \
        in result.stderr, result.stderr
    assert result.exit_code == cli.EXIT_FAILED  # broken.py could not be read


def table_row(rule) -> str:
    """The rule's row in README.md's table of findings."""
    return f"| `{rule.code}` | {rule.level} | {rule.summary} | {rule.fix} |"


def _emitted_codes():
    codes = set()
    for path in (ROOT / "codemods").rglob("*.py"):
        if path.name == "rules.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"CM\d{3}", node.value):
                codes.add(node.value)
    return codes


def test_every_code_the_tool_emits_is_documented():
    emitted = _emitted_codes()
    assert len(emitted) > 20
    assert emitted <= set(RULES)
    readme = (ROOT / "README.md").read_text()
    for code, rule in RULES.items():
        assert rule.code == code and rule.level in ("error", "warning", "info")
        assert table_row(rule) in readme, code
        assert f" {code} " in rule.example  # the example is a finding of that code


def test_rules_command(shop):
    listing = run("rules")
    assert listing.exit_code == 0
    assert len(listing.stdout.splitlines()) == len(RULES)
    one = run("rules", "cm102")
    assert one.exit_code == 0
    assert RULES["CM102"].fix in one.stdout and RULES["CM102"].example in one.stdout
    assert CliRunner().invoke(cli.main, ["rules", "CM999"]).exit_code == cli.EXIT_USAGE


def test_diff_names_the_new_interface_module_and_stays_applicable(tmp_path):
    tree = tmp_path / "shop"
    shutil.copytree(EXAMPLE, tree)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = subprocess.run(
        [shutil.which("python") or "python", "-m", "codemods", "migrate", "--diff", "shop"],
        cwd=tmp_path, capture_output=True, text=True, check=False)
    if result.returncode != 0:  # the interpreter running the tests, as a fallback
        import sys  # noqa: PLC0415

        result = subprocess.run([sys.executable, "-m", "codemods", "migrate", "--diff", "shop"],
                                cwd=tmp_path, capture_output=True, text=True, check=True)
    note = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(note) == 1 and "shop/shop/serialization.py is new" in note[0]
    assert "--interface-module" in note[0]
    assert not result.stdout.startswith("note")
    applied = subprocess.run(["git", "apply", "--check", "-"], cwd=tmp_path,
                             input=result.stdout, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr


@pytest.mark.parametrize("answers, interface_written", [
    ("n\nn\nn\n", False),  # every file that would import it declined
    ("y\nn\nn\n", True),
    ("y\nq\n", True),  # quitting does not decline the module an accepted file imports
])
def test_interactive_offers_the_interface_only_after_an_accepted_importer(
        tmp_path, answers, interface_written):
    tree = tmp_path / "shop"
    shutil.copytree(EXAMPLE, tree)
    result = CliRunner().invoke(cli.main, ["migrate", "-i", str(tree)], input=answers + "y\n" * 5)
    interface = tree / "shop" / "serialization.py"
    assert interface.exists() == interface_written, result.output
    # One prompt per file, in order (click 8.1 puts no line end after a prompt on stderr).
    prompts = re.findall(r"Apply (\S+)\? \[y\]es", result.stderr)
    assert prompts and Path(prompts[0]).name == "cart.py"
    offered = [index for index, path in enumerate(prompts) if path.endswith("serialization.py")]
    assert all(index >= 3 for index in offered)  # after cart.py, courier.py and jobs.py


def test_the_readme_json_example_follows_the_schema():
    readme = (ROOT / "README.md").read_text()
    reports = readme[readme.index("### Reports"):]
    example = reports[reports.index("```json") + len("```json"):]
    example = json.loads(example[:example.index("```")])
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(example)


def test_sarif_of_a_dry_run_has_a_result_per_file_that_would_change(shop):
    data = json.loads(run("migrate", "--check", "--format", "sarif", shop).stdout)
    assert sarif_errors(data) == []
    would = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                   for r in data["runs"][0]["results"] if r["ruleId"] == "CM011")
    diff = run("migrate", "--diff", shop).stdout
    changed = sorted(line[len("+++ b/"):] if line.startswith("+++ b/") else line[len("+++ "):]
                     for line in diff.splitlines() if line.startswith("+++ "))
    assert would == changed and len(would) >= 3
    written = json.loads(run("migrate", "--format", "sarif", shop).stdout)
    assert not [r for r in written["runs"][0]["results"] if r["ruleId"] == "CM011"]


def test_sarif_paths_are_percent_encoded_and_relative_to_the_git_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    folder = repo / "src" / "my pkg#1"
    folder.mkdir(parents=True)
    (folder / "broken.py").write_text("def __getstate__(:\n")
    monkeypatch.chdir(repo / "src")
    data = json.loads(run("check", "--format", "sarif", "my pkg#1").stdout)
    assert sarif_errors(data) == []
    run_ = data["runs"][0]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.as_uri() + "/"
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run_["results"]]
    assert uris == ["src/my%20pkg%231/broken.py"]


def test_show_unchanged_outside_json_is_a_usage_error(shop):
    result = CliRunner().invoke(cli.main, ["check", "--show-unchanged", str(shop)])
    assert result.exit_code == cli.EXIT_USAGE
    assert "--show-unchanged lists files in the JSON report" in result.stderr
