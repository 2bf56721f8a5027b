"""The three-way merge that lets a rewrite land in a file libcst misprints."""

from codemods.splice import splice, splice_outline

ORIGINAL = "a = 1\nx  = 2\nb = 3\nc = 4\n"
PRINTED = "a = 1\nx = 2\nb = 3\nc = 4\n"  # libcst's print: line 2 differs


def test_change_away_from_the_misprinted_line_lands_on_the_original():
    rewritten = "a = 1\nx = 2\nb = 3\nc = 5\n"
    assert splice(PRINTED, ORIGINAL, rewritten) == ("a = 1\nx  = 2\nb = 3\nc = 5\n", 0)


def test_insertion_and_deletion_keep_the_original_spelling_elsewhere():
    rewritten = "import os\n\na = 1\nx = 2\nb = 3\n"
    assert splice(PRINTED, ORIGINAL, rewritten) == ("import os\n\na = 1\nx  = 2\nb = 3\n", 0)


def test_change_touching_the_misprinted_line_is_refused():
    assert splice(PRINTED, ORIGINAL, "a = 1\nx = 2\nb = 30\nc = 4\n") == (None, 2)
    assert splice(PRINTED, ORIGINAL, "a = 1\nx = 20\nb = 3\nc = 4\n") == (None, 2)


def test_no_change_gives_the_original_back():
    assert splice(PRINTED, ORIGINAL, PRINTED) == (ORIGINAL, 0)


# An outline of a file (read/outline.py): line 3 of the original is a method body,
# left out as "(" ... ")" on the same lines.
OUTLINE_ORIGINAL = "class A:\n    def f(self):\n        return 1\n\n    def g(self):\n        pass\n"
OUTLINE = "class A:\n    def f(self):\n        ()\n\n    def g(self):\n        pass\n"


def test_a_rewrite_of_an_outline_lands_on_the_text_it_outlines():
    rewritten = "import os\nclass A(Base):\n    def f(self):\n        ()\n"  # g deleted
    assert splice_outline(OUTLINE, OUTLINE_ORIGINAL, rewritten) == \
        "import os\nclass A(Base):\n    def f(self):\n        return 1\n"


def test_a_change_of_the_lines_next_to_a_body_left_out_is_applied():
    """Deleting the blank line and the method after a body left out: the lines
    changed are not the body's (splice itself refuses what is next to a line
    libcst misprints)."""
    rewritten = "class A:\n    def f(self):\n        ()\n"
    assert splice_outline(OUTLINE, OUTLINE_ORIGINAL, rewritten) == \
        "class A:\n    def f(self):\n        return 1\n"
    assert splice(OUTLINE, OUTLINE_ORIGINAL, rewritten) == (None, 3)


def test_an_outline_rewrite_touching_a_body_left_out_is_refused():
    inserted = "class A:\n    def f(self):\n        ()\n    x = 1\n\n    def g(self):\n        pass\n"
    assert splice_outline(OUTLINE, OUTLINE_ORIGINAL, inserted) is None  # where: above or below?
    changed = "class A:\n    def f(self):\n        (1)\n\n    def g(self):\n        pass\n"
    assert splice_outline(OUTLINE, OUTLINE_ORIGINAL, changed) is None


def test_an_outline_of_another_line_count_is_refused():
    assert splice_outline(OUTLINE, OUTLINE_ORIGINAL + "\u2028x\n", OUTLINE) is None


def test_methods_moved_with_their_bodies_left_out_are_refused():
    """Each body an outline leaves out starts with its own line's number: a method
    moved with its body shows as a change of that body's lines (unnumbered, two
    bodies alike could be taken one for the other, and each would land under the
    other's header)."""
    original = "class A:\n    def a(self):\n        return 1\n    def b(self):\n        return 2\n"
    outlined = "class A:\n    def a(self):\n        (3)\n    def b(self):\n        (5)\n"
    moved = "class A:\n    def b(self):\n        (5)\n    def a(self):\n        (3)\n"
    assert splice_outline(outlined, original, moved) is None
    renamed = "class A:\n    def a(self):\n        (3)\n    def c(self):\n        (5)\n"
    assert splice_outline(outlined, original, renamed) == original.replace("def b", "def c")
