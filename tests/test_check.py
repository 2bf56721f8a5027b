"""check: what each hook would become, changing nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click_compat import CliRunner

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


PICKLER = '''\
import copyreg
import io
import pickle

from .jobs import Job
from .wire import Message


def pickle_job(job, plugins):
    data = io.BytesIO()
    pickler = pickle.Pickler(data)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    for cls in plugins:
        pickler.dispatch_table[cls] = _reduce_plugin
    pickler.dispatch_table[Message] = _reduce_message
    pickler.dispatch_table[Job] = _reduce_object
    pickler.dump(job)
    return data


def _reduce_plugin(plugin):
    return (type(plugin), ())


def _reduce_message(message):
    return (Message.parse, (message.serialize(),))


def _reduce_object(instance):
    cls = type(instance)
    return (cls.__new__, (cls,), instance.get_state_for_child_job_pickling())
'''


def _pickler_tree(tmp_path: Path, job: str) -> Path:
    package = tmp_path / "app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "pickler.py").write_text(PICKLER)
    (package / "wire.py").write_text("class Message:\n    pass\n")
    (package / "jobs.py").write_text(job)
    return tmp_path


def _pickler_hook(tree: Path):
    result = CliRunner().invoke(cli.main, ["check", "--format", "json", str(tree)])
    report = json.loads(result.stdout)
    [hook] = [h for h in report["hooks"] if h["kind"] == "job-pickler"]
    return result, hook


JOB = ("class Job:\n    def get_state_for_child_job_pickling(self):\n"
       "        state = self.__dict__.copy()\n        del state['lock']\n        return state\n")


def test_a_job_pickler_keyed_by_a_local_name_and_a_migratable_class(tmp_path):
    result, hook = _pickler_hook(_pickler_tree(tmp_path, JOB))
    assert hook["verdict"] == "migratable" and hook["codes"] == ["CM302"]
    # the loop variable is shown as written, not read as a module-level app.pickler.cls
    assert hook["hooks"] == ["app.jobs.Job", "app.wire.Message", "cls"]
    assert hook["migrate"] == "1 of its 3 per-class entries are removed"


def test_a_migrated_tree_whose_pickler_keeps_other_reducers_is_clean(tmp_path):
    tree = _pickler_tree(tmp_path, JOB)
    pickler = tree / "app" / "pickler.py"
    pickler.write_text(pickler.read_text().replace(
        "    for cls in plugins:\n        pickler.dispatch_table[cls] = _reduce_plugin\n", ""))
    assert CliRunner().invoke(cli.main, ["migrate", str(tree)]).exit_code == cli.EXIT_OK
    result, hook = _pickler_hook(tree)
    assert hook["verdict"] == "stays" and hook["codes"] == []
    assert hook["hooks"] == ["app.wire.Message"]
    assert result.exit_code == cli.EXIT_OK, result.stderr


def test_a_pickler_keyed_by_a_variable_is_never_said_to_stay(tmp_path):
    # Which classes `cls` names (classes with hooks, maybe) only running it would tell.
    tree = _pickler_tree(tmp_path, JOB)
    assert CliRunner().invoke(cli.main, ["migrate", str(tree)]).exit_code == cli.EXIT_OK
    result, hook = _pickler_hook(tree)
    assert hook["verdict"] == "needs-person" and hook["codes"] == ["CM101"]
    assert hook["migrate"] == ("left as it was: the entries keyed by cls name classes migrate "
                               "cannot tell (CM101)")
    assert result.exit_code == cli.EXIT_PENDING


def test_a_job_pickler_whose_class_keeps_its_hooks_needs_a_person(tmp_path):
    refused = JOB.replace("        del state['lock']\n",
                          "        if state:\n            del state['lock']\n")
    result, hook = _pickler_hook(_pickler_tree(tmp_path, refused))
    assert hook["verdict"] == "needs-person" and hook["codes"] == ["CM101"]
    assert result.exit_code == cli.EXIT_PENDING


def _check_hooks(tree: Path):
    from codemods.check import CheckCodemod
    from codemods.runner import run
    from codemods.settings import Settings

    result = run(CheckCodemod(Settings()), [tree], jobs=0)
    hooks = {h.subject: (h.verdict, h.codes) for o in result.outcomes for h in o.hooks}
    codes = sorted((Path(f.path).name, f.code) for o in result.outcomes for f in o.findings)
    return hooks, codes


def test_check_says_migrate_holds_back_what_goes_with_a_file_it_leaves(tmp_path):
    """migrate leaves a class as it was when the job pickler whose entry calls
    its job-state method cannot be rewritten (CM104): check says so too."""
    snapshots = Path(__file__).parent / "snapshots" / "migrate"
    shutil.copytree(snapshots / "job_pickler_rebound", tmp_path / "rebound")
    hooks, codes = _check_hooks(tmp_path / "rebound")
    assert hooks == {"app.pickler": ("needs-person", ("CM101",)),
                     "app.store.Store": ("needs-person", ("CM104",))}
    assert ("store.py", "CM104") in codes and ("pickler.py", "CM101") in codes
    # and where the job pickler can be rewritten, both are migratable
    shutil.copytree(snapshots / "job_pickler_method", tmp_path / "method")
    hooks, codes = _check_hooks(tmp_path / "method")
    assert hooks == {"app.pickler": ("migratable", ("CM302",)),
                     "app.store.Store": ("migratable", ("CM301",))}
    assert not any(code == "CM104" for _, code in codes)
    # a job pickler that does not parse ties nothing (what it calls is kept): as
    # migrate, which rewrites Store keeping its job-state method, check says migratable
    pickler = tmp_path / "method" / "app" / "pickler.py"
    pickler.write_text(pickler.read_text() + "\ndef broken(:\n")
    hooks, codes = _check_hooks(tmp_path / "method")
    assert hooks["app.store.Store"] == ("migratable", ("CM301",))
    assert ("pickler.py", "CM002") in codes and not any(code == "CM104" for _, code in codes)
