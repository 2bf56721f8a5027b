"""migrate beyond the snapshots: the interface module it writes, code that
really runs after migration, equivalence with the old hooks, the self-check."""

from __future__ import annotations

import copyreg
import importlib.util
import io
import pickle
import shutil
import sys
import threading
from pathlib import Path

import pytest
from click_compat import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from codemods import cli
from codemods.interface import RUNTIME_SOURCE
from codemods.migrate import MigrateCodemod
from codemods.runner import run
from codemods.runtime import serialization
from codemods.settings import Settings
from snapshot_harness import SNAPSHOTS

EXAMPLE = Path(__file__).parent.parent / "examples" / "shop"


def migrate(*args):
    return CliRunner().invoke(cli.main, ["migrate", *map(str, args)], catch_exceptions=False)


@pytest.fixture
def shop(tmp_path, monkeypatch):
    tree = tmp_path / "shop"
    shutil.copytree(EXAMPLE, tree)
    monkeypatch.syspath_prepend(str(tree))
    yield tree
    for name in [n for n in sys.modules if n == "shop" or n.startswith("shop.")]:
        del sys.modules[name]


def test_diff_shows_the_interface_module_as_a_new_file(shop):
    result = migrate("--diff", shop)
    assert result.exit_code == 0
    assert f"--- /dev/null\n+++ {(shop / 'shop' / 'serialization.py').as_posix()}" in result.stdout
    assert not (shop / "shop" / "serialization.py").exists()


def test_migrated_example_runs_and_pickles_as_before(shop):
    assert migrate(shop).exit_code == 0
    assert (shop / "shop" / "serialization.py").read_text() == RUNTIME_SOURCE.read_text()
    assert migrate("--check", shop).exit_code == 0  # idempotent

    from shop.cart import Cart
    from shop.courier import Courier, Dispatcher
    from shop.jobs import pickle_delivery_job
    from shop.serialization import UnserializableError

    cart = Cart("ann")
    cart.items.append("pear")
    cart._totals["pear"] = 2
    restored = pickle.loads(pickle.dumps(cart))
    assert restored.items == ["pear"] and restored._totals == {}
    assert restored._lock is not cart._lock  # rebuilt by @on_restore

    courier = Courier("bo", Dispatcher())
    job = pickle.loads(pickle_delivery_job({"courier": courier}).getvalue())
    assert job["courier"].name == "bo"
    assert not hasattr(job["courier"], "_Courier__dispatcher")
    with pytest.raises(UnserializableError, match="Dispatcher objects should not be pickled"):
        pickle.dumps(Dispatcher())


def test_a_configured_interface_module_is_used(shop):
    assert migrate("--interface-module", "shop.pickling", shop).exit_code == 0
    assert (shop / "shop" / "pickling.py").exists()
    assert "from .pickling import" in (shop / "shop" / "cart.py").read_text()


def test_self_check_mismatch_leaves_the_file(tmp_path, monkeypatch):
    import codemods.write.migrate_module as migrate_module

    source = (SNAPSHOTS / "migrate" / "del_members.py").read_text()
    (tmp_path / "mod.py").write_text(source)
    real = migrate_module.read_declarations

    def wrong(node):
        policy = real(node)
        policy.clears.pop()
        return policy

    monkeypatch.setattr(migrate_module, "read_declarations", wrong)
    result = run(MigrateCodemod(Settings()), [tmp_path / "mod.py"], jobs=0)
    outcome = result.outcomes[0]
    assert outcome.status.value == "failed"
    assert "self-check failed for class Recorder" in outcome.findings[0].message
    assert (tmp_path / "mod.py").read_text() == source


# Equivalence: each single-module case, before and after, restores the same __dict__.

EQUIVALENCE_CASES = [
    "del_members", "pop_missing_ok", "assert_constant", "empty_factories", "copy_forms",
    "job_method", "merged_options", "single_quotes", "setstate_existing_method",
    "setstate_new_method", "literal_loops", "inherited_state", "setstate_forms",
    "comments_above_hooks", "guarded_deletions",
]
MEMBERS = ["sink", "lock", "entries", "request", "profiler", "user", "on_done", "retries",
           "label", "verbose", "by_name", "pending", "seen", "a", "b", "c", "d",
           "_Widget__scheduler", "_Widget__cache", "name", "pipe", "timer", "trace", "handle",
           "data", "text", "_compiled", "total", "listeners", "_handle", "_cache", "_peer",
           "_timer", "_log", "monitor", "_stream", "_conn", "_scratch", "_tmp", "_x", "started",
           "restarts", "_ready", "_lock", "items", "_index", "pool", "results", "file", "size", "running", "_context", "connector", "delay",
           "_parse_args", "_parse_args_stats", "record", "_renderer", "_id_cache", "names"]


def _load(path: Path, name: str):
    sys.modules.setdefault("serialization", serialization)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pickle finds classes by module name
    spec.loader.exec_module(module)
    return module


def _classes(module):
    return {n: c for n, c in vars(module).items() if isinstance(c, type) and c.__module__ == module.__name__}


def _old_job_pickle(obj):
    data = io.BytesIO()
    pickler = pickle.Pickler(data)
    pickler.dispatch_table = copyreg.dispatch_table.copy()
    job_method = getattr(type(obj), "get_state_for_child_job_pickling", None)
    if job_method is not None:
        pickler.dispatch_table[type(obj)] = lambda o: (type(o).__new__, (type(o),), job_method(o))
    pickler.dump(obj)
    return pickle.loads(data.getvalue())


def _new_job_pickle(obj):
    data = io.BytesIO()
    serialization.JobPickler(data).dump(obj)
    return pickle.loads(data.getvalue())


def _outcome(function, obj):
    """The restored object's type name and __dict__, or the exception pickling raised."""
    try:
        restored = function(obj)
    except Exception as exc:  # noqa: BLE001 - the old and the new must fail alike
        return "raised", _exception_kind(exc)
    state = {k: v for k, v in restored.__dict__.items()
             if not isinstance(v, type(threading.Lock()))}  # a new lock is never equal
    return type(restored).__name__, state


def _exception_kind(exc):
    """What an old handler could catch: KeyError for a missing member (the
    interface's SerializationError is one), else the exception's type.  An old
    ``assert "k" in state`` guard counts as the KeyError the design puts in its
    place (``@clear("k", value=...)`` raises SerializationError)."""
    if isinstance(exc, (KeyError, AssertionError)):
        return "KeyError"
    return type(exc).__name__


@pytest.mark.parametrize("case", EQUIVALENCE_CASES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_old_and_migrated_classes_restore_the_same_dict(case, data):
    old = _load(SNAPSHOTS / "migrate" / f"{case}.py", f"old_{case}")
    new = _load(SNAPSHOTS / "migrate" / f"{case}.expected.py", f"new_{case}")
    for name, old_class in _classes(old).items():
        new_class = _classes(new)[name]
        # At least one member: CPython does not call an old __setstate__ for an empty
        # __dict__ (its default state is then None), the interface always does.
        keys = data.draw(st.sets(st.sampled_from(MEMBERS), min_size=1), label="members")
        state = {key: data.draw(st.one_of(st.none(), st.integers(), st.text(max_size=3),
                                          st.lists(st.integers(), max_size=3)))
                 for key in keys}
        if case.startswith("setstate_existing"):
            state["text"] = data.draw(st.text(max_size=5))  # what its restore method reads
        for function in (lambda o: pickle.loads(pickle.dumps(o)), _old_job_pickle):
            before = old_class.__new__(old_class)
            before.__dict__.update(state)
            after = new_class.__new__(new_class)
            after.__dict__.update(state)
            other = _new_job_pickle if function is _old_job_pickle else function
            assert _outcome(function, before) == _outcome(other, after), (name, state)


# Where the interface module goes, and under which name.

CACHE_WITH_HOOKS = '''class Cache:
    def __init__(self):
        self.conn = object()
        self.rows = {"a": 1}

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["conn"]
        return state
'''


def _write(root: Path, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _pickles_without_conn(tmp_path: Path, module: str) -> None:
    """Import the migrated package in a fresh interpreter and pickle a Cache."""
    import subprocess

    code = (f"import pickle; from {module} import Cache; c = pickle.loads(pickle.dumps(Cache()));"
            " assert not hasattr(c, 'conn') and c.rows == {'a': 1}, vars(c)")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)


def test_the_interface_goes_inside_a_top_level_package(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": CACHE_WITH_HOOKS})
    result = migrate(tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pkg" / "serialization.py").read_text() == RUNTIME_SOURCE.read_text()
    assert not (tmp_path / "serialization.py").exists()
    assert "from .serialization import JobSerializable, clear" in (
        tmp_path / "pkg" / "__init__.py").read_text()
    _pickles_without_conn(tmp_path, "pkg")


def test_a_module_of_the_project_with_the_interface_name_is_left_alone(tmp_path):
    own = "import json\n\n\ndef dumps(value):\n    return json.dumps(value)\n"
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/serialization.py": own,
                      "pkg/store.py": CACHE_WITH_HOOKS})
    result = migrate(tmp_path)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pkg" / "serialization.py").read_text() == own
    assert (tmp_path / "pkg" / "job_serialization.py").read_text() == RUNTIME_SOURCE.read_text()
    assert "from .job_serialization import JobSerializable, clear" in (
        tmp_path / "pkg" / "store.py").read_text()
    assert "CM103" in result.output and "job_serialization.py" in result.output
    _pickles_without_conn(tmp_path, "pkg.store")
    assert migrate("--check", tmp_path).exit_code == 0  # the second run picks the same module


def test_a_package_of_the_interface_name_is_left_alone(tmp_path):
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/serialization/__init__.py": "",
                      "pkg/store.py": CACHE_WITH_HOOKS})
    assert migrate(tmp_path).exit_code == 0
    assert (tmp_path / "pkg" / "job_serialization.py").exists()
    _pickles_without_conn(tmp_path, "pkg.store")


def test_a_configured_module_that_is_not_the_interface_is_refused(tmp_path):
    own = "def dumps(value):\n    return repr(value)\n"
    _write(tmp_path, {"pkg/__init__.py": "", "pkg/codec.py": own, "pkg/store.py": CACHE_WITH_HOOKS})
    result = migrate("--interface-module", "pkg.codec", tmp_path)
    assert "CM102" in result.output and "does not define JobSerializable" in result.output
    assert (tmp_path / "pkg" / "store.py").read_text() == CACHE_WITH_HOOKS
    assert (tmp_path / "pkg" / "codec.py").read_text() == own


@pytest.mark.parametrize("layout", ["own_module", "init"])
def test_strip_finds_the_interface_migrate_wrote_wherever_it_went(tmp_path, layout):
    own = "import json\n\n\ndef dumps(value):\n    return json.dumps(value)\n"
    if layout == "own_module":
        files = {"pkg/__init__.py": "", "pkg/serialization.py": own, "pkg/store.py": CACHE_WITH_HOOKS}
        interface, migrated = tmp_path / "pkg" / "job_serialization.py", "pkg/store.py"
    else:
        files = {"pkg/__init__.py": CACHE_WITH_HOOKS}
        interface, migrated = tmp_path / "pkg" / "serialization.py", "pkg/__init__.py"
    _write(tmp_path, files)
    assert migrate(tmp_path).exit_code == 0
    assert interface.exists()
    result = CliRunner().invoke(cli.main, ["strip", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not interface.exists()
    text = (tmp_path / migrated).read_text()
    assert "serialization" not in text and "JobSerializable" not in text and "@clear" not in text
    if layout == "own_module":
        assert (tmp_path / "pkg" / "serialization.py").read_text() == own


def test_the_plan_gets_the_facts_in_the_trees_order_not_the_workers(tmp_path, monkeypatch):
    # Where two files claim one module name the plan can depend on the order of its
    # facts: they go to it in the tree's order, whichever worker answered first.
    from codemods import migrate as migrate_module
    from codemods import runner, workers

    for name in ("bases_outside_tree", "bases_outside_tree.expected"):
        shutil.copytree(SNAPSHOTS / "migrate" / name, tmp_path / name)
    answered = workers.Engine.scan
    monkeypatch.setattr(workers.Engine, "scan",
                        lambda self, *meanwhile: dict(reversed(list(
                            answered(self, *meanwhile).items()))))
    seen, make_plan = [], migrate_module.make_plan
    monkeypatch.setattr(migrate_module, "make_plan", lambda facts, *rest: seen.append(
        list(facts)) or make_plan(facts, *rest))
    run(MigrateCodemod(Settings()), [tmp_path], jobs=2, writing=False)
    files = runner._gather(MigrateCodemod(Settings()), [tmp_path])[3]
    assert seen == [[s.path for s in files if s.path in seen[0]]] and len(seen[0]) >= 2
