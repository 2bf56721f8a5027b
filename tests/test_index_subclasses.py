"""index.py: the subclass search parses only the files whose text may define a
subclass (``may_subclass``), and finds what a search parsing every file that
names the class finds."""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codemods import index as index_module
from codemods.codemod import module_names
from codemods.index import TreeIndex, may_subclass, names_word

STDLIB = Path(sysconfig.get_paths()["stdlib"])
PACKAGES = ["asyncio", "email", "unittest", "json", "concurrent", "http", "xml", "importlib",
            "multiprocessing", "logging", "urllib", "collections", "sqlite3"]


@pytest.mark.parametrize("text, expected", [
    ("class A(Store):\n    pass\n", True),
    ("class A(\n    base.Store,\n):\n    pass\n", True),
    ("class A[T](Store[T]): pass\n", True),
    # the word only in a body, a call, a docstring: no class of the file derives from it
    ("class A(Base):\n    store = Store()\n", False),
    ("x = Store()\ndef f():\n    return Store\n", False),
    ('class A(Base):\n    """Not a Store: a class of its own."""\n', False),
    # imported under another name: a header may use that name
    ("from .store import Store as Shop\nclass A(Shop): pass\n", True),
    # headers that are not plain: maybe
    ("class A(Base,  # a Store-like base\n    Other): pass\n", True),
    ("class A(make(key=lambda x: x)): pass\n", True),
    ("class A[T: Other](Base): pass\n", True),
    ("class A(bases['name']): pass\n", True),
    # the import's "as" after a continuation or a comment; a header after a form
    # feed, or on a line a lone "\r" ends (found by review)
    ("from .store import Store \\\n    as Shop\nclass A(Shop): pass\n", True),
    ("from .store import (Store  # the base\n    as Shop)\nclass A(Shop): pass\n", True),
    ("from .store import Store\n\x0cclass A(Store): pass\n", True),
    ("from .store import Store\rclass A(Store):\r    pass\r", True),
    ("from .store import Store\rclass A(Base):\r    pass\r", False),
    # "as" in a comment is not an import's; a banner of "#" after the name is read
    # in one pass (a pattern that let each "#" start a comment took exponential time)
    ("from .store import Store  # kept as it is\nclass A(Base): pass\n", False),
    ("from .store import Store  " + "#" * 80 + "\nclass A(Base): pass\n", False),
    ("from .store import (Store  # " + "#" * 80 + "\n    as Shop)\nclass A(Shop): pass\n",
     True),
])
def test_may_subclass(text, expected):
    assert may_subclass(text, ["Store"]) is expected


def _index(files):
    def read(path):
        return path.read_text(encoding="utf-8", errors="replace")

    return TreeIndex(files, read, lambda path: module_names(path)[1:])


def test_finds_what_parsing_every_naming_file_finds(monkeypatch):
    files = sorted(path for package in PACKAGES for path in (STDLIB / package).rglob("*.py")
                   if "test" not in path.parts)
    assert len(files) > 150
    filtered = _index(files)
    classes = [info for path in files if (facts := filtered.facts(path)) is not None
               for info in facts.all_classes()]
    assert len(classes) > 500
    found = {info.name: [c.name for c in filtered.subclasses(info)] for info in classes}
    assert sum(bool(subs) for subs in found.values()) > 50  # not vacuous

    monkeypatch.setattr(index_module, "may_subclass", lambda text, words: True)
    unfiltered = _index(files)
    for info in classes:  # the search reads only a class's names
        assert [c.name for c in unfiltered.subclasses(info)] == found[info.name], info.name


_WORD_PARTS = st.sampled_from(["Store", "Sto", "re", "_", "x", "9", "é", "\u0301", "\u203f", " ",
                               ".", "(", "\n", "Shop", "ß"])


@settings(max_examples=500, deadline=None)
@given(text=st.lists(_WORD_PARTS, max_size=12).map("".join),
       words=st.lists(st.lists(_WORD_PARTS, min_size=1, max_size=3).map("".join),
                      min_size=1, max_size=3))
def test_names_word_is_the_word_boundary_search(text, words):
    """``names_word`` answers what the search it replaced did, for words that end
    in characters ``re`` does not count as a word's too (a combining accent,
    ``‿``: both can end a Python name)."""
    pattern = re.compile(r"\b(?:%s)\b" % "|".join(sorted(map(re.escape, set(words)))))
    assert names_word(text, words) is bool(pattern.search(text))


@pytest.mark.parametrize("text, words, expected", [
    ("class A(Store): pass", ["Store"], True),
    ("class A(Stores): pass", ["Store"], False),
    ("class A(_Store): pass", ["Store"], False),
    ("class A(Storé): pass", ["Stor"], False),  # é is a word's character
    ("Store", ["Store"], True),
    ("x = AStore; y = Store_", ["Store", "AStore"], True),
])
def test_names_word(text, words, expected):
    assert names_word(text, words) is expected
