"""read/import_scopes.py names what a callee was imported as exactly as libcst's
QualifiedNameProvider does (source IMPORT): checked on generated modules that mix
imports, rebindings and nested scopes, and on hand-picked cases of its quirks."""

from __future__ import annotations

import ast
from typing import Dict, List, Tuple

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider
from libcst.metadata import QualifiedNameSource

from codemods.read.import_scopes import ImportNames

IMPORTS = [
    "import multiprocessing",
    "import multiprocessing as mp",
    "import multiprocessing.pool",
    "import os, multiprocessing.context as ctx",
    "from multiprocessing import get_context",
    "from multiprocessing import get_context as gc, Process",
    "from multiprocessing.pool import Pool",
    "from . import mp",
    "from .pkg import get_context",
    "from multiprocessing import *",
    "import multiprocessing as mp, multiprocessing.pool as mpp",
]
REBINDINGS = [
    "mp = None",
    "get_context = make()",
    "Process, gc = 1, 2",
    "for mp in range(3): pass",
    "with open(f) as get_context: pass",
    "try:\n    pass\nexcept OSError as ctx:\n    pass",
    "if (gc := 1): pass",
    "def Pool(): pass",
    "class multiprocessing: pass",
    "global mp",
    "nonlocal_placeholder = 0",
]
CALLS = [
    "mp.get_context()",
    "get_context()",
    "gc()",
    "Process()",
    "Pool()",
    "multiprocessing.Process()",
    "multiprocessing.pool.Pool()",
    "ctx.ForkContext()",
    "mp()",
    "get_context().Pool()",
    "os.environ.get('X')",
    "[mp.Process() for mp in range(2)]",
    "[get_context() for x in mp.y()]",
    "(lambda gc: gc())(1)",
    "(lambda: mp.Pool())()",
    "mpp.Pool()",
]


def _indent(text: str, by: str) -> str:
    return "\n".join(by + line for line in text.splitlines())


statements = st.sampled_from(IMPORTS + REBINDINGS + CALLS)


@st.composite
def blocks(draw, depth=0) -> str:
    lines: List[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["statement"] * 4 + (["def", "class"] if depth < 2 else [])))
        if kind == "statement":
            lines.append(draw(statements))
        else:
            header = "def f(mp=mp.x()):" if kind == "def" and draw(st.booleans()) else \
                "def f(get_context):" if kind == "def" and draw(st.booleans()) else \
                "def g():" if kind == "def" else "class C(mp.Process):"
            lines.append(header + "\n" + _indent(draw(blocks(depth + 1)), "    "))
    return "\n".join(lines)


class _Callees(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider)

    def __init__(self) -> None:
        super().__init__()
        self.found: Dict[Tuple[int, int], List[str]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        start = self.get_metadata(PositionProvider, node.func).start
        self.found[(start.line, start.column)] = sorted(
            q.name for q in self.get_metadata(QualifiedNameProvider, node.func, set())
            if q.source is QualifiedNameSource.IMPORT)


def libcst_names(source: str) -> Dict[Tuple[int, int], List[str]]:
    callees = _Callees()
    MetadataWrapper(cst.parse_module(source)).visit(callees)
    return callees.found


def ast_names(source: str) -> Dict[Tuple[int, int], List[str]]:
    tree = ast.parse(source)
    names = ImportNames(tree)
    return {(node.func.lineno, node.func.col_offset): sorted(names.imported(node.func))
            for node in ast.walk(tree) if isinstance(node, ast.Call)}


def _valid(source: str) -> bool:
    source = source.replace("nonlocal_placeholder = 0", "pass")
    try:
        compile(source, "<generated>", "exec")
    except SyntaxError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(blocks())
def test_callees_are_named_as_libcst_names_them(source):
    if not _valid(source):
        return  # a global after use, and the like
    assert ast_names(source) == libcst_names(source), source


def test_quirks_of_libcst_are_kept():
    """A name read before its function's own assignment still sees the import;
    an attribute sees every assignment of the scope; a class body's names are
    not seen from its methods."""
    source = ("import multiprocessing as mp\n"
              "def f():\n    mp()\n    mp.Process()\n    mp = None\n"
              "class C:\n    mp = None\n    def g(self):\n        mp.Pool()\n")
    assert ast_names(source) == libcst_names(source)
    assert ast_names(source)[(3, 4)] == ["multiprocessing"]
    assert ast_names(source)[(4, 4)] == []
    assert ast_names(source)[(9, 8)] == ["multiprocessing.Pool"]


def test_an_alias_that_begins_another_is_not_taken_for_it():
    source = "import multiprocessing as mp, multiprocessing.pool as mpp\nmpp.Pool()\n"
    assert ast_names(source) == libcst_names(source) == {(2, 0): ["multiprocessing.pool.Pool"]}


RELATIVE = ["from ..top import get_context", "from ...above import get_context as gc",
            "from .. import mp"]


@st.composite
def job_picklers(draw) -> str:
    lines = [draw(st.sampled_from(RELATIVE)) for _ in range(draw(st.integers(0, 2)))]
    return "\n".join([*lines, draw(blocks())])


_PACKAGE = None


def _package():
    """pkg/sub/mod.py, for module and package names (``pkg.sub.mod``, ``pkg.sub``)."""
    global _PACKAGE
    if _PACKAGE is None:
        import tempfile
        from pathlib import Path

        root = Path(tempfile.mkdtemp(prefix="callees-"))
        (root / "pkg" / "sub").mkdir(parents=True)
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "sub" / "__init__.py").write_text("")
        _PACKAGE = root / "pkg" / "sub" / "mod.py"
    return _PACKAGE


@settings(max_examples=200, deadline=None)
@given(job_picklers())
def test_the_deleted_job_picklers_callees_are_libcsts_fully_qualified_names(source):
    """strip's list of what a deleted job pickler called (write/strip_module.py)
    is read with ``ast``; libcst's ``FullyQualifiedNameProvider`` gave it before."""
    from codemods.parsing import parse, visit_with_metadata
    from codemods.sources import SourceFile
    from codemods.write import strip_module

    if not _valid(source):
        return
    parsed = parse(SourceFile(_package(), source, "utf-8"))
    calls = strip_module._CallsOut()
    try:
        visit_with_metadata(parsed.context(), parsed.module, calls)
        expected = calls.called
    except ImportError:  # a relative import above pkg: CM012 either way
        expected = ImportError
    try:
        found = strip_module._called_imports(parsed)
    except ImportError:
        found = ImportError
    assert found == expected, source


def test_a_name_from_above_the_package_raises_as_libcst_does_though_never_called():
    """libcst's FullyQualifiedNameProvider raises for any name that comes through
    a relative import reaching above the top package, called or not (strip
    reports CM012): the ``ast`` reading leaves such a module to it."""
    from codemods.parsing import parse
    from codemods.sources import SourceFile
    from codemods.write import strip_module

    parsed = parse(SourceFile(_package(), "from ...above import settings\nprint(settings)\n",
                              "utf-8"))
    try:
        strip_module._called_imports(parsed)
    except ImportError:
        return
    raise AssertionError("no ImportError")
