"""The three-way merge that lets a rewrite land in a file libcst misprints."""

from codemods.splice import splice

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
