"""read/walk.py: the read-only walk calls a visitor exactly as libcst's own
``node.visit`` does (same nodes, same order, children skipped alike), without
rebuilding the tree."""

from __future__ import annotations

import sysconfig
from contextlib import contextmanager
from pathlib import Path

import libcst as cst
import pytest

from codemods.read import walk

SNAPSHOTS = Path(__file__).parent / "snapshots"
STDLIB = Path(sysconfig.get_paths()["stdlib"])

# Every statement and expression form libcst knows, with the optional parts both
# present and absent (format specs, annotations, defaults, parentheses, semicolons).
EVERY_FORM = '''\
"""Docstring."""
from __future__ import annotations
import os, sys as system
from . import sibling
from .. pkg import (a as b, c,)
from os.path import *
x: int = 1; y = 2;
z += 3
del z, x[0], x.a
global g
(p, *q), r = s = 1, 2, 3
t = [i for i in range(3) if i], {k: v for k, v in d.items()}, {i for i in s}, (i async for i in a)
u = lambda a, /, b=1, *c, d, e=2, **f: (a, b)
v = a if b else c
w = not a and b or c
n = -a + b * c @ d ** e // f % g << h >> i & j | k ^ ~l
cmp = a < b <= c != d is not e not in f
f"{a!r:>{width}} {b=} {c:{d}.{e}f} {{}} {x!s}" f'{y}' 'z'
bb = b"w" b'v'
sl = a[1:2, ::3, ...], a[:], a[b:c:d]
star = print(*a, **b, sep="")
await_me = None
if a:
    pass
elif b:
    ...
else:
    raise ValueError("x") from None
for i, j in pairs:
    continue
else:
    break
while (n := n - 1) > 0:
    yield n
    yield from gen()
try:
    import missing
except (ImportError, OSError) as exc:
    raise
else:
    assert x, "message"
finally:
    nonlocal_ = 1
try:
    pass
except* TypeError:
    pass
with open(a) as f, open(b):
    return f
async def coro(a: int = 1, *, b: "str" = "", **kw) -> None:
    async with lock as held:
        await thing
    async for item in items:
        pass
@decorator
@decorator.with_args(1, key=2)
class Klass(Base, metaclass=Meta):
    attr: ClassVar[int]

    def method(self) -> int:
        return self.attr
match command:
    case [x, y, *rest]:
        pass
    case {"key": value, **others}:
        pass
    case Point(x=0, y=0) | Point(1, 2) as point if point:
        pass
    case str() | None | 1 | -1 | 1 + 2j | "s":
        pass
    case _:
        pass
def generic[T: int, *Ts, **P](a: T) -> T:
    return a
class Box[T = int]:
    pass
type Alias[K] = dict[K, int]
print("continued" \\
      "line")
'''


class Recorder(cst.CSTVisitor):
    """Every call libcst makes on a visitor, with the node visited; it skips the
    children of function bodies and of every third ``Call``."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = []
        self.calls_seen = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.calls.append(("visit", type(node).__name__, id(node)))
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.calls.append(("leave", type(original_node).__name__, id(original_node)))
        super().on_leave(original_node)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> bool:
        return len(node.body) != 2  # some bodies are skipped, most are entered

    def visit_Call(self, node: cst.Call) -> bool:
        self.calls_seen += 1
        return self.calls_seen % 3 != 0


@contextmanager
def libcsts_own_walk():
    """libcst's ``CSTNode.visit`` as libcst has it, without ``walk.install``
    (which codemods.parsing makes on import), for the duration."""
    installed = getattr(cst.CSTNode.visit, "original", None) is not None
    walk.uninstall()
    try:
        yield
    finally:
        if installed:
            walk.install()


def _same_calls(module: cst.Module) -> None:
    by_libcst, by_walk = Recorder(), Recorder()
    with libcsts_own_walk():
        module.visit(by_libcst)
    walk.read_only_visit(module, by_walk)
    assert by_walk.calls == by_libcst.calls
    assert by_walk.calls  # the walk went somewhere


def test_every_syntax_form_is_walked_as_libcst_walks_it():
    module = cst.parse_module(EVERY_FORM)
    _same_calls(module)
    kinds = {call[1] for call in _recorded(module)}
    # The module exercises the optional parts the walk must not miss.
    assert {"FormattedStringExpression", "MatchAs", "TypeParam", "TypeAlias", "Lambda",
            "ImportStar", "NamedExpr"} <= kinds


def _recorded(module):
    recorder = Recorder()
    recorder.visit_IndentedBlock = lambda node: True  # type: ignore[method-assign]
    recorder.visit_Call = lambda node: True  # type: ignore[method-assign]
    walk.read_only_visit(module, recorder)
    return recorder.calls


@pytest.mark.parametrize("path", sorted(
    p for p in SNAPSHOTS.rglob("*.py") if ".expected" not in str(p)), ids=str)
def test_snapshot_inputs_are_walked_as_libcst_walks_them(path):
    try:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
    except cst.ParserSyntaxError:
        pytest.skip("does not parse (a case for bad input)")
    _same_calls(module)


@pytest.mark.parametrize("name", ["pickle.py", "inspect.py", "string.py", "dataclasses.py"])
def test_standard_library_modules_are_walked_as_libcst_walks_them(name):
    path = STDLIB / name
    if not path.exists():
        pytest.skip(f"{name} is not in this Python's standard library")
    _same_calls(cst.parse_module(path.read_text(encoding="utf-8")))


def test_a_visitor_with_attribute_callbacks_gets_libcsts_own_walk():
    class Attributes(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.seen = []

        def visit_Name_lpar(self, node: cst.Name) -> None:
            self.seen.append(node.value)

    module = cst.parse_module("a = b\n")
    visitor = Attributes()
    assert not walk.walks_fast(visitor)
    walk.read_only_visit(module, visitor)
    assert visitor.seen == ["a", "b"]


def test_a_visitor_with_metadata_or_a_transformer_gets_libcsts_own_walk():
    class Positions(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (cst.metadata.PositionProvider,)

    assert not walk.walks_fast(Positions())
    assert not walk.walks_fast(cst.CSTTransformer())  # type: ignore[arg-type]
    assert walk.walks_fast(Recorder())


def test_the_walk_builds_no_node():
    """What makes it cheaper: no node is made (libcst's walk makes one per node)."""
    module = cst.parse_module(EVERY_FORM)
    walk.read_only_visit(module, Recorder())  # every node type's order read once
    made = []
    original = cst.CSTNode.__post_init__

    def counting(self):
        made.append(type(self).__name__)
        original(self)

    cst.CSTNode.__post_init__ = counting
    try:
        walk.read_only_visit(module, Recorder())
        assert made == []
        with libcsts_own_walk():
            module.visit(Recorder())
        assert made  # libcst's own walk does build nodes: the count can tell
    finally:
        cst.CSTNode.__post_init__ = original


def test_a_field_libcst_visits_only_when_set_is_found_from_any_first_node():
    """libcst visits an f-string expression's format spec only when there is
    one: read from a first node without one, the order must still have it."""
    walk._ORDER.clear()
    try:
        _same_calls(cst.parse_module('f"{plain} {spec:>{width}}"\n'))
    finally:
        walk._ORDER.clear()


# The installed walk (``walk.install``): every visitor, attribute callbacks and
# libcst's own metadata visitors included -----------------------------------------


class AttributeRecorder(Recorder):
    """Also every attribute callback, as libcst calls them."""

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.calls.append(("visit_attribute", type(node).__name__, id(node), attribute))

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.calls.append(("leave_attribute", type(original_node).__name__,
                           id(original_node), attribute))


def _same_calls_installed(module: cst.Module) -> None:
    by_libcst, by_walk = AttributeRecorder(), AttributeRecorder()
    with libcsts_own_walk():
        module.visit(by_libcst)
    walk.install()
    try:
        assert module.visit(by_walk) is module
    finally:
        walk.uninstall()
    assert by_walk.calls == by_libcst.calls
    assert any(call[0] == "visit_attribute" for call in by_walk.calls)


_INPUTS = [EVERY_FORM, 'f"{plain} {spec:>{width}}" f"{x!r:{y}}"\nfrom . import a\n'
                       "from .b import (c, d)\n"]


@pytest.mark.parametrize("text", _INPUTS)
def test_the_installed_walk_calls_what_libcst_calls(text):
    with libcsts_own_walk():
        _same_calls_installed(cst.parse_module(text))


@pytest.mark.parametrize("path", sorted(
    p for p in SNAPSHOTS.rglob("*.py") if ".expected" not in str(p))[::3], ids=str)
def test_the_installed_walk_calls_what_libcst_calls_on_snapshot_inputs(path):
    try:
        module = cst.parse_module(path.read_text(encoding="utf-8"))
    except cst.ParserSyntaxError:
        pytest.skip("does not parse (a case for bad input)")
    with libcsts_own_walk():
        _same_calls_installed(module)


def _all_nodes(module: cst.Module):
    found = []

    class All(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.append(node)
            return True

    walk.read_only_visit(module, All())
    return found


def _metadata(module: cst.Module):
    """What libcst's scope analysis and name providers say of every name."""
    from libcst.metadata import (ExpressionContextProvider, FullyQualifiedNameProvider,
                                 QualifiedNameProvider, ScopeProvider)

    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True, cache={
        FullyQualifiedNameProvider: None})
    scopes, qualified, contexts = wrapper.resolve_many(
        [ScopeProvider, QualifiedNameProvider, ExpressionContextProvider]).values()
    in_module = set(map(id, _all_nodes(module)))
    said = []
    for node, scope in scopes.items():
        if isinstance(node, (cst.Name, cst.Attribute)):
            names = qualified.get(node, ())
            names = names() if callable(names) else names  # a LazyValue
            # libcst parses a string annotation anew each time: its nodes by their code
            key = id(node) if id(node) in in_module else module.code_for_node(node)
            said.append((key, type(scope).__name__ if scope else None,
                         sorted((q.name, q.source.name) for q in names),
                         str(contexts.get(node))))
    for scope in {id(s): s for s in scopes.values() if s is not None}.values():
        said.append((type(scope).__name__, sorted(
            (a.node.value if isinstance(a.node, cst.Name) else type(a.node).__name__,
             len(a.referents)) for a in scope.accesses),
            sorted(str(name) for name in scope.assignments._assignments)))
    return said


@pytest.mark.parametrize("name", ["pickle.py", "inspect.py", "dataclasses.py", "typing.py"])
def test_libcsts_metadata_is_the_same_with_the_installed_walk(name):
    path = STDLIB / name
    if not path.exists():
        pytest.skip(f"{name} is not in this Python's standard library")
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    with libcsts_own_walk():
        by_libcst = _metadata(module)
        walk.install()
        try:
            by_walk = _metadata(module)
        finally:
            walk.uninstall()
    assert by_walk == by_libcst
    assert len(by_walk) > 1000


@pytest.fixture
def fresh_facts(monkeypatch):
    """The walk's facts of libcst's node types, learnt afresh in the test."""
    monkeypatch.setattr(walk, "_ORDER", {})
    monkeypatch.setattr(walk, "_EVERY_FIELD", {})
    monkeypatch.setattr(walk, "_LEARNED", [False])


def _learn_every_form():
    module = cst.parse_module(EVERY_FORM)
    walk._walk_with_attributes(module, Recorder())  # the installed walk (walk.install)
    walk.read_only_visit(module, Recorder())
    return dict(walk._ORDER), dict(walk._EVERY_FIELD)


def test_what_a_run_learns_of_node_types_is_read_back_by_the_next(tmp_path, fresh_facts):
    orders, every = _learn_every_form()
    assert len(orders) > 50 and len(every) > 50 and walk._LEARNED[0]
    walk.write_learned(tmp_path)
    assert not walk._LEARNED[0]
    walk._ORDER.clear()
    walk._EVERY_FIELD.clear()
    walk.read_learned(tmp_path)
    assert walk._ORDER == orders and walk._EVERY_FIELD == every
    assert not walk._LEARNED[0], "read, not learnt"
    _same_calls(cst.parse_module(EVERY_FORM))  # walked with what was read
    mtime = next(tmp_path.glob("walk-*")).stat().st_mtime_ns
    walk.write_learned(tmp_path)  # nothing new: nothing written
    assert next(tmp_path.glob("walk-*")).stat().st_mtime_ns == mtime


def test_facts_of_another_libcst_or_a_damaged_file_are_not_read(tmp_path, fresh_facts,
                                                                monkeypatch):
    _learn_every_form()
    walk.write_learned(tmp_path)
    (table,) = tmp_path.glob("walk-*")
    walk._ORDER.clear()
    monkeypatch.setattr(walk, "_stamp", lambda: ("0.0.1", ()))
    walk.read_learned(tmp_path)
    assert walk._ORDER == {}
    monkeypatch.undo()
    monkeypatch.setattr(walk, "_ORDER", {})
    for damage in (b"", b"\x00junk", table.read_bytes()[:50]):
        table.write_bytes(damage)
        walk.read_learned(tmp_path)
        assert walk._ORDER == {}

    from codemods import code_cache

    code_cache.write_table(table.name, {"stamp": walk._stamp(), "order": {
        "libcst._nodes.expression:Name": ["not", "a", "tuple"], "no.such:Type": ("value",),
        "libcst._nodes.expression:Call": ("func", "not_a_field_of_call"),
        "libcst._nodes.expression:Attribute": ("value", "dot", "attr")}}, tmp_path)
    walk.read_learned(tmp_path)
    assert walk._ORDER == {cst.Attribute: ("value", "dot", "attr")}
