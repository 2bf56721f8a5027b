"""The cache of compiled dataclass methods (codemods/code_cache.py): the classes
made with it are the classes made without it, and a cache that cannot be used
only means compiling as usual."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codemods import code_cache

# Dataclasses of every kind whose methods dataclasses writes as text.
CLASSES = textwrap.dedent("""
    import dataclasses
    from typing import List, Optional

    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: str = "a"
        tags: List[str] = dataclasses.field(default_factory=list)

    @dataclasses.dataclass(order=True, unsafe_hash=True)
    class Version:
        major: int
        minor: Optional[int] = None

        def __post_init__(self):
            self.major = int(self.major)
""")

GENERATED = ("__init__", "__repr__", "__eq__", "__setattr__", "__delattr__", "__hash__",
             "__lt__", "__le__", "__gt__", "__ge__")


def _make(namespace_name: str) -> dict:
    namespace = {"__name__": namespace_name}
    exec(compile(CLASSES, "<classes>", "exec", dont_inherit=True), namespace)
    return namespace


def _codes(namespace: dict) -> dict:
    return {(cls, name): vars(namespace[cls])[name].__code__
            for cls in ("Point", "Version") for name in GENERATED
            if name in vars(namespace[cls]) and hasattr(vars(namespace[cls])[name], "__code__")}


@pytest.fixture
def compiles(monkeypatch):
    """The texts the cache compiles (its misses)."""
    seen = []
    real = compile

    def counting(source, *args, **kwargs):
        seen.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(code_cache, "compile", counting, raising=False)
    return seen


def test_second_run_compiles_nothing_and_makes_the_same_classes(tmp_path, compiles):
    plain = _codes(_make("plain"))
    with code_cache.reusing(tmp_path):
        first = _make("first")
    assert compiles, "the first run compiles"
    assert list(tmp_path.glob("dataclass-code-*.marshal"))
    compiles.clear()
    with code_cache.reusing(tmp_path):
        second = _make("second")
    assert compiles == []
    # Code objects compare by content: bytecode, constants, names, flags, file name.
    assert _codes(first) == plain
    assert _codes(second) == plain
    assert len(plain) >= 10


def test_classes_from_the_cache_behave_as_plain_ones(tmp_path):
    with code_cache.reusing(tmp_path):
        _make("warm")
    with code_cache.reusing(tmp_path):
        cached = _make("cached")
    plain = _make("plain")
    for namespace in (cached, plain):
        point = namespace["Point"](1)
        assert repr(point) == "Point(x=1, y='a', tags=[])"
        assert point == namespace["Point"](1, "a", [])
        with pytest.raises(dataclasses.FrozenInstanceError):
            point.x = 2
        version = namespace["Version"]("3", 1)
        assert version.major == 3
        assert version < namespace["Version"](4)
        assert hash(version) == hash(namespace["Version"](3, 1))


def test_no_future_flags_leak_into_the_compiled_code(tmp_path):
    """This module and code_cache.py have ``from __future__ import annotations``;
    ``exec`` in dataclasses compiles without it, and so must the cache."""
    with code_cache.reusing(tmp_path):
        made = _make("made")
    plain = _make("plain")
    for key, code in _codes(made).items():
        assert code.co_flags == _codes(plain)[key].co_flags, key


def test_the_exec_is_taken_back_after_the_block_even_on_error(tmp_path):
    with pytest.raises(KeyError):
        with code_cache.reusing(tmp_path):
            assert "exec" in vars(dataclasses)
            raise KeyError("x")
    assert "exec" not in vars(dataclasses)
    assert not list(tmp_path.iterdir()), "nothing is written for a block that failed"


def test_a_damaged_cache_file_means_compiling_as_usual(tmp_path, compiles):
    with code_cache.reusing(tmp_path):
        _make("warm")
    (table,) = tmp_path.glob("dataclass-code-*.marshal")
    for damage in (b"", b"\x00garbage", table.read_bytes()[:100]):
        table.write_bytes(damage)
        compiles.clear()
        with code_cache.reusing(tmp_path):
            made = _make("again")
        assert compiles
        assert _codes(made) == _codes(_make("plain"))
    compiles.clear()
    with code_cache.reusing(tmp_path):
        _make("after")
    assert compiles == [], "the damaged file was replaced by a good one"


def test_a_table_of_something_else_is_not_used(tmp_path, compiles):
    with code_cache.reusing(tmp_path):
        _make("warm")
    (table,) = tmp_path.glob("dataclass-code-*.marshal")
    texts = code_cache._read(table)
    assert texts and all(type(code) is type(compile("", "", "exec")) for code in texts.values())
    code_cache._write(table, {text: "not code" for text in texts})
    compiles.clear()
    with code_cache.reusing(tmp_path):
        made = _make("again")
    assert len(compiles) == len(texts)
    assert _codes(made) == _codes(_make("plain"))


def test_a_file_changed_in_one_byte_is_not_read(tmp_path, compiles):
    """``marshal`` reads many a damaged file without an error (code objects too),
    and raises SystemError on others: the digest turns both away."""
    with code_cache.reusing(tmp_path):
        _make("warm")
    (table,) = tmp_path.glob("dataclass-code-*.marshal")
    good = table.read_bytes()
    for position in (len(good) // 3, len(good) // 2, len(good) - 5):
        damaged = bytearray(good)
        damaged[position] ^= 0x01
        table.write_bytes(bytes(damaged))
        assert code_cache._read(table) == {}
        compiles.clear()
        with code_cache.reusing(tmp_path):
            made = _make("again")
        assert compiles and _codes(made) == _codes(_make("plain"))


def test_no_home_folder_means_no_cache(monkeypatch):
    for name in ("CODEMODS_NO_CACHE", "CODEMODS_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home():
        raise KeyError("getpwuid(): uid not found: 12345")  # Python 3.9's Path.home

    monkeypatch.setattr(code_cache.Path, "home", staticmethod(no_home))
    assert code_cache.cache_folder() is None


def test_a_folder_that_cannot_be_made_is_no_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with code_cache.reusing(blocker / "cache"):
        made = _make("made")
    assert made["Point"](1).x == 1
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_someone_elses_exec_is_left_alone(tmp_path, monkeypatch, compiles):
    calls = []

    def theirs(source, globals=None, locals=None):  # noqa: A002
        calls.append(source)
        return exec(source, globals, locals)

    monkeypatch.setattr(dataclasses, "exec", theirs, raising=False)
    with code_cache.reusing(tmp_path):
        assert dataclasses.exec is theirs
        _make("made")
    assert calls and compiles == []
    assert not list(tmp_path.iterdir())


def test_the_table_starts_afresh_past_its_size(tmp_path, monkeypatch, compiles):
    with code_cache.reusing(tmp_path):
        _make("first")
    (table,) = tmp_path.glob("dataclass-code-*.marshal")
    first = set(code_cache._read(table))
    assert first
    monkeypatch.setattr(code_cache, "_MAX_ENTRIES", len(first))  # one more is past it
    compiles.clear()
    with code_cache.reusing(tmp_path):
        exec("import dataclasses\n@dataclasses.dataclass\nclass Other:\n    z: int\n", {})
    assert compiles
    assert set(code_cache._read(table)) == set(compiles), "only the new run's texts"
    compiles.clear()
    with code_cache.reusing(tmp_path):
        exec("import dataclasses\n@dataclasses.dataclass\nclass Other:\n    z: int\n", {})
    assert compiles == []


def test_the_folder_and_turning_it_off(monkeypatch, tmp_path):
    for name in ("CODEMODS_NO_CACHE", "CODEMODS_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert code_cache.cache_folder() == tmp_path / ".cache" / "codemods"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert code_cache.cache_folder() == tmp_path / "xdg" / "codemods"
    monkeypatch.setenv("CODEMODS_CACHE_DIR", str(tmp_path / "mine"))
    assert code_cache.cache_folder() == tmp_path / "mine"
    monkeypatch.setenv("CODEMODS_NO_CACHE", "0")
    assert code_cache.cache_folder() == tmp_path / "mine"
    monkeypatch.setenv("CODEMODS_NO_CACHE", "1")
    assert code_cache.cache_folder() is None


def _run(tree: Path, cache: Path, **env) -> subprocess.CompletedProcess:
    environment = dict(os.environ, CODEMODS_CACHE_DIR=str(cache), **env)
    return subprocess.run([sys.executable, "-m", "codemods", "check", "-j", "1", str(tree)],
                          capture_output=True, text=True, env=environment, timeout=120)


def test_a_run_fills_the_cache_and_the_next_gives_the_same_report(tmp_path):
    tree = tmp_path / "pkg"
    tree.mkdir()
    (tree / "jobs.py").write_text(
        "class Job:\n    def __getstate__(self):\n        state = self.__dict__.copy()\n"
        "        del state['lock']\n        return state\n")
    cache = tmp_path / "cache"
    first = _run(tree, cache)
    assert list(cache.glob("dataclass-code-*.marshal")), first.stderr
    kept = {path.name: path.stat().st_mtime_ns for path in cache.iterdir()}
    assert any(name.startswith("walk-") for name in kept)  # read/walk.py's facts
    second = _run(tree, cache)
    # The second run compiled nothing and learnt nothing new: no file written again.
    assert {path.name: path.stat().st_mtime_ns for path in cache.iterdir()} == kept
    off = _run(tree, tmp_path / "unused", CODEMODS_NO_CACHE="1")
    assert not (tmp_path / "unused").exists()
    assert "CM301 Job: __getstate__" in first.stderr
    assert first.stderr == second.stderr == off.stderr
    assert first.stdout == second.stdout == off.stdout
    assert first.returncode == second.returncode == off.returncode
