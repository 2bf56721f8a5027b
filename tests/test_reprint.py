"""write/reprint.py: printing a rewritten module from the source lines of the
statements the rewrite kept gives libcst's own print of the rewritten module,
or declines (None) where it cannot prove that."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path
from typing import List, Tuple

import libcst as cst
import pytest

from codemods.splice import splice
from codemods.read.layout import layout
from codemods.write.reprint import reprint

SNAPSHOTS = Path(__file__).parent / "snapshots"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
STDLIB_MODULES = ["argparse.py", "dataclasses.py", "typing.py", "collections/__init__.py",
                  "asyncio/base_events.py", "unittest/mock.py"]


class RenameFirstMethod(cst.CSTTransformer):
    """Changes one method of each class (the rest of the class stays the same
    nodes), and nothing outside classes."""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if not isinstance(updated.body, cst.IndentedBlock):
            return updated
        body = list(updated.body.body)
        for i, statement in enumerate(body):
            if isinstance(statement, cst.FunctionDef):
                body[i] = statement.with_changes(name=cst.Name(statement.name.value + "_renamed"))
                break
        return updated.with_changes(body=updated.body.with_changes(body=body))


def insert_and_drop(module: cst.Module) -> cst.Module:
    """A new first statement, the second-to-last one removed, and a comment
    above the last one: statements added, gone and changed in their own lines."""
    body = list(module.body)
    if len(body) < 3:
        return module
    new = cst.parse_statement("import added_here\n")
    last = body[-1].with_changes(leading_lines=[
        *body[-1].leading_lines, cst.EmptyLine(comment=cst.Comment("# added"))])
    return module.with_changes(body=[new, *body[:-2], last])


def transforms(module: cst.Module) -> List[cst.Module]:
    return [module.visit(RenameFirstMethod()), insert_and_drop(module)]


def _inputs() -> List[Path]:
    found = sorted(SNAPSHOTS.rglob("*.py"))
    found += [STDLIB / name for name in STDLIB_MODULES if (STDLIB / name).exists()]
    return found


def _check(text: str) -> Tuple[int, int]:
    """Every transform's reprint is libcst's print (applied to the source where
    libcst does not print it back, as ``splice`` does); the number of reprints
    that did not decline, and of transforms that changed something."""
    before = cst.parse_module(text)
    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree = None
    shared = changed = 0
    for after in transforms(before):
        if after is before:
            continue
        changed += 1
        result = reprint(before, after, text, layout(tree) if tree is not None else None)
        if result is not None:
            expected, _ = splice(before.code, text, after.code)
            assert result == expected
            shared += 1
    return shared, changed


def test_equals_libcsts_print_over_snapshots_and_stdlib():
    shared = 0
    for path in _inputs():
        text = path.read_text(encoding="utf-8")
        try:
            shared += _check(text)[0]
        except cst.ParserSyntaxError:
            continue
    assert shared > 100  # most inputs are reprinted, not declined


@pytest.mark.parametrize("text", [
    # decorators, one of them with its expression below the `@`
    "import a\n\n# about A\n@dec\n# between\n\n@(\n    other\n)\nclass A:\n    def f(self):\n"
    "        return 1\n\n    # above g\n    def g(self): pass\n    # closes A\n# module end\n",
    # statements joined by ';', a class with a one-line body, nested classes
    "x = 1; y = 2\nclass One: pass\nclass A:\n    a = 1; b = 2\n    class Inner:\n"
    "        def f(self):\n            pass\n    def f(self):\n        pass\n",
    # Windows line ends, tabs, a form feed
    "import a\r\n\r\nclass A:\r\n\tdef f(self):\r\n\t\treturn 1\r\n\x0c\r\n\tdef g(self):\r\n"
    "\t\treturn 2\r\n",
    # a multi-line string and a continuation line in kept statements
    'class A:\n    """Doc\n\n    more\n    """\n    def f(self):\n        return 1\n'
    "    x = 1 + \\\n        2\n",
    # a class header over several lines, comments after the body
    "class A(\n    Base,  # why\n):\n    def f(self):\n        pass\n        # inside f\n"
    "    # after f\n\n\n\nz = 3\nw = 4\n",
])
def test_odd_layouts(text):
    shared, changed = _check(text)
    assert shared == changed > 0


def test_the_source_spelling_of_kept_lines_stays():
    # libcst prints `except OSError :` as `except OSError:`; in a kept statement the
    # source's spelling stays, as no rule changed it.
    text = ("class A:\n    def f(self):\n        pass\n\n    def g(self):\n        try:\n"
            "            pass\n        except OSError :\n            pass\n")
    before = cst.parse_module(text)
    after = before.visit(RenameFirstMethod())
    result = reprint(before, after, text, layout(ast.parse(text)))
    assert result == text.replace("def f(", "def f_renamed(")


def test_declines_when_a_changed_statement_does_not_print_back():
    text = ("class A:\n    def f(self):\n        try:\n            pass\n"
            "        except OSError :\n            pass\n\n    def g(self):\n        pass\n")
    before = cst.parse_module(text)
    after = before.visit(RenameFirstMethod())
    assert reprint(before, after, text, layout(ast.parse(text))) is None


def test_declines_without_a_final_line_end_or_an_ast():
    text = "class A:\n    def f(self):\n        pass\n\nx = 1"
    before = cst.parse_module(text)
    after = before.visit(RenameFirstMethod())
    assert reprint(before, after, text, layout(ast.parse(text))) is None
    text += "\n"
    before = cst.parse_module(text)
    after = before.visit(RenameFirstMethod())
    assert reprint(before, after, text, None) is None
    assert reprint(before, after, text, layout(ast.parse(text))) == after.code


def test_declines_where_ast_and_libcst_disagree():
    text = "class A:\n    def f(self):\n        pass\n\n    def g(self):\n        pass\n"
    before = cst.parse_module(text)
    after = before.visit(RenameFirstMethod())
    other = ast.parse("class B:\n    def f(self):\n        pass\n")
    assert reprint(before, after, text, layout(other)) is None


def test_a_class_body_printed_at_another_indentation_is_printed_whole():
    # A fresh block takes the module's indentation: the class's kept statements,
    # indented by two spaces in the source, must not be taken from it.
    text = ("def x():\n    return 1\n\n\nclass B:\n  def f(self):\n    pass\n\n"
            "  def g(self):\n    return 1\n")
    before = cst.parse_module(text)
    renamed = before.visit(RenameFirstMethod())
    fresh = renamed.body[1].with_changes(body=cst.IndentedBlock(body=renamed.body[1].body.body))
    after = renamed.with_changes(body=[renamed.body[0], fresh])
    assert after.body[0] is before.body[0]
    result = reprint(before, after, text, layout(ast.parse(text)))
    assert result == after.code
    assert "\n    def g(self):\n      return 1\n" in result


def test_a_change_beside_a_statement_libcst_misprints_is_made(tmp_path):
    """The whole-module print spelled ``except OSError :`` as ``except OSError:``,
    and the line merge refused a change next to it (CM004).  Printed from the
    source, the method with that line is kept as written and the change is made."""
    from codemods.migrate import MigrateCodemod
    from codemods.runner import run
    from codemods.settings import Settings

    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    text = ("import threading\n\n\nclass Worker:\n    def __init__(self):\n"
            "        self.pool = threading.Lock()\n\n    def f(self):\n        try:\n"
            "            pass\n        except OSError : pass\n    def __getstate__(self):\n"
            "        state = self.__dict__.copy()\n        del state[\"pool\"]\n"
            "        return state\n")
    (package / "mod.py").write_text(text)
    result = run(MigrateCodemod(Settings()), [tmp_path], jobs=0)
    outcome = next(o for o in result.outcomes if o.path.name == "mod.py")
    assert not any(f.code == "CM004" for f in outcome.findings)
    assert outcome.new is not None and "        except OSError : pass\n" in outcome.new
    assert "__getstate__" not in outcome.new and '@clear("pool")' in outcome.new
