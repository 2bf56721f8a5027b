"""write/pruning.py: a transform skips the definitions that hold none of its
rules' words, and visits everything once libcst and ``ast`` disagree."""

from __future__ import annotations

import ast

import libcst as cst

from codemods.write.pruning import DefinitionWords, Pruner

SOURCE = '''\
import os


@decorate(marker)
def first():
    def inner():
        return 1

    class Local:
        def method(self):
            return marker
    return inner


class Big:
    def quiet(self):
        return os.getcwd()

    def __getstate__(self):
        return {}


if os.name:
    def late():
        pass
'''


class _Visits(cst.CSTTransformer):
    def __init__(self, pruner=None) -> None:
        super().__init__()
        self.pruner = pruner
        self.seen = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        def visit() -> bool:
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                self.seen.append(node.name.value)
            return True

        return visit() if self.pruner is None else self.pruner.visit(node, visit)


def _seen(source, words, words_source=None) -> list:
    words_source = source if words_source is None else words_source
    definitions = DefinitionWords(words_source, ast.parse(words_source), words)
    visits = _Visits(Pruner(definitions))
    cst.parse_module(source).visit(visits)
    return visits.seen


def test_definitions_are_listed_first_to_last_with_what_they_hold():
    words = DefinitionWords(SOURCE, ast.parse(SOURCE), ["marker", "__getstate__"])
    assert words.names == ["first", "inner", "Local", "method", "Big", "quiet", "__getstate__",
                           "late"]
    assert words.inside == [3, 0, 1, 0, 2, 0, 0, 0]
    # a decorator's line counts as the definition's text
    assert words.relevant == [True, False, True, True, True, False, True, False]


def test_a_transform_goes_only_into_definitions_with_a_word():
    assert _seen(SOURCE, ["marker", "__getstate__"]) == [
        "first", "Local", "method", "Big", "__getstate__"]
    assert _seen(SOURCE, []) == []


def test_out_of_step_visits_everything_from_there():
    """Where ``ast`` and libcst disagree (here: the words come from another text),
    nothing more is skipped."""
    other = SOURCE.replace("def quiet", "def renamed")
    assert _seen(SOURCE, ["Big"], words_source=other) == ["Big", "quiet", "__getstate__", "late"]
    assert _seen(SOURCE, ["Big"]) == ["Big"]


def test_a_block_the_rules_drop_keeps_the_step():
    """A node whose visit returns False (a rule drops it) takes its definitions
    with it: the next ones still match."""
    source = SOURCE + "\n\ndef quiet_after():\n    pass\n\n\ndef after():\n    return marker\n"
    definitions = DefinitionWords(source, ast.parse(source), ["marker"])

    class DropsIfs(_Visits):
        def on_visit(self, node):
            def visit():
                if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                    self.seen.append(node.name.value)
                return not isinstance(node, cst.If)

            return self.pruner.visit(node, visit)

    visits = DropsIfs(Pruner(definitions))
    cst.parse_module(source).visit(visits)
    assert visits.seen == ["first", "Local", "method", "after"]
    assert visits.pruner.words is not None  # never out of step


def test_metadata_of_the_module_without_skipped_bodies_serves_the_module():
    """The copy shares every node but those around the skipped bodies, and a scope
    analysis of it names the shared nodes' imports as one of the whole module."""
    from libcst.metadata import MetadataWrapper, QualifiedNameProvider, QualifiedNameSource

    from codemods.write.pruning import without_skipped

    source = ("from .serialization import clear as c, JobPickler\nimport os\n\n\n"
              "@c('conn')\nclass Store:\n    def quiet(self):\n        global os\n"
              "        os = None\n        return [os.path for _ in range(2)]\n\n"
              "    def pickler(self):\n        return JobPickler(os.sep)\n")
    module = cst.parse_module(source)
    words = DefinitionWords(source, ast.parse(source), ["JobPickler", "c"])
    reduced = without_skipped(module, words)
    assert "return [os.path" not in reduced.code and "JobPickler(os.sep)" in reduced.code
    assert reduced.code.count("...") == 1

    class Names(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (QualifiedNameProvider,)

        def __init__(self):
            super().__init__()
            self.found = {}

        def on_visit(self, node):
            if isinstance(node, (cst.Name, cst.Attribute)):
                self.found[node] = sorted(
                    q.name for q in self.get_metadata(QualifiedNameProvider, node, set())
                    if q.source is QualifiedNameSource.IMPORT)
            return True

    def imports(tree):
        names = Names()
        MetadataWrapper(tree, unsafe_skip_copy=True).visit(names)
        return names.found

    whole, part = imports(module), imports(reduced)
    shared = [node for node in part if node in whole]
    assert len(shared) >= 6  # the decorator, the pickler call and its argument among them
    assert all(part[node] == whole[node] for node in shared)
    call = module.body[2].body.body[1].body.body[0].body[0].value
    assert part[call.func] == ["serialization.JobPickler"] or part[call.func] == [
        ".serialization.JobPickler"]


def test_a_word_in_a_comment_does_not_count_one_in_code_or_a_string_does():
    source = (
        "def commented():\n"
        "    # then clear the blocked state\n"
        "    return 1  # clear\n"
        "\n\n"
        "def called():\n"
        "    state.clear()  # clear it\n"
        "\n\n"
        "def after_a_hash_in_a_string():\n"
        "    return '#' + clear\n"
        "\n\n"
        "def in_a_string():\n"
        "    return getattr(state, 'clear # not a comment')\n"
        "\n\n"
        "def in_a_docstring():\n"
        "    '''\n"
        "    # clear: a line of a string, not a comment\n"
        "    '''\n"
    )
    words = DefinitionWords(source, ast.parse(source), ["clear"])
    assert dict(zip(words.names, words.relevant)) == {
        "commented": False, "called": True, "after_a_hash_in_a_string": True,
        "in_a_string": True, "in_a_docstring": True}
    assert _seen(source, ["clear"]) == [
        "called", "after_a_hash_in_a_string", "in_a_string", "in_a_docstring"]


def test_comments_are_found_on_the_lines_ast_counts():
    """"\\r" and "\\r\\n" end lines for ast, and so for the comments' lines."""
    for end in ("\r", "\r\n"):
        source = end.join(["x = 1", "", "def f():", "    # clear", "    return clear", "",
                           "def g():", "    # clear", "    return 2", ""])
        words = DefinitionWords(source, ast.parse(source), ["clear"])
        assert words.relevant == [True, False], repr(end)


def test_where_the_text_does_not_tokenize_every_occurrence_counts():
    from codemods.write.pruning import _Comments

    comments = _Comments('x = 1  # fine\ny = """never closed\n')
    assert comments.outside(1, "x = 1  # clear", "clear") is True
    assert comments.failed
