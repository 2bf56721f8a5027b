"""read/outline.py: what ``check`` leaves out of a module before libcst parses
it (top-level definitions its reading never looks at), and that every line it
keeps stays where it was."""

from __future__ import annotations

import ast

import pytest

from codemods.check import CheckCodemod
from codemods.migrate import MigrateCodemod
from codemods.read.outline import outline
from codemods.runner import run
from codemods.settings import Settings

HOOKS = ("__getstate__", "__setstate__", "get_state_for_child_job_pickling")

SOURCE = '''\
import os


def helper(path):
    return os.listdir(path)


@decorate
class Plain(Base):
    def method(self):
        class Local:
            def __getstate__(self):
                return {}
        return Local


class WithHook:
    def __getstate__(self):
        return self.__dict__.copy()


class Outer:
    if os.name:
        class Inner:
            def __setstate__(self, state):
                self.__dict__.update(state)


@clear("cache")
class Declared:
    pass


class Based(JobSerializable):
    pass


class Restoring:
    @on_restore
    def reconnect(self):
        pass


class Refusing(Base, reason=JobUnserializable):
    pass


if os.name:
    def kept_in_a_block():
        pass
'''

KEPT = {"WithHook", "Outer", "Declared", "Based", "Restoring", "Refusing", "kept_in_a_block"}
BLANKED = {"helper", "Plain"}


def _defined(text: str):
    return {node.name for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.ClassDef, ast.FunctionDef))}


def test_only_the_definitions_the_reading_skips_are_left_out():
    result = outline(SOURCE, ast.parse(SOURCE), HOOKS)
    names = _defined(result)
    assert KEPT <= names
    assert not (BLANKED & names)
    assert "Local" not in names  # a class in a function: ast reads it, from the whole text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_kept_stays_in_its_place(newline):
    text = SOURCE.replace("\n", newline)
    result = outline(text, ast.parse(text), HOOKS)
    before, after = text.splitlines(keepends=True), result.splitlines(keepends=True)
    assert len(before) == len(after)
    for old, new in zip(before, after):
        assert new in (old, old[len(old.rstrip("\r\n")):])  # the same, or its line end alone


def test_a_module_with_a_dispatch_table_or_nothing_to_leave_out_is_read_whole():
    pickler = "import copyreg\ndispatch_table = {}\n\ndef reduce(obj):\n    return obj\n"
    assert outline(pickler, ast.parse(pickler), HOOKS) is None
    only_hooks = "class A:\n    def __getstate__(self):\n        return {}\n"
    assert outline(only_hooks, ast.parse(only_hooks), HOOKS) is None
    assert outline("x = (", None, HOOKS) is None  # ast cannot read it


def _report(codemod, tree):
    result = run(codemod, [tree], jobs=0)
    return [(str(o.path), sorted(f.format() for f in o.findings), sorted(map(repr, o.hooks)))
            for o in result.outcomes]


def test_check_reports_the_same_with_and_without_leaving_definitions_out(tmp_path):
    """Declarations on classes without hooks are facts the hierarchy check uses:
    left out, they would change what check says of the subclasses."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text(
        "from .jobs import JobSerializable, clear, on_restore\n\n\n"
        "def unrelated():\n    return 1\n\n\n"
        "@clear(\"conn\")\nclass Base(JobSerializable):\n    @on_restore\n"
        "    def reopen(self):\n        self.conn = None\n\n\n"
        "class Child(Base):\n    def __getstate__(self):\n"
        "        state = self.__dict__.copy()\n        del state[\"lock\"]\n        return state\n\n\n"
        "class Other:\n    def run(self):\n        return 2\n\n\n"
        "class Restored:\n    def reopen(self):\n        self.conn = connect()\n\n"
        "    def __setstate__(self, state):\n        self.__dict__.update(state)\n"
        "        self.reopen()\n")
    whole = CheckCodemod(Settings())
    whole.outlines_classes = False
    assert _report(CheckCodemod(Settings()), tmp_path) == _report(whole, tmp_path)
    assert any(findings for _, findings, _ in _report(whole, tmp_path))


@pytest.mark.parametrize("decorator", ["@(\n    os.fspath\n)\n", "@\\\nfunctools.cache\n"])
def test_a_decorator_whose_expression_starts_below_its_at_sign_is_left_out_whole(decorator):
    text = ("import os\n\n\n" + decorator + "def f():\n    pass\n\n\n"
            "class A:\n    def __getstate__(self):\n        return {}\n")
    result = outline(text, ast.parse(text), HOOKS)
    assert "@" not in result and "def f" not in result
    ast.parse(result)  # what is left parses
    assert result.count("\n") == text.count("\n")


METHODS = '''\
class Job:
    def __init__(self, name):
        self.name = name
        self.lock = make_lock()

    @property
    def label(self):
        return self.name.upper()

    def reconnect(self):
        self.lock = make_lock()

    def factory(self):
        @decorate
        def inner():
            pass
        return inner

    def one_line(self): return 1

    def uses_clear(self):
        self.cache.clear()

    def __getstate__(self):
        state = self.__dict__.copy()
        del state["lock"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.reconnect()
'''


def test_in_a_read_class_a_method_the_reading_never_looks_into_keeps_only_its_header():
    result = outline(METHODS, ast.parse(METHODS), HOOKS)
    tree = ast.parse(result)  # what is left parses
    methods = {node.name: node for node in tree.body[0].body}
    # every method keeps its name, decorators and parameters: a __setstate__ may call one
    assert list(methods) == ["__init__", "label", "reconnect", "factory", "one_line",
                             "uses_clear", "__getstate__", "__setstate__"]
    assert [d.id for d in methods["label"].decorator_list] == ["property"]
    for name in ("__init__", "label", "reconnect"):
        assert [type(s) for s in methods[name].body] == [ast.Pass]
    assert "make_lock()\n" not in result.split("def reconnect")[1].split("def factory")[0]
    # kept whole: a body that starts with a decorated statement, a body on the def's
    # line, a word of the interface ("clear"), and the hooks
    for name in ("factory", "one_line", "uses_clear", "__getstate__", "__setstate__"):
        assert ast.dump(methods[name]) == ast.dump(
            next(n for n in ast.parse(METHODS).body[0].body if n.name == name))
    assert result.count("\n") == METHODS.count("\n")


LIBCST_REJECTS = [
    "        if x:\n            \\\n            y = 1\n",  # a backslash alone on its line
    "        if x:\n\f            y = 1\n",  # a form feed in a nested block
]


@pytest.mark.parametrize("body", LIBCST_REJECTS)
@pytest.mark.parametrize("where", ["method", "function"])
def test_what_libcst_cannot_parse_is_not_left_out(tmp_path, body, where):
    """``ast`` reads these lines and libcst does not: left out, ``check`` would read a
    file that ``migrate`` reports it cannot parse (found by review)."""
    hook = ("class A:\n    def __getstate__(self):\n        state = self.__dict__.copy()\n"
            "        del state['x']\n        return state\n\n")
    if where == "method":
        text = hook + "    def other(self):\n" + body + "        return x\n"
    else:
        text = hook + "\ndef other():\n" + body.replace("\n    ", "\n") \
            .replace("        if", "    if") + "    return x\n"
    try:
        ast.parse(text)
    except SyntaxError:  # Python 3.9: its ast rejects the lone backslash too
        pytest.skip("this Python's ast rejects these lines as libcst does")
    (tmp_path / "mod.py").write_text(text)
    codes = {name: sorted(f.code for o in run(codemod(Settings()), [tmp_path], jobs=0).outcomes
                          for f in o.findings)
             for name, codemod in (("check", CheckCodemod), ("migrate", MigrateCodemod))}
    assert codes["migrate"] == ["CM002"]
    assert codes["check"] == ["CM002"]


def test_for_a_rewrite_only_method_bodies_of_read_classes_are_left_out_as_one_statement():
    """``migrate`` parses the outline ``top_level=False`` gives: every statement of
    the module stays, and each body left out is one statement over its own lines
    (no empty line a rewrite could count as blank lines between methods)."""
    text = "import os\n\n\ndef helper():\n    return 1\n\n\n" + METHODS
    result = outline(text, ast.parse(text), HOOKS, top_level=False)
    assert result.count("\n") == text.count("\n")
    assert result.startswith("import os\n\n\ndef helper():\n    return 1\n")  # kept
    tree = ast.parse(result)
    methods = {node.name: node for node in tree.body[2].body}
    for name in ("__init__", "label", "reconnect"):
        [body] = methods[name].body
        assert isinstance(body, ast.Expr) and body.value.value == body.lineno
        original = next(n for n in ast.parse(text).body[2].body if n.name == name)
        assert (body.lineno, body.end_lineno) == (original.body[0].lineno, original.end_lineno)
    import libcst as cst
    assert cst.parse_module(result).code == result
    # A one-line body: "(3)".
    one = "class A:\n    def f(self):\n        return 1\n\n    def __getstate__(self):\n" \
          "        return {}\n"
    assert outline(one, ast.parse(one), HOOKS, top_level=False).splitlines()[2] == "        (3)"


def _migrated(tree, outlines: bool):
    codemod = MigrateCodemod(Settings())
    codemod.outlines_classes = outlines
    return {str(o.path): (o.status.value, o.new, sorted(f.format() for f in o.findings))
            for o in run(codemod, [tree], jobs=0).outcomes}


def _whole_parses(monkeypatch):
    """The files parsed whole for their rewrite after an outline was parsed."""
    from codemods import parsing

    whole = []
    original = parsing.parse

    def parse(source, text=None):
        parsed = original(source, text)
        if text is source.text:
            whole.append(source.path.name)
        return parsed

    monkeypatch.setattr(parsing, "parse", parse)
    return whole


def _done_whole(tmp_path, monkeypatch, text: str) -> str:
    """migrate's new text of a file whose outline rewrite falls back to the whole
    text: parsed whole once more, and the same as without an outline."""
    (tmp_path / "mod.py").write_text(text)
    whole = _whole_parses(monkeypatch)
    outlined = _migrated(tmp_path, True)
    assert whole == ["mod.py"]
    assert outlined == _migrated(tmp_path, False)
    return outlined[str(tmp_path / "mod.py")][1]


def test_a_rewrite_that_removes_imports_parses_the_file_whole(tmp_path, monkeypatch):
    """Whether an import is still used is for the whole text to say: here a
    method body the outline leaves out is the import's only other use."""
    new = _done_whole(tmp_path, monkeypatch, (
        "import copy\n\n\nclass Job:\n    def snapshot(self):\n        return copy.copy(self.x)\n\n"
        "    def __getstate__(self):\n        state = copy.copy(self.__dict__)\n"
        "        del state['lock']\n        return state\n"))
    assert new.startswith("import copy\n") and "return copy.copy(self.x)" in new


def test_a_rewrite_inserting_next_to_a_body_left_out_parses_the_file_whole(tmp_path,
                                                                             monkeypatch):
    """@on_restore goes on the line right after a body the outline left out:
    above or below it, the outline cannot say, and the file is parsed whole."""
    new = _done_whole(tmp_path, monkeypatch, (
        "class Job:\n    def helper(self):\n        return 1\n    def reopen(self):\n"
        "        self.conn = None\n\n    def __getstate__(self):\n"
        "        state = self.__dict__.copy()\n        del state['conn']\n        return state\n\n"
        "    def __setstate__(self, state):\n        self.__dict__.update(state)\n"
        "        self.reopen()\n"))
    assert "@on_restore\n    def reopen" in new


def test_an_outline_rewrite_that_would_not_parse_is_done_whole(tmp_path, monkeypatch):
    from codemods import parsing

    monkeypatch.setattr(parsing, "splice_outline", lambda *args: "class (\n")
    new = _done_whole(tmp_path, monkeypatch, (
        "class Job:\n    def helper(self):\n        return 1\n\n    def __getstate__(self):\n"
        "        state = self.__dict__.copy()\n        del state['lock']\n        return state\n"))
    assert "@clear('lock')" in new and "return 1" in new


def test_an_outline_rewrite_that_does_not_compile_is_done_whole(tmp_path, monkeypatch):
    """``ast`` reads a ``return`` outside any function; Python does not compile
    it: the check of the spliced rewrite (which compiles it) sends the file
    whole, with the same result as without an outline."""
    new = _done_whole(tmp_path, monkeypatch, (
        "class Job:\n    def helper(self):\n        return 1\n\n    def __getstate__(self):\n"
        "        state = self.__dict__.copy()\n        del state['lock']\n        return state\n\n\n"
        "if False:\n    return None\n"))
    assert "@clear('lock')" in new and "    return None\n" in new
