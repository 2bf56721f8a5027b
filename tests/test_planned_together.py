"""Rewrites migrate plans together (a job pickler and the classes whose entries
it drops; a class and its bases) are written together or not at all: a file
that cannot be scanned, rewritten or written holds back the others."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from codemods.migrate import MigrateCodemod
from codemods.report import Status
from codemods.runner import run
from codemods.settings import Settings
from snapshot_harness import SNAPSHOTS

TREE = SNAPSHOTS / "migrate" / "job_pickler_tree"
JOB_METHOD = "def get_state_for_child_job_pickling"
DEFINES_JOB_METHOD = ("class A:\n    def get_state_for_child_job_pickling(self):\n"
                      "        return self.__dict__.copy()\n")


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(TREE, root)
    return root / "app"


def _outcomes(app: Path, jobs=0):
    result = run(MigrateCodemod(Settings()), [app.parent], jobs=jobs)
    return {o.path.relative_to(app).as_posix(): o for o in result.outcomes
            if app in o.path.parents}


def _codes(outcome):
    return [f.code for f in outcome.findings]


def _held_back(outcome) -> bool:
    return outcome.status is Status.SKIPPED and "CM104" in _codes(outcome)


def test_in_the_whole_tree_the_pickler_entry_and_the_job_method_go():
    # The baseline the cases below depart from.
    outcomes = _outcomes(TREE / "app")
    assert outcomes["jobs/pickler.py"].status is Status.CHANGED
    assert JOB_METHOD not in outcomes["core/store.py"].new


def test_a_pickler_that_cannot_be_scanned_keeps_the_methods_it_names(tmp_path):
    app = _tree(tmp_path)
    pickler = app / "jobs" / "pickler.py"
    pickler.write_text(pickler.read_text() + "\ndef broken(:\n")
    outcomes = _outcomes(app)
    assert _codes(outcomes["jobs/pickler.py"]) == ["CM002"]
    store = outcomes["core/store.py"]
    # Store is still migrated, but keeps the method the pickler's entry calls.
    assert store.status is Status.CHANGED
    assert JOB_METHOD in store.new and "job_state(self)" in store.new


def test_a_pickler_that_took_too_long_keeps_the_methods_it_names(tmp_path):
    app = _tree(tmp_path)
    pickler = app / "jobs" / "pickler.py"
    slow = "\n\nSLOW = " + " + ".join(["1"] * 4000) + "\n"
    pickler.write_text(pickler.read_text() + slow)
    result = run(MigrateCodemod(Settings()), [app.parent], jobs=1, timeout=1)
    outcomes = {o.path.name: o for o in result.outcomes}
    assert _codes(outcomes["pickler.py"]) == ["CM008"]
    assert JOB_METHOD in outcomes["store.py"].new


def _read_only(path: Path) -> None:
    path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def test_a_read_only_pickler_holds_back_the_classes_whose_entries_it_drops(tmp_path):
    app = _tree(tmp_path)
    _read_only(app / "jobs" / "pickler.py")
    outcomes = _outcomes(app)
    assert _codes(outcomes["jobs/pickler.py"]) == ["CM005"]
    store = outcomes["core/store.py"]
    assert store.status is Status.SKIPPED
    assert [f.message for f in store.findings if f.code == "CM104"] == [
        f"left as it was: its rewrite goes with that of {app / 'jobs' / 'pickler.py'} "
        "(CM005: failed); fix that file and run again"]
    # A class with nothing to do with the pickler is migrated all the same.
    assert outcomes["core/tracker.py"].status is Status.CHANGED


def test_a_read_only_class_holds_back_the_pickler_that_drops_its_entry(tmp_path):
    app = _tree(tmp_path)
    _read_only(app / "core" / "store.py")
    outcomes = _outcomes(app)
    assert _codes(outcomes["core/store.py"]) == ["CM005"]
    assert outcomes["jobs/pickler.py"].status is Status.SKIPPED
    assert "CM104" in _codes(outcomes["jobs/pickler.py"])


def _package(tmp_path: Path, name: str, files) -> Path:
    """A package ``name`` under ``tmp_path`` with ``files`` (file name -> text)."""
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for file_name, text in files.items():
        (package / file_name).write_text(text)
    return package


def _base_and_leaf(tmp_path: Path) -> Path:
    """A package whose Base and its subclass Leaf, in two files, both migrate."""
    return _package(tmp_path, "kit", {
        "base.py": "class Base:\n    def __getstate__(self):\n        state = self.__dict__.copy()\n"
                   "        del state['lock']\n        return state\n",
        "leaf.py": "from .base import Base\n\n\nclass Leaf(Base):\n    def __getstate__(self):\n"
                   "        state = self.__dict__.copy()\n        del state['lock']\n"
                   "        del state['cache']\n        return state\n"})


def test_a_base_that_cannot_be_written_holds_back_its_migrated_subclass(tmp_path):
    package = _base_and_leaf(tmp_path)
    _read_only(package / "base.py")
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=0)
    outcomes = {o.path.name: o for o in result.outcomes}
    assert _codes(outcomes["base.py"]) == ["CM005"]
    assert _held_back(outcomes["leaf.py"])
    assert os.access(package / "leaf.py", os.R_OK)


def _stripped(root: Path):
    """strip's outcomes over ``root``, in this process, by file name."""
    from codemods.strip import StripCodemod

    return {o.path.name: o for o in run(StripCodemod(Settings()), [root], jobs=0).outcomes}


def _strip_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(SNAPSHOTS / "strip" / "predicate_still_used", root)
    (root / "pkg" / "use.py").write_text(
        "def start(platform, job):\n"
        "    if platform.does_multiprocessing_start_require_pickling():\n"
        "        job.pickle()\n    else:\n        job.fork()\n")
    return root


PREDICATE = "def does_multiprocessing_start_require_pickling"


def test_strip_keeps_a_predicate_a_file_it_cannot_scan_names(tmp_path):
    root = _strip_tree(tmp_path)
    baseline = _stripped(root)
    assert PREDICATE not in baseline["platform.py"].new
    use = root / "pkg" / "use.py"
    use.write_text(use.read_text() + "\ndef broken(:\n")
    outcomes = _stripped(root)
    assert _codes(outcomes["use.py"]) == ["CM002"]
    assert outcomes["platform.py"].status is not Status.CHANGED or \
        PREDICATE in outcomes["platform.py"].new


def test_strip_keeps_a_predicate_a_file_it_cannot_write_calls(tmp_path):
    root = _strip_tree(tmp_path)
    _read_only(root / "pkg" / "use.py")
    outcomes = _stripped(root)
    assert "CM005" in _codes(outcomes["use.py"])
    assert _held_back(outcomes["platform.py"])


def test_a_pickler_whose_rewrite_is_refused_holds_back_its_classes(tmp_path):
    # libcst prints `except OSError :` back without the space: a rewrite that touches
    # the line next to it is refused (CM004), and the pickler stays as it was.
    app = _tree(tmp_path)
    pickler = app / "jobs" / "pickler.py"
    pickler.write_text(pickler.read_text().replace(
        "    pickler.dispatch_table[Store] = _reduce_object\n",
        "    try:\n        pass\n    except OSError : raise\n"
        "    pickler.dispatch_table[Store] = _reduce_object\n"))
    outcomes = _outcomes(app)
    assert "CM004" in _codes(outcomes["jobs/pickler.py"])
    assert outcomes["jobs/pickler.py"].status is not Status.CHANGED
    store = outcomes["core/store.py"]
    assert store.status is Status.SKIPPED and "CM104" in _codes(store)


class _FailsOn(MigrateCodemod):
    """migrate, with an internal error in the rewrite of one file."""

    failing = ""

    def rewrite(self, parsed, plan):
        if parsed.path.name == self.failing:
            raise RuntimeError("made to fail")
        return super().rewrite(parsed, plan)


def test_a_pickler_whose_rewrite_fails_holds_back_its_classes(tmp_path):
    app = _tree(tmp_path)
    codemod = _FailsOn(Settings())
    codemod.failing = "pickler.py"
    outcomes = {o.path.name: o for o in run(codemod, [app.parent], jobs=0).outcomes}
    assert _codes(outcomes["pickler.py"]) == ["CM900"]
    assert outcomes["store.py"].status is Status.SKIPPED
    assert [f.message for f in outcomes["store.py"].findings] == [
        f"left as it was: its rewrite goes with that of {app / 'jobs' / 'pickler.py'} "
        "(CM900: failed); fix that file and run again"]


def test_a_base_whose_rewrite_fails_holds_back_its_subclass(tmp_path):
    _base_and_leaf(tmp_path)
    codemod = _FailsOn(Settings())
    codemod.failing = "base.py"
    for jobs in (0, 1):
        outcomes = {o.path.name: o for o in run(codemod, [tmp_path], jobs=jobs).outcomes}
        assert _codes(outcomes["base.py"]) == ["CM900"]
        assert outcomes["leaf.py"].status is Status.SKIPPED, jobs
        assert not any(o.status is Status.CHANGED for o in outcomes.values())


def test_strip_holds_back_only_the_definitions_a_kept_file_uses(tmp_path):
    method = ("    def get_state_for_child_job_pickling(self):\n"
              "        return self.__dict__.copy()\n")
    package = _package(tmp_path, "pkg", {f"{name}.py": f"class {name.upper()}:\n{method}"
                                         for name in ("a", "b", "c")})
    _read_only(package / "a.py")  # it only defines the method: it calls nothing
    outcomes = _stripped(tmp_path)
    assert "CM005" in _codes(outcomes["a.py"])
    assert outcomes["b.py"].status is Status.CHANGED
    assert outcomes["c.py"].status is Status.CHANGED


def test_a_dry_run_shows_the_change_of_a_read_only_file(tmp_path):
    app = _tree(tmp_path)
    _read_only(app / "jobs" / "pickler.py")
    result = run(MigrateCodemod(Settings()), [app.parent], jobs=0, writing=False)
    outcomes = {o.path.name: o for o in result.outcomes}
    assert outcomes["pickler.py"].status is Status.CHANGED
    assert outcomes["store.py"].status is Status.CHANGED


def test_strip_keeps_a_predicate_a_refused_rewrite_still_calls(tmp_path):
    root = _strip_tree(tmp_path)
    (root / "pkg" / "use.py").write_text(
        "def start(platform, job):\n    try:\n        pass\n    except OSError : raise\n"
        "    if platform.does_multiprocessing_start_require_pickling():\n"
        "        job.pickle()\n")
    outcomes = _stripped(root)
    assert "CM004" in _codes(outcomes["use.py"])
    assert _held_back(outcomes["platform.py"])


def test_a_pickler_entry_that_stays_ties_nothing(tmp_path):
    # The pickler is handed in, not built here: its entry stays (and calls the job-state
    # method, which the class keeps); the class migrates on its own.
    app = _tree(tmp_path)
    (app / "jobs" / "pickler.py").write_text(
        "import copyreg\n\nfrom ..core import Store\n\n\ndef configure(pickler):\n"
        "    pickler.dispatch_table = copyreg.dispatch_table.copy()\n"
        "    pickler.dispatch_table[Store] = _reduce_object\n\n\n"
        "def _reduce_object(instance):\n    cls = type(instance)\n"
        "    return (cls.__new__, (cls,), instance.get_state_for_child_job_pickling())\n")
    outcomes = _outcomes(app)
    assert outcomes["jobs/pickler.py"].status is Status.UNCHANGED
    store = outcomes["core/store.py"]
    assert store.status is Status.CHANGED and "job_state(self)" in store.new


def test_strip_counts_a_name_in_a_string_as_a_use(tmp_path):
    package = _package(tmp_path, "pkg", {
        "a.py": DEFINES_JOB_METHOD,
        "d.py": "def state(platform, obj):\n"  # strip would change it: the if on the predicate
                "    if platform.does_multiprocessing_start_require_pickling():\n"
                "        return getattr(obj, 'get_state_for_child_job_pickling')()\n"
                "    return None\n"})
    _read_only(package / "d.py")
    outcomes = _stripped(tmp_path)
    assert "CM005" in _codes(outcomes["d.py"])
    assert _held_back(outcomes["a.py"])


def test_strip_keeps_a_method_whose_call_it_left_in_a_rewritten_file(tmp_path):
    _package(tmp_path, "pkg", {
        "a.py": DEFINES_JOB_METHOD,
        "c.py": "def state(platform, obj):\n"
                "    if platform.does_multiprocessing_start_require_pickling():\n"
                "        obj.pickle()\n"
                "    return obj.get_state_for_child_job_pickling()\n"})
    outcomes = _stripped(tmp_path)
    assert outcomes["c.py"].status is Status.CHANGED and "CM202" in _codes(outcomes["c.py"])
    assert "obj.get_state_for_child_job_pickling()" in outcomes["c.py"].new
    assert _held_back(outcomes["a.py"])
