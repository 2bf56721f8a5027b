"""read/positions.py: a node inside a class is placed where libcst's
``PositionProvider`` over the whole module places it, from a render of the
class (or of the one body statement around the node) alone."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import PositionProvider

from codemods.read.module_index import ModuleIndex
from codemods.read.positions import Positions

SNAPSHOTS = Path(__file__).parent / "snapshots"
STDLIB = Path(sysconfig.get_paths()["stdlib"])

DECORATED = '''\
import functools


@functools.total_ordering
@functools.total_ordering
class Thing:
    """Doc."""
    a = 1; b = 2

    def __init__(self):
        self.lock = None

    # a comment above a decorated method
    @property
    # between
    def value(self):
        return (self.a,
                self.b)

    def __getstate__(self):
        state = self.__dict__.copy()
        if state:
            del state["lock"]
        return state

    class Inner(Base, key=1):
        def method(self): return 1


class OneLine: x = 1


if True:
    @decorate
    class Nested:
        def method(self):
            return {"k": [1,
                          2]}
'''


class _AllNodes(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


def _compare(text: str) -> int:
    """Every node of every class, placed both ways; returns how many."""
    module = cst.parse_module(text)
    truth = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    index = ModuleIndex.of(module, "pkg.mod", "pkg")
    positions = Positions(module, text, "pkg.mod")
    seen = set()
    compared = 0
    for name, owner in index.classes:
        if name in seen:
            continue  # two classes of one name: the first is the one placed
        seen.add(name)
        indented = truth[owner].start.column > 0
        nodes = _AllNodes()
        owner.visit(nodes)
        for node in nodes.nodes[1:]:  # the class itself is placed at its first decorator
            line, column = positions.of(node, owner, name)
            expected = truth[node].start
            assert line == expected.line, (name, type(node).__name__, line, expected)
            if not indented:  # a nested class's continuation lines keep their own indentation
                assert column == expected.column, (name, type(node).__name__, column, expected)
            compared += 1
    return compared


def test_nodes_in_decorated_and_nested_classes_are_placed_where_libcst_places_them():
    assert _compare(DECORATED) > 100


def test_a_finding_inside_a_decorated_class_is_on_its_own_line():
    """The old placement counted from the first decorator: a node inside a class
    with two decorators was placed two lines too high."""
    module = cst.parse_module(DECORATED)
    thing = next(s for s in module.body if isinstance(s, cst.ClassDef))
    getstate = [s for s in thing.body.body if isinstance(s, cst.FunctionDef)][2]
    test = getstate.body.body[1]
    assert isinstance(test, cst.If)
    positions = Positions(module, DECORATED, "pkg.mod")
    assert positions.of(test, thing, "pkg.mod.Thing") == (22, 8)
    assert positions.of(thing, thing, "pkg.mod.Thing") == (4, 0)


@pytest.mark.parametrize("path", sorted(
    p for p in (SNAPSHOTS / "migrate").rglob("*.py") if ".expected" not in str(p)), ids=str)
def test_snapshot_classes_are_placed_where_libcst_places_them(path):
    try:
        _compare(path.read_text(encoding="utf-8"))
    except cst.ParserSyntaxError:
        pytest.skip("does not parse (a case for bad input)")


@pytest.mark.parametrize("name", ["fractions.py", "string.py"])
def test_standard_library_classes_are_placed_where_libcst_places_them(name):
    path = STDLIB / name
    if not path.exists():
        pytest.skip(f"{name} is not in this Python's standard library")
    assert _compare(path.read_text(encoding="utf-8")) > 100


def test_a_nested_class_is_placed_alike_whichever_class_is_asked_first():
    """A nested class is a statement of its outer class and a class of its own:
    the render of one must not stand for the render of the other."""
    text = "class A:\n\tclass B(Base):\n\t\tdef __getstate__(self):\n\t\t\treturn {}\n"
    module = cst.parse_module(text)
    truth = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    outer = module.body[0]
    inner = outer.body.body[0]
    inside, base = inner.body.body[0].body.body[0], inner.bases[0].value
    for first, second in (((inside, outer, "m.A"), (base, inner, "m.A.B")),
                          ((base, inner, "m.A.B"), (inside, outer, "m.A"))):
        positions = Positions(module, text, "m")
        positions.of(*first)
        found = positions.of(*second)
        expected = truth[second[0]].start
        assert found == (expected.line, expected.column)
