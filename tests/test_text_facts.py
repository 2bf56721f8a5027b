"""read/text_facts.py: the narrowed ``ast`` walks (statements only for defined
hooks; only the nodes on lines that name a job-state method for their
references) find what walking every node finds."""

from __future__ import annotations

import ast
import sysconfig
import warnings
from pathlib import Path

import pytest

from codemods.read import text_facts
from codemods.read.text_facts import defined_hooks, job_method_refs, statements

SNAPSHOTS = Path(__file__).parent / "snapshots"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
HOOKS = {"__getstate__", "__setstate__", "__reduce__", "__reduce_ex__", "__init__", "__repr__",
         "get_state_for_child_job_pickling"}
# Attribute names common enough to be found in most files, rare enough to matter.
METHODS = ["append", "get_state_for_child_job_pickling", "__getstate__", "copy", "join",
           "setdefault"]


def every_node_hooks(tree, hook_names, predicates):
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            names.extend(s.name for s in node.body
                         if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and s.name in hook_names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in predicates:
            names.append(node.name)
    return frozenset(names)


def every_node_refs(tree, methods):
    refs = []
    for statement in tree.body:
        function = statement.name if isinstance(
            statement, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        for node in ast.walk(statement):
            if isinstance(node, ast.Attribute) and node.attr in methods:
                refs.append((node.attr, function))
    return refs


def _texts():
    paths = sorted(SNAPSHOTS.rglob("*.py")) + sorted(STDLIB.glob("*.py"))
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield text, ast.parse(text)
        except (UnicodeDecodeError, SyntaxError, ValueError):
            continue


def test_narrowed_walks_find_what_walking_every_node_finds():
    found_hooks = found_refs = 0
    for text, tree in _texts():
        hooks = defined_hooks(tree, HOOKS, {"main", "_test"})
        assert hooks == every_node_hooks(tree, HOOKS, {"main", "_test"})
        refs = job_method_refs(tree, METHODS, text)
        assert refs == every_node_refs(tree, set(METHODS))
        assert job_method_refs(tree, METHODS) == refs
        found_hooks += len(hooks)
        found_refs += len(refs)
    assert found_hooks > 300 and found_refs > 1000  # not vacuous


@pytest.mark.parametrize("text", [
    # a reference in a decorator above its function, in a method's decorator, on
    # a continuation line, inside parentheses after a comment
    "@x.append\ndef f():\n    pass\n",
    "class A:\n    @x.append\n    def f(self):\n        pass\n",
    "y = (a.  # note\n     append)\nz = a. \\\n    append\n",
    "def f():\n    return [b.append for b in c if d.append]\n",
    "x = 1\r\ny = a.append\rz = b.append\n",
])
def test_references_on_odd_lines(text):
    tree = ast.parse(text)
    assert job_method_refs(tree, ["append"], text) == every_node_refs(tree, {"append"})
    assert job_method_refs(tree, ["append"], text)


def test_statements_are_every_statement():
    for _, tree in list(_texts())[:200]:
        assert sorted(map(id, statements(tree))) == sorted(
            id(node) for node in ast.walk(tree) if isinstance(node, ast.stmt))


def test_start_method_code_is_the_source_segment():
    """``StartMethodReader._code`` takes a node's text from lines split once; it
    is ``ast.get_source_segment``'s, line ends made "\\n"."""
    import random

    from codemods.read.start_method import StartMethodReader
    from codemods.read.text_facts import LINE_END

    chosen = random.Random(9)
    checked = 0
    texts = list(_texts())[::7] + [
        ("x = f(a,\r\n      'é' + b)\ry = [1,\n     2]\n", None)]
    for text, tree in texts:
        tree = tree or ast.parse(text)
        reader = StartMethodReader(text, tree, ())
        nodes = [n for n in ast.walk(tree) if isinstance(n, (ast.expr, ast.stmt))]
        for node in chosen.sample(nodes, min(40, len(nodes))):
            expected = LINE_END.sub("\n", ast.get_source_segment(text, node) or "").strip()
            assert reader._code(node) == expected
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize("text, compiled", [
    ("x = 1\n", True),
    ("def f(:\n", False),
    ("return 1\n", False),  # ast reads it; Python does not compile it
    ("x = '\\d'\n", True),  # an invalid escape warns, silently here
    ("x = 1\0\n", False),
    ("(" * 300 + ")" * 300 + "\n", False),
])
def test_compiles_is_whether_python_compiles_the_text(text, compiled):
    assert text_facts.compiles(text) is compiled
    if compiled:
        assert text_facts.parse_or_none(text) is not None
