"""The per-class cache of what libcst's matcher-aware visitors gather when made
(codemods/libcst_speed.py) answers as libcst itself would, object by object."""

from __future__ import annotations

import inspect

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext
from libcst.matchers import _visitors

import codemods.parsing  # noqa: F401 - installs the cache, as every worker does
from codemods import libcst_speed
from codemods.commands import check, migrate, strip  # noqa: F401 - every command class
from codemods.write import imports, migrate_module, strip_module  # noqa: F401

GATHERERS = ("_gather_matchers", "_gather_constructed_visit_funcs",
             "_gather_constructed_leave_funcs")


def _subclasses(root):
    seen, todo = set(), [root]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen


# Where libcst keeps a class's metadata dependencies, computed when an object is made:
# a class attribute, which a subclass made later inherits when it has none of its own.
_DEPENDENCIES_KEPT = "_INHERITED_METADATA_DEPENDENCIES_CACHE"


def _instances():
    """One object of every visitor class, made as no run makes them (libcst's
    bases themselves among them); what libcst kept on a class while making them
    is let go, for later tests to find each class as a run leaves it."""
    made = []
    classes = _subclasses(m.MatcherDecoratableTransformer) | _subclasses(
        m.MatcherDecoratableVisitor)
    kept_before = {cls for cls in classes if _DEPENDENCIES_KEPT in vars(cls)}
    try:
        for cls in classes:
            if inspect.isabstract(cls):
                continue
            for args in ((), (CodemodContext(),)):
                try:
                    made.append(cls(*args))
                    break
                except Exception:  # noqa: BLE001 - a class that needs other arguments
                    continue
    finally:
        for cls in classes - kept_before:
            if _DEPENDENCIES_KEPT in vars(cls):
                delattr(cls, _DEPENDENCIES_KEPT)
    return made


def test_the_cache_is_installed():
    assert libcst_speed.install() is True
    assert all(hasattr(getattr(_visitors, name), "original") for name in GATHERERS)


def test_cached_answers_equal_libcsts_for_every_visitor_class():
    instances = _instances()
    assert len(instances) > 20  # libcst's own and ours
    for obj in instances:
        for name in GATHERERS:
            cached = getattr(_visitors, name)
            assert cached(obj) == cached.original(obj), (type(obj), name)
            assert cached(obj) == cached.original(obj), (type(obj), name)  # from the cache


def test_gatherers_over_the_names_that_can_add_something_answer_as_over_all():
    """``_restricted`` walks fewer names, and finds the same, in the same order
    (the order in which decorated functions of one matcher are called)."""
    for obj in _instances():
        for name in GATHERERS:
            original = getattr(_visitors, name).original
            assert list(libcst_speed._restricted(original, obj).items()) == \
                list(original(obj).items()), (type(obj), name)
        assert "visit_Name" in libcst_speed._inert(type(obj))
    assert "dir" not in vars(_visitors)  # the builtin again, after each call


def test_a_decorated_function_an_object_holds_itself_is_still_found():
    class Holder(m.MatcherDecoratableVisitor):
        def helper(self) -> None:
            pass

    def gated(node) -> None:
        pass

    inside = m.ClassDef()
    obj = Holder()
    obj.helper = m.call_if_inside(inside)(gated)  # shadows the plain method
    original = _visitors._gather_matchers.original
    assert original(obj) == {inside: None}
    assert libcst_speed._restricted(original, obj) == original(obj)


def test_the_inert_names_leave_the_walk():
    """A function of the gatherers' module that walks ``dir(obj)`` walks only
    the names that can add something, in their order."""
    from types import FunctionType

    namespace = {}
    exec("def probe(obj):\n    return list(dir(obj))\n", namespace)
    probe = FunctionType(namespace["probe"].__code__, vars(_visitors))
    obj = _Decorated()
    walked = libcst_speed._restricted(probe, obj)
    assert "_x" in walked and "_y" in walked and "seen" in walked
    assert "visit_Name" not in walked and "leave_Name" not in walked
    assert walked == [name for name in dir(obj) if name in walked]  # dir's order


class _Decorated(m.MatcherDecoratableTransformer):
    def __init__(self) -> None:
        super().__init__()
        self.seen = []

    @m.call_if_inside(m.ClassDef())
    @m.visit(m.Name("x"))
    def _x(self, node: cst.Name) -> None:
        self.seen.append(node.value)

    @m.leave(m.Name("y"))
    def _y(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        self.seen.append("left " + updated.value)
        return updated.with_changes(value="z")


def test_decorated_methods_run_on_each_object_of_their_own():
    first, second = _Decorated(), _Decorated()
    module = cst.parse_module("x = y\nclass C:\n    x = y\n")
    assert first.seen == [] and second.seen == []
    new = module.visit(first)
    assert first.seen == ["left y", "x", "left y"] and second.seen == []
    assert new.code == "x = z\nclass C:\n    x = z\n"
    module.visit(second)
    assert second.seen == first.seen


def _fresh(code: str) -> str:
    """What a fresh interpreter prints running ``code``."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def test_matchers_are_imported_without_their_signature_docstrings():
    printed = _fresh(
        "import inspect\n"
        "original = inspect.signature\n"
        "from codemods.libcst_speed import import_matchers\n"
        "import_matchers()\n"
        "import libcst as cst, libcst.matchers as m\n"
        "assert inspect.signature is original\n"
        "assert m.matches(cst.Name('x'), m.Name('x')) and not m.matches(cst.Name('y'), m.Name('x'))\n"
        "print(m.Name.__doc__, m.Call.__doc__, sep='|')\n")
    assert printed == "Name|Call"


def test_without_it_dataclasses_write_the_signature():
    # What the speed-up leaves out: without it, the docstring is the signature.
    assert _fresh("import libcst.matchers as m; print(m.Name.__doc__)").startswith("Name(")


def test_a_worker_loads_libcst_that_way():
    printed = _fresh(
        "from codemods.workers import FileWork\n"
        "from codemods.check import CheckCodemod\n"
        "from codemods.settings import Settings\n"
        "FileWork(CheckCodemod(Settings()))._load()\n"
        "import libcst.matchers as m\n"
        "print(m.Name.__doc__)\n")
    assert printed == "Name"


def test_matchers_loaded_already_are_left_as_they_are():
    printed = _fresh(
        "import libcst.matchers as m\n"
        "from codemods.libcst_speed import import_matchers\n"
        "import_matchers()\n"
        "print(m.Name.__doc__.startswith('Name('))\n")
    assert printed == "True"


_IMPORT_HEADS = [
    '"""Doc."""\nimport os\nfrom . import sibling\nfrom .pkg import (a as b,\n    c)\nx = 1\nimport late\n',
    "from __future__ import annotations\nimport os.path as p, sys\nfrom pkg.mod import *\n"
    "def f():\n    import inner\n",
    "__strict__ = True\nfrom ..up import name  # comment\n\nimport json\n",
    "# only a comment\n",
    "class A:\n    import inside\nimport after\n",
]


def _gathered(gatherer_class, source: str):
    module = cst.parse_module(source)
    gatherer = gatherer_class(CodemodContext(full_module_name="pkg.mod", full_package_name="pkg"))
    module.visit(gatherer)
    return module, gatherer


def test_the_top_imports_gatherer_reads_what_libcsts_own_reads():
    from libcst.codemod.visitors import _add_imports

    ours = _add_imports._GatherTopImportsBeforeStatements
    assert ours.reads_the_body_only and ours.original is not ours
    sources = [*_IMPORT_HEADS, inspect.getsource(imports), inspect.getsource(migrate_module)]
    for source in sources:
        module = cst.parse_module(source)
        found = []
        for gatherer_class in (ours, ours.original):
            gatherer = gatherer_class(CodemodContext(full_module_name="pkg.mod",
                                                     full_package_name="pkg"))
            module.visit(gatherer)
            found.append((
                [id(node) for node in gatherer.all_imports],  # the very nodes
                gatherer.module_imports, gatherer.module_aliases, gatherer.object_mapping,
                gatherer.alias_mapping))
        assert found[0] == found[1], source


def test_imports_are_added_as_libcsts_own_pass_adds_them(monkeypatch):
    from libcst.codemod.visitors import AddImportsVisitor, _add_imports
    from libcst.codemod.visitors._imports import ImportItem

    items = [ImportItem("pkg.serialization", "clear", None, 0),
             ImportItem("os", None, None, 0), ImportItem("sibling", "x", None, 1)]
    outputs = []
    for gatherer in (_add_imports._GatherTopImportsBeforeStatements,
                     _add_imports._GatherTopImportsBeforeStatements.original):
        monkeypatch.setattr(_add_imports, "_GatherTopImportsBeforeStatements", gatherer)
        context = CodemodContext(full_module_name="pkg.mod", full_package_name="pkg")
        outputs.append([AddImportsVisitor(context, items).transform_module(
            cst.parse_module(source)).code for source in _IMPORT_HEADS])
    assert outputs[0] == outputs[1]
    assert any("from pkg.serialization import clear" in text for text in outputs[0])


def test_the_top_imports_gatherer_walks_no_further_than_the_module():
    from libcst.codemod.visitors import _add_imports

    visited = []

    class Counting(_add_imports._GatherTopImportsBeforeStatements):
        def on_visit(self, node):
            visited.append(type(node).__name__)
            return super().on_visit(node)

    _gathered(Counting, _IMPORT_HEADS[0])
    assert visited == ["Module"]


def test_the_inert_names_are_those_of_the_merged_class_dictionaries():
    """``_inert`` reads each class of an MRO once; it names what merging the
    dictionaries of the whole MRO names (the first class in the MRO wins)."""
    from types import FunctionType

    for obj in _instances():
        cls = type(obj)
        values = {}
        for klass in reversed(cls.__mro__):
            values.update(vars(klass))
        expected = {name for name, value in values.items() if type(value) is FunctionType
                    and not any(hasattr(value, attr) for attr in libcst_speed._DECORATION_ATTRS)}
        assert libcst_speed._inert(cls) == expected, cls


def test_a_name_a_subclass_decorates_is_not_inert():
    class Base(m.MatcherDecoratableVisitor):
        def visit_Name(self, node):
            return None

    class Sub(Base):
        @m.call_if_inside(m.Call())
        def visit_Name(self, node):
            return None

    class SubSub(Sub):
        def visit_Call(self, node):
            return None

    assert "visit_Name" in libcst_speed._inert(Base)
    assert "visit_Name" not in libcst_speed._inert(Sub)
    assert "visit_Name" not in libcst_speed._inert(SubSub)
    assert "visit_Call" in libcst_speed._inert(SubSub)


def _nested_union():
    import typing

    inner = typing.Union[typing.List[int], typing.Dict[str, "cst.Name"], None]
    return typing.Union[typing.Sequence[inner], typing.Tuple[inner, ...], int]


def test_an_alias_hashes_once_inside_the_block_and_as_before(monkeypatch):
    import typing

    calls = []
    original = typing._GenericAlias.__dict__["__hash__"]

    def counted(alias):
        calls.append(alias)
        return original(alias)

    monkeypatch.setattr(typing._GenericAlias, "__hash__", counted)
    alias = typing.List[typing.Dict[str, int]]
    expected = hash(alias)
    calls.clear()
    with libcst_speed.typing_hashes_kept():
        assert hash(alias) == expected
        assert hash(alias) == expected
        assert [a for a in calls if a is alias] == [alias]  # computed once, then kept
    assert typing._GenericAlias.__dict__["__hash__"] is counted  # put back
    calls.clear()
    hash(alias)
    hash(alias)
    assert [a for a in calls if a is alias] == [alias, alias]  # outside, computed each time


def test_union_hashes_inside_the_block_equal_typings_own():
    import typing

    aliases = [_nested_union(), typing.Optional[typing.List[int]], typing.Union[int, str]]
    expected = [hash(a) for a in aliases]
    originals = {name: vars(getattr(typing, name))["__hash__"]
                 for name in libcst_speed._HASHED_ALIASES if hasattr(typing, name)}
    with libcst_speed.typing_hashes_kept():
        assert [hash(a) for a in aliases] == expected
        assert typing.Union[typing.List[int], None] == typing.Optional[typing.List[int]]
    assert {name: vars(getattr(typing, name))["__hash__"] for name in originals} == originals


def test_the_block_keeps_no_alias_alive():
    import gc
    import typing
    import weakref

    with libcst_speed.typing_hashes_kept():
        alias = typing.List[typing.Dict[str, bytes]]
        hash(alias)
        for clear in typing._cleanups:  # typing's own caches keep it otherwise
            clear()
        watch = weakref.ref(alias)
    del alias
    gc.collect()
    assert watch() is None


def test_a_class_unlike_typings_is_left_alone(monkeypatch):
    import typing

    class Other:
        __hash__ = None  # not a function

    monkeypatch.setattr(typing, "_UnionGenericAlias", Other)
    with libcst_speed.typing_hashes_kept():
        assert Other.__hash__ is None
    assert Other.__hash__ is None


def test_a_worker_loads_libcst_with_the_hashes_kept():
    printed = _fresh(
        "import codemods.libcst_speed as speed, contextlib\n"
        "used = []\n"
        "original = speed.typing_hashes_kept\n"
        "@contextlib.contextmanager\n"
        "def recorded():\n"
        "    with original():\n"
        "        import sys; used.append('libcst' in sys.modules)\n"
        "        yield\n"
        "speed.typing_hashes_kept = recorded\n"
        "from codemods.workers import FileWork\n"
        "from codemods.check import CheckCodemod\n"
        "from codemods.settings import Settings\n"
        "FileWork(CheckCodemod(Settings()))._load()\n"
        "import typing\n"
        "print(used, typing._GenericAlias.__hash__.__module__)\n")
    assert printed == "[False] typing"
