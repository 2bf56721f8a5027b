"""A module's text with the top-level definitions its reading never looks at
left blank, for ``check``, which reads a file and never prints it.

``migrate``'s reading of a module (read/module_reading.py) takes its imports,
and its classes at module and class level with hooks or declarations of the
interface; classes inside functions come from ``ast``.  A top-level function,
or a top-level class in which nothing is a hook, a nested class, or a word of
the interface outside function bodies, gives it nothing: its lines are left
empty, so libcst parses only what is read, and every line and column that is
left keeps its place (findings stay where they were).  In a class that is
read, a method whose text (decorators included) has no hook name and no word
of the interface keeps its header, and its body becomes ``pass``: the reading
takes such a method's name (a ``__setstate__`` may call it), never its body.

A file with a dispatch table is read whole (the job-pickler reader counts
every use of a name), as is one that ``ast`` cannot parse.  The prefilter test
compares ``check`` with and without this over every snapshot case and the
standard library.
"""

from __future__ import annotations

import ast
import re
from typing import Collection, List, Optional, Tuple

from .text_facts import lines_with_ends

# What makes a class's declarations of the interface (read/declarations.py), and
# so its reading, besides hooks: a decorator, a base, a keyword or a decorated method.
_INTERFACE_WORDS = re.compile(r"JobSerializable|JobUnserializable|\bclear\b|\bcustom\b|"
                              r"\bon_restore\b")
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# What holds statements inside a class body's statements (match_case: Python 3.10+).
_BLOCKS = tuple(kind for kind in (ast.stmt, ast.excepthandler, getattr(ast, "match_case", None))
                if kind is not None)


def _segment(lines: List[str], node: ast.AST) -> str:
    return "".join(lines[node.lineno - 1:node.end_lineno or node.lineno])


def _is_read(klass: ast.ClassDef, lines: List[str], hooks: Collection[str]) -> bool:
    """Whether the class gives the reading anything: a method named as a hook,
    a word of the interface in its own header or a method's decorators, or a
    nested class (outside functions) that does."""
    header = [*klass.decorator_list, *klass.bases, *(k.value for k in klass.keywords)]
    if any(_INTERFACE_WORDS.search(_segment(lines, part)) for part in header):
        return True
    todo: List[ast.AST] = list(klass.body)
    while todo:
        node = todo.pop()
        if isinstance(node, _DEFINITIONS):
            if node.name in hooks or any(_INTERFACE_WORDS.search(_segment(lines, d))
                                         for d in node.decorator_list):
                return True
        elif isinstance(node, ast.ClassDef):
            if _is_read(node, lines, hooks):
                return True
        else:  # a compound statement, a handler or a case: the statements in it
            todo.extend(child for child in ast.iter_child_nodes(node)
                        if isinstance(child, _BLOCKS))
    return False


def _libcst_may_reject(lines: List[str], first: int, last: int) -> bool:
    """Whether lines ``first`` to ``last`` hold what ``ast`` reads and libcst's
    parser may not: a form feed (in a nested block, libcst finds no outer block
    to dedent to) or a line that is a backslash alone.  Left out, such lines
    would let ``check`` read a file that ``migrate`` cannot parse; kept, ``check``
    fails on it as ``migrate`` does (CM002)."""
    return any("\f" in line or line.strip() == "\\" for line in lines[first - 1:last])


def _unread_bodies(klass: ast.ClassDef, lines: List[str], hooks: Collection[str],
                   found: List[Tuple[int, int, Optional[str]]]) -> None:
    """(first line, last line, indentation) of the body of each method of a read
    class (and of the classes in its body) that the reading does not look into:
    one whose text has no hook name and no word of the interface, and whose body
    starts a line of its own with an undecorated statement (a decorator's lines
    are not the statement's), and none of whose lines libcst may reject."""
    for node in klass.body:
        if isinstance(node, ast.ClassDef):
            _unread_bodies(node, lines, hooks, found)
            continue
        if not isinstance(node, _DEFINITIONS):
            continue
        end = node.end_lineno or node.lineno
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        chunk = "".join(lines[first - 1:end])
        if any(hook in chunk for hook in hooks) or _INTERFACE_WORDS.search(chunk):
            continue
        start = node.body[0]
        indent = lines[start.lineno - 1].encode("utf-8")[:start.col_offset]
        if start.lineno > node.lineno and not indent.strip(b" \t\f") and \
                not getattr(start, "decorator_list", None) and \
                not _libcst_may_reject(lines, start.lineno, end):
            found.append((start.lineno, end, indent.decode("ascii")))


def outline(text: str, tree: Optional[ast.Module], hooks: Collection[str],
            top_level: bool = True) -> Optional[str]:
    """``text`` with the lines of each top-level definition the reading skips
    made empty (but those libcst may reject: ``_libcst_may_reject``); None where
    nothing is left out (or the text is read whole).  ``top_level`` False: only
    the bodies of methods in classes that are read, for a rewrite: every other
    statement stays where it is (imports are placed among them), and each body
    left out becomes one statement over the same lines, ``(`` and its line's
    number on its first and ``)`` on its last: no empty line a rewrite could
    count as blank lines between statements, and no two bodies alike, which a
    line diff of the rewrite could take one for the other (splice.py)."""
    if tree is None or "dispatch_table" in text:
        return None
    lines = lines_with_ends(text)
    blank: List[Tuple[int, int, Optional[str]]] = []  # (first, last, indentation of a pass)
    previous_end = 0
    for node in tree.body:
        if top_level and (isinstance(node, _DEFINITIONS) or (
                isinstance(node, ast.ClassDef) and not _is_read(node, lines, hooks))) and \
                not _libcst_may_reject(lines, node.lineno, node.end_lineno or node.lineno):
            # From the line after the statement before: a decorator's "@" can stand on
            # a line above its expression (``@(`` or ``@\``), where ``ast`` places it.
            blank.append((previous_end + 1, node.end_lineno or node.lineno, None))
        elif isinstance(node, ast.ClassDef) and (top_level or _is_read(node, lines, hooks)):
            _unread_bodies(node, lines, hooks, blank)
        previous_end = node.end_lineno or node.lineno
    if not blank:
        return None
    for first, last, indent in blank:
        for number in range(first, last + 1):
            line = lines[number - 1]
            lines[number - 1] = line[len(line.rstrip("\r\n")):]  # the line end alone
        if indent is not None and not top_level:  # a method's body: "(<line>" ... ")"
            lines[last - 1] = ")" + lines[last - 1]
            lines[first - 1] = f"{indent}({first}{lines[first - 1]}"
        elif indent is not None:  # a method's body: one statement, on its first line
            lines[first - 1] = indent + "pass" + lines[first - 1]
    return "".join(lines)
