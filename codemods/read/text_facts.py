"""What ``migrate`` can learn of a file from its text and the standard
library's ``ast``, without libcst: whether any rule must read it in full
(a class defining a hook, the interface, a dispatch table), and, where none
must, the facts its scan would have given (its references to job-state methods).

Most files that pass the text prefilter only call hooks (``copy``, ``pickle``
and their tests do): libcst then parses none of them, which saves most of the
time and memory a large tree costs.
"""

from __future__ import annotations

import ast
import re
import warnings
from bisect import bisect_left
from collections import deque
from typing import Collection, FrozenSet, Iterable, List, Optional, Tuple

# What makes a file one that libcst must read in full, besides a class defining a hook:
# the interface's names (declarations a subclass must agree with) and dispatch tables.
_INTERFACE = re.compile(r"JobSerializable|JobUnserializable|@\s*(?:clear|custom|on_restore)\b")
_DISPATCH_TABLE = "dispatch_table"


def needs_full_read(text: str, tree: Optional[ast.Module], hook_names: Iterable[str]) -> bool:
    if tree is None or _DISPATCH_TABLE in text or _INTERFACE.search(text):
        return True
    return defines_hook(tree, set(hook_names))


def defines_hook(tree: ast.Module, hook_names: Collection[str]) -> bool:
    """A class anywhere (in a function too) with a method of one of those names."""
    return bool(defined_hooks(tree, hook_names, ()))


def defined_hooks(tree: ast.Module, hook_names: Collection[str],
                  predicates: Collection[str]) -> FrozenSet[str]:
    """The hooks defined as methods of a class (anywhere) and the predicates
    defined as functions (anywhere) among ``hook_names`` and ``predicates``."""
    names: List[str] = []
    for node in statements(tree):
        if isinstance(node, ast.ClassDef):
            names.extend(statement.name for statement in node.body
                         if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and statement.name in hook_names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in predicates:
            names.append(node.name)
    return frozenset(names)


def statements(tree: ast.AST):
    """Every statement of a tree, at any depth (definitions hold only statements
    and expressions, and an expression holds no statement): ``ast.walk`` without
    going into expressions."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.stmt):
            yield node
        for name in _STATEMENT_FIELDS:
            value = getattr(node, name, None)
            if isinstance(value, list):
                todo.extend(child for child in reversed(value)
                            if isinstance(child, (ast.stmt, ast.excepthandler, _MATCH_CASE)))


def relative_imports_above(tree: Optional[ast.Module],
                           package: str) -> List[Tuple[int, int, str]]:
    """(line, column, text) of each relative import with more dots than
    ``package`` has levels: one that no name resolution from the file's top
    package can place (libcst's fully qualified names raise ImportError on its
    names).  Text as ``from <dots><module> import ...``."""
    levels = len(package.split(".")) if package else 1  # libcst's rule: "" counts as one
    found = []
    for node in statements(tree) if tree is not None else ():
        if isinstance(node, ast.ImportFrom) and (node.level or 0) > levels:
            found.append((node.lineno, node.col_offset,
                          f"from {'.' * node.level}{node.module or ''} import ..."))
    return sorted(found)


_STATEMENT_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")
_MATCH_CASE = getattr(ast, "match_case", ast.excepthandler)  # Python 3.10+


# Line ends as ``ast`` counts lines: "\r\n", "\r" and "\n" each end one.
LINE_END = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def lines_with_ends(text: str) -> List[str]:
    """The text's lines as ``ast`` counts them, each with its own line end (the
    last one without, if the text has none): they join back into the text."""
    return _LINE.findall(text)

_last_parse: list = [None, None]  # (text, its tree): the scan asks twice for the same text


def parse_or_none(text: str) -> Optional[ast.Module]:
    """The text's ``ast``; None where ``ast`` cannot read it.  The last text's tree
    is kept: a file's prefilter and its full read both ask for it."""
    if _last_parse[0] is text:
        return _last_parse[1]
    try:
        with warnings.catch_warnings():  # invalid escapes and the like: not ours to report
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    _last_parse[:] = [text, tree]
    return tree


def forget_last_parse() -> None:
    """Let the last tree go (the runner, which reads many files ahead and keeps
    what it read of each, not their trees)."""
    _last_parse[:] = [None, None]


def compiles(text: str) -> bool:
    """Whether Python compiles the text: what ``ast`` reads, and more (``return``
    outside a function, say, ``ast`` reads but does not compile).  A third
    cheaper than ``parse_or_none``, for a check that needs no tree."""
    try:
        with warnings.catch_warnings():  # invalid escapes and the like: not ours to report
            warnings.simplefilter("ignore")
            compile(text, "<rewrite>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def last_tree(text: str) -> Optional[ast.Module]:
    """The tree ``parse_or_none`` made last, if it was of ``text``; else None."""
    return _last_parse[1] if _last_parse[0] is text else None


def job_method_refs(tree: ast.Module, job_methods,
                    text: Optional[str] = None) -> List[Tuple[str, Optional[str]]]:
    """(job-state method, module-level function it is in) for each reference to a
    job-state method (``x.get_state_for_child_job_pickling``), as the job-pickler
    reader records them, from ``ast`` where the module has no dispatch table.
    With the module's ``text``, only the statements whose lines name one are
    walked."""
    names = set(job_methods)
    refs = []
    lines = _lines_naming(text, names) if text is not None else None
    for statement in tree.body:
        function = statement.name if isinstance(
            statement, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
        for node in _walk_lines(statement, lines):
            if isinstance(node, ast.Attribute) and node.attr in names:
                refs.append((node.attr, function))
    return refs


def _walk_lines(node: ast.AST, lines: Optional[List[int]]):
    """``ast.walk(node)``, in its order, without the nodes that hold none of
    ``lines`` (sorted; None: every node): a node's lines hold its children's."""
    if lines is None:
        yield from ast.walk(node)
        return
    todo = deque([node])
    while todo:
        node = todo.popleft()
        if _holds_a_line(node, lines):
            todo.extend(ast.iter_child_nodes(node))
            yield node


def _holds_a_line(node: ast.AST, lines: List[int]) -> bool:
    first = getattr(node, "lineno", None)
    if first is None:
        return True  # no place of its own (arguments, an operator): looked into
    for decorator in getattr(node, "decorator_list", ()):
        first = min(first, decorator.lineno)
    last = getattr(node, "end_lineno", None) or first
    at = bisect_left(lines, first)
    return at < len(lines) and lines[at] <= last


def _lines_naming(text: str, names: Collection[str]) -> List[int]:
    """The lines (1-based, as ``ast`` counts them) where one of ``names`` is
    written as a word."""
    if not names:
        return []
    pattern = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, sorted(names))))
    found = sorted({m.start() for m in pattern.finditer(text)})
    if not found:
        return []
    lines, line, position = [], 1, 0
    for start in found:
        line += len(LINE_END.findall(text, position, start))
        position = start
        lines.append(line)
    return lines


def names_used(text: str, names) -> set:
    """Which of ``names`` the module's code uses other than as the name of its
    own definition (``x.name``, ``name(...)``, ``from m import name``, a string
    holding it, as ``getattr(x, "name")``), read with ``ast``; where ``ast``
    cannot read it, every one its text mentions."""
    wanted = {name for name in names if name in text}
    if not wanted:
        return set()
    tree = parse_or_none(text)
    if tree is None:
        return wanted
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in wanted:
            used.add(node.attr)
        elif isinstance(node, ast.Name) and node.id in wanted:
            used.add(node.id)
        elif isinstance(node, ast.alias) and (node.asname or node.name) in wanted:
            used.add(node.asname or node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # getattr(obj, "name"), a name built into a string: taken as a use
            used.update(name for name in wanted if name in node.value)
    return used


def mentions_in_code(text: str, words: Iterable[str]) -> bool:
    """Whether one of ``words`` is part of a name the module's code writes (a
    variable, an attribute, a definition, an argument, an imported module or
    name), not only of a comment or a string; where ``ast`` cannot read the
    text, whether the text has it anywhere."""
    words = [word for word in words if word and word in text]
    if not words:
        return False
    tree = parse_or_none(text)
    if tree is None:
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names: Iterable[Optional[str]] = (node.id,)
        elif isinstance(node, ast.Attribute):
            names = (node.attr,)
        elif isinstance(node, ast.alias):
            names = (node.name, node.asname)
        elif isinstance(node, ast.ImportFrom):
            names = (node.module,)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = (node.name,)
        elif isinstance(node, ast.arg):
            names = (node.arg,)
        elif isinstance(node, ast.keyword):
            names = (node.arg,)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names = node.names
        else:
            continue
        if any(name and word in name for name in names for word in words):
            return True
    return False
