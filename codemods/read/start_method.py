"""After ``strip`` nothing is pickled to start a process, so every process must
start with ``fork``: the others (``spawn``, the macOS default since Python 3.8;
``forkserver``, the Linux default since 3.14) pickle what the child runs.

``strip`` changes none of these lines; it reports them, each with its one-line fix:

    mp.set_start_method("spawn")          -> CM210: write mp.set_start_method("fork")
    ctx = get_context("forkserver")       -> CM210: write get_context("fork")
    ProcessPoolExecutor(mp_context=ctx)   -> CM210 when ctx is no context made in the file
    method = os.getenv("APP_MP")          -> CM211: the variable selects the start method
    mp.set_start_method(method)           -> CM210 (it can select another method)
    mp.Process(target=run)                -> CM209, once for the whole tree, when nothing
                                             in it forces fork

An environment variable is read for the start method when its name contains
``START_METHOD``, or when what is read flows into ``set_start_method`` or
``get_context`` in the same function (through assignments).  Names are resolved
through imports (read/import_scopes.py): ``import multiprocessing as mp``,
``from multiprocessing import get_context``, ``multiprocessing.context``,
``from concurrent import futures``.  A context assigned to a name or attribute
(``self._ctx = mp.get_context("fork")``) is followed to where it makes
processes, by that name, anywhere in the file.  The arm of an ``if`` on a
pickling predicate that strip removes is not read: what it did goes with it.

This is a reading only, so it works on the standard library's ``ast``: a file
that needs nothing else from ``strip`` is never parsed with libcst.  Only files
whose text could select a start method get this closer look (``needs_reading``).
"""

from __future__ import annotations

import ast
import re
import sys
import tokenize
from io import StringIO
from typing import Collection, Dict, List, Optional, Set, Tuple

from ..start_method_facts import (
    FORK_NOT_FORCED,  # noqa: F401 - the codes, for the rules' users
    OTHER_START_METHOD,
    START_METHOD_FROM_ENV,
    Place,
    StartMethodFacts,
)
from .import_scopes import ImportNames, full_name
from .strip_facts import is_predicate_call
from .text_facts import LINE_END

FORK = "fork"
DEFAULT = "default"  # no method named (get_context(), mp_context=None): the platform's
UNKNOWN = "unknown"  # not a literal: can be anything

_MP = "multiprocessing"
_SET_START_METHOD = "set_start_method"
_GET_CONTEXT = "get_context"
# Process classes and pools that start with the default method, and how each is
# made from a fork context instead.
_DEFAULT_STARTS = {
    "multiprocessing.Process": "Process",
    "multiprocessing.context.Process": "Process",
    "multiprocessing.Pool": "Pool",
    "multiprocessing.pool.Pool": "Pool",
}
_EXECUTORS = frozenset({"concurrent.futures.ProcessPoolExecutor",
                        "concurrent.futures.process.ProcessPoolExecutor"})
# Where a context is passed: (position, keyword); Process takes none.
_CONTEXT_ARGUMENTS = {"Process": None, "Pool": (4, "context")}
_EXECUTOR_ARGUMENT = (1, "mp_context")
# Classes of multiprocessing.context that name their method.
_CONTEXT_CLASSES = {f"multiprocessing.context.{prefix}Context": method for prefix, method in
                    (("Fork", "fork"), ("Spawn", "spawn"), ("ForkServer", "forkserver"))}
_METHOD_PROCESSES = {f"multiprocessing.context.{prefix}Process": method for prefix, method in
                     (("Fork", "fork"), ("Spawn", "spawn"), ("ForkServer", "forkserver"))}
_ENV_CALLS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "os.environ.pop"})
_ENVIRON = "os.environ"
_ENV_MARK = "START_METHOD"

_WHY = "which would pickle the job"
_FORK_CONTEXT = 'multiprocessing.get_context("fork")'
_SHORT = 60  # longer code is shown as `func(...)`
_CLASS_KEYWORD = re.compile(r"class(?:[ \t\f]|\\\r?\n|\\\r)+")


class _Arg:
    """One argument of a call, as written: ``value``, ``*value``, ``**value`` or
    ``keyword=value`` (``ast`` keeps positional and keyword arguments apart)."""

    __slots__ = ("node", "keyword", "star", "value")

    def __init__(self, node: ast.AST, keyword: Optional[str], star: str, value: ast.expr):
        self.node, self.keyword, self.star, self.value = node, keyword, star, value


def _arguments(call: ast.Call) -> List[_Arg]:
    found = [_Arg(arg, None, "*", arg.value) if isinstance(arg, ast.Starred)
             else _Arg(arg, None, "", arg) for arg in call.args]
    found += [_Arg(keyword, keyword.arg, "" if keyword.arg else "**", keyword.value)
              for keyword in call.keywords]
    return sorted(found, key=lambda arg: (arg.node.lineno, arg.node.col_offset))


def _argument(call: ast.Call, position: int, keyword: str) -> Optional[_Arg]:
    for index, arg in enumerate(_arguments(call)):
        if arg.keyword is not None:
            if arg.keyword == keyword:
                return arg
        elif arg.star:
            return arg  # *args: unknown
        elif index == position:
            return arg
    return None


def _literal_method(value: ast.expr) -> str:
    if isinstance(value, ast.Constant):
        if value.value is None:
            return DEFAULT
        if isinstance(value.value, str):
            return value.value
    return UNKNOWN


def _method_argument(call: ast.Call) -> Tuple[str, Optional[_Arg]]:
    """The start method a ``set_start_method``/``get_context`` call names, and its argument."""
    arg = _argument(call, 0, "method")
    if arg is None:
        return DEFAULT, None
    if arg.star:
        return UNKNOWN, arg
    return _literal_method(arg.value), arg


def _selects(method: str) -> str:
    return "can select" if method == UNKNOWN else "selects"


def _target_names(target: ast.expr) -> Set[str]:
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return {name for element in target.elts for name in _target_names(element)}
    return set()


def _names_in(expression: ast.AST) -> Set[str]:
    """Every name written in ``expression``, an attribute's or a keyword's too (what
    libcst's ``Name`` nodes in it are)."""
    names = set()
    for node in ast.walk(expression):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
            names.add(repr(node.value))
    return names


class _Frame:
    """One function's (or the module's) assignments and environment reads,
    for following a read into a start method."""

    def __init__(self) -> None:
        self.assignments: List[Tuple[Set[str], ast.expr]] = []
        self.selector_arguments: List[ast.expr] = []
        self.env_reads: List[Tuple[ast.AST, bool]] = []  # (read, named START_METHOD)

    def reads_into_selectors(self) -> List[ast.AST]:
        """The environment reads that reach a selector's argument, or are named for it."""
        reached: Set[ast.AST] = set()
        names: Set[str] = set()
        pending = list(self.selector_arguments)
        while pending:
            expression = pending.pop()
            reached.update(node for node in ast.walk(expression)
                           if isinstance(node, (ast.Call, ast.Subscript)))
            new = _names_in(expression) - names
            names |= new
            pending.extend(value for targets, value in self.assignments if targets & new)
        return [read for read, named in self.env_reads if named or read in reached]


class StartMethodReader:
    """What a file does about start methods: see ``StartMethodFacts``."""

    def __init__(self, text: str, tree: ast.Module, predicates: Collection[str] = ()) -> None:
        self.text = text
        self.tree = tree
        self.predicates = frozenset(predicates)
        self.names = ImportNames(tree)
        self.frames = [_Frame()]
        self.sets_fork = self.sets_other = self.fork_context = self.context_starts = False
        self.imports_multiprocessing = False
        # name or attribute as written -> method of the context assigned to it
        self.contexts: Dict[str, str] = {}
        # starts from a context held by a name or attribute, looked up at the end:
        # (the start, the name as written, the fix, the argument that passes it)
        self.named_starts: List[Tuple[ast.Call, str, str, Optional[_Arg]]] = []
        # (line, column) -> fix; a class's place is that of its name
        self.default_starts: List[Tuple[Tuple[int, int], str]] = []
        self.places: List[Tuple[Tuple[int, int], str, str]] = []  # (place, code, message)
        self.written_to: Set[ast.AST] = set()  # assignment targets: no env reads
        self._lines: Optional[List[str]] = None

    def read(self) -> StartMethodFacts:
        self._block(self.tree.body)
        self._leave_module()
        return StartMethodFacts(self.sets_fork, self.sets_other, self.fork_context,
                                self.context_starts,
                                tuple(sorted((*at, fix) for at, fix in self.default_starts)),
                                tuple(sorted({Place(*at, found, message)
                                              for at, found, message in self.places},
                                             key=_place_order)))

    # Text and places -------------------------------------------------------------------------

    def _line(self, number: int) -> str:
        if self._lines is None:
            self._lines = LINE_END.split(self.text)
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def _at(self, node: ast.AST) -> Tuple[int, int]:
        """(line, column) as libcst counts them: the column in characters, where
        ``ast`` counts UTF-8 bytes."""
        line = self._line(node.lineno)
        return node.lineno, len(line.encode("utf-8")[:node.col_offset].decode("utf-8", "replace"))

    def _class_name_at(self, node: ast.ClassDef) -> Tuple[int, int]:
        line, column = self._at(node)
        rest = "\n".join(self._line(number) for number in range(line, (node.end_lineno or line) + 1))
        match = _CLASS_KEYWORD.match(rest, column)
        if match is None:
            return line, column
        before = rest[:match.end()]
        line += before.count("\n")
        return line, match.end() - (before.rfind("\n") + 1 if "\n" in before else 0)

    def _code(self, node: ast.AST) -> str:
        """``node`` as written, its line ends as "\n" (a message is one text):
        ``ast.get_source_segment``, from the lines split once (it splits the
        whole text at each call)."""
        end_line, end_column = getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None)
        if end_line is None or end_column is None:
            return ""
        first = self._line(node.lineno).encode("utf-8")
        if end_line == node.lineno:
            return first[node.col_offset:end_column].decode("utf-8").strip()
        lines = [first[node.col_offset:].decode("utf-8"),
                 *(self._line(number) for number in range(node.lineno + 1, end_line)),
                 self._line(end_line).encode("utf-8")[:end_column].decode("utf-8")]
        return "\n".join(lines).strip()

    def _shown(self, node: ast.AST) -> str:
        """``node`` as written, or ``func(...)`` when that is long or spans lines."""
        text = self._code(node)
        if isinstance(node, ast.Call) and ("\n" in text or len(text) > _SHORT):
            return f"{self._code(node.func)}(...)"
        return text

    def _quote(self, value: ast.expr) -> str:
        """The quote a single string literal is written in; '"' for any other."""
        if not isinstance(value, ast.Constant) or not isinstance(value.value, (str, bytes)):
            return '"'
        try:
            tokens = [token for token in tokenize.generate_tokens(
                StringIO(ast.get_source_segment(self.text, value) or "").readline)
                if token.type == tokenize.STRING]
        except (tokenize.TokenError, SyntaxError):
            return '"'
        if len(tokens) != 1:
            return '"'  # concatenated
        return tokens[0].string.lstrip("rRbBuUfF")[0]

    def _fork_call(self, call: ast.Call, method_arg: Optional[_Arg]) -> str:
        """The call as it should read: the same callee, ``"fork"`` as its method, in
        the quotes the file used, other keywords (``force=True``) kept."""
        quote = self._quote(method_arg.value) if method_arg is not None else '"'
        args = [f"{quote}fork{quote}"]
        args += [self._code(arg.node) for arg in _arguments(call)
                 if method_arg is None or arg.node is not method_arg.node]
        return f"{self._code(call.func)}({', '.join(args)})"

    # Names -----------------------------------------------------------------------------------

    def _imported(self, node: ast.AST) -> List[str]:
        return self.names.imported(node)

    def _is(self, node: ast.AST, suffix: str) -> bool:
        """Whether ``node`` names ``multiprocessing``'s function ``suffix`` (through
        ``multiprocessing.context`` too)."""
        return any(name.startswith(_MP + ".") and name.endswith("." + suffix)
                   for name in self._imported(node))

    def _context_method(self, value: ast.expr) -> Optional[str]:
        """The method of the context ``value`` makes, if it makes one here: a
        ``get_context(...)`` call or a ``multiprocessing.context`` class."""
        if isinstance(value, ast.Call):
            if self._is(value.func, _GET_CONTEXT):
                return _method_argument(value)[0]
            for name in self._imported(value.func):
                if name in _CONTEXT_CLASSES:
                    return _CONTEXT_CLASSES[name]
        return None

    def _context_of(self, value: ast.expr) -> str:
        """The method of the context an argument or receiver holds: a method,
        ``DEFAULT``, ``UNKNOWN``, or ``"=" + name`` for a name or attribute to
        look up once the whole file is read."""
        if isinstance(value, ast.Constant) and value.value is None:
            return DEFAULT
        method = self._context_method(value)
        if method is not None:
            return method
        if isinstance(value, (ast.Name, ast.Attribute)):
            names = self._imported(value)
            if _MP in names:
                return DEFAULT  # the module itself acts as the default context
            if not names:
                written = full_name(value)
                return "=" + written if written else UNKNOWN
        return UNKNOWN

    # The walk, in libcst's order -------------------------------------------------------------

    def _block(self, statements: List[ast.stmt]) -> None:
        for statement in statements:
            self._visit(statement)

    def _visit(self, node: ast.AST) -> None:
        method = getattr(self, "_visit_" + type(node).__name__, None)
        if method is None or method(node) is not False:
            for child in ast.iter_child_nodes(node):
                self._visit(child)

    def _is_predicate_call(self, node: ast.expr) -> bool:
        return is_predicate_call(node, self.predicates)

    def _visit_If(self, node: ast.If) -> bool:
        """``if p(): A`` loses ``A`` to strip, ``if not p(): A else: B`` loses ``B``."""
        self._visit(node.test)
        test = node.test
        if self._is_predicate_call(test):
            self._block(node.orelse)
        elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and \
                self._is_predicate_call(test.operand) and node.orelse:
            self._block(node.body)
        else:
            self._block(node.body)
            self._block(node.orelse)
        return False

    def _visit_FunctionDef(self, node) -> bool:
        self.frames.append(_Frame())
        for child in (*node.decorator_list, node.args, *((node.returns,) if node.returns else ()),
                      *node.body):
            self._visit(child)
        self._report_env_reads(self.frames.pop())
        return False

    _visit_AsyncFunctionDef = _visit_FunctionDef

    def _leave_module(self) -> None:
        self._report_env_reads(self.frames[0])
        for node, written, fix, arg in self.named_starts:
            method = self.contexts.get(written)
            if method == DEFAULT:
                self.default_starts.append((self._at(node), fix))
            elif method is not None:
                self.context_starts = True  # fork, or another reported where it is made
            elif arg is not None:
                self.context_starts = True
                self._report_argument(arg)  # passed to a process pool: a context for sure
            elif self.imports_multiprocessing:
                self.default_starts.append((self._at(node), fix))  # ctx.Process(): most likely

    # Imports and assignments -----------------------------------------------------------------

    def _visit_Import(self, node: ast.Import) -> None:
        if any(alias.name.split(".")[0] == _MP for alias in node.names):
            self.imports_multiprocessing = True

    def _visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module is not None and not node.level and node.module.split(".")[0] == _MP:
            self.imports_multiprocessing = True

    def _visit_Assign(self, node: ast.Assign) -> None:
        self.written_to.update(node.targets)
        for target in node.targets:
            self._assigned(target, node.value)

    def _visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.written_to.add(node.target)
        if node.value is not None:
            self._assigned(node.target, node.value)

    def _visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.written_to.add(node.target)

    def _visit_Delete(self, node: ast.Delete) -> None:
        if len(node.targets) == 1:  # libcst's target: ``del a, b`` is one tuple
            self.written_to.add(node.targets[0])

    def _assigned(self, target: ast.expr, value: ast.expr) -> None:
        self.frames[-1].assignments.append((_target_names(target), value))
        method = self._context_method(value)
        written = full_name(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
        if method is not None and written:
            self.contexts[written] = method

    # What selects a method, or starts a process ---------------------------------------------

    def _visit_Call(self, node: ast.Call) -> None:
        func = node.func
        names = self._imported(func)
        if self._is(func, _SET_START_METHOD):
            self._set_start_method(node)
        elif self._is(func, _GET_CONTEXT):
            self._get_context(node)
        elif any(name in _ENV_CALLS for name in names):
            key = _argument(node, 0, "key")
            self._env_read(node, key.value if key is not None else None)
        elif not any(self._named_start(node, name) for name in names):
            # ctx.Process(), or get_context().Pool(), which the import names call
            # multiprocessing.get_context.Pool
            if isinstance(func, ast.Attribute) and func.attr in _CONTEXT_ARGUMENTS and (
                    not names or isinstance(func.value, ast.Call)):
                self._start_from(node, func.value, func.attr)

    def _named_start(self, node: ast.Call, name: str) -> bool:
        """Whether ``node``, a call of what is imported as ``name``, starts a
        process or makes a context that names its method; if so, noted."""
        if name in _DEFAULT_STARTS:
            kind = _DEFAULT_STARTS[name]
            self._start(node, f"{_FORK_CONTEXT}.{kind}(...)", _CONTEXT_ARGUMENTS[kind])
        elif name in _EXECUTORS:
            fix = f"{self._code(node.func)}(..., mp_context={_FORK_CONTEXT})"
            self._start(node, fix, _EXECUTOR_ARGUMENT)
        elif name in _CONTEXT_CLASSES:
            method = _CONTEXT_CLASSES[name]
            if method == FORK:
                self.fork_context = True
            else:
                self._report(node, OTHER_START_METHOD,
                             f"{self._shown(node)} selects the {method} start method, {_WHY}: "
                             f"write {_FORK_CONTEXT}")
        elif name in _METHOD_PROCESSES:
            method = _METHOD_PROCESSES[name]
            self.context_starts = True
            if method != FORK:
                self._report(node, OTHER_START_METHOD,
                             f"{self._shown(node)} starts with the {method} start method, "
                             f"{_WHY}: write {_FORK_CONTEXT}.Process(...)")
        else:
            return False
        return True

    def _visit_Subscript(self, node: ast.Subscript) -> None:
        index = node.slice
        if node not in self.written_to and _ENVIRON in self._imported(node.value) \
                and not isinstance(index, (ast.Slice, ast.Tuple)):
            self._env_read(node, index)

    def _visit_ClassDef(self, node: ast.ClassDef) -> None:
        """A subclass of ``multiprocessing.Process`` starts processes too."""
        for base in node.bases:
            if any(_DEFAULT_STARTS.get(name) == "Process" for name in self._imported(base)):
                self.default_starts.append((self._class_name_at(node), ""))

    def _selects_method(self, node: ast.Call) -> Tuple[str, Optional[_Arg]]:
        """The method a ``set_start_method``/``get_context`` call names, and its
        argument, kept for following environment reads into it."""
        method, arg = _method_argument(node)
        if arg is not None:
            self.frames[-1].selector_arguments.append(arg.value)
        return method, arg

    def _set_start_method(self, node: ast.Call) -> None:
        method, arg = self._selects_method(node)
        if method == FORK:
            self.sets_fork = True
            return
        self.sets_other = True
        self._report(node, OTHER_START_METHOD,
                     f"{self._shown(node)} {_selects(method)} a start method other than fork, "
                     f"{_WHY}: write {self._fork_call(node, arg)}")

    def _get_context(self, node: ast.Call) -> None:
        method, arg = self._selects_method(node)
        if method == FORK:
            self.fork_context = True
        elif method != DEFAULT:
            self._report(node, OTHER_START_METHOD,
                         f"{self._shown(node)} {_selects(method)} a start method other than "
                         f"fork, {_WHY}: write {self._fork_call(node, arg)}")

    def _start(self, node: ast.Call, fix: str, parameter: Optional[Tuple[int, str]]) -> None:
        """``Process(...)``, ``Pool(...)``, ``ProcessPoolExecutor(...)``, with the
        context they may be given (``Pool(context=...)``, ``mp_context=...``)."""
        arg = _argument(node, *parameter) if parameter else None
        method = DEFAULT if arg is None else UNKNOWN if arg.star else self._context_of(arg.value)
        if method == DEFAULT:
            self.default_starts.append((self._at(node), fix))
        elif method.startswith("="):
            self.named_starts.append((node, method[1:], fix, arg))
        else:  # fork; another method, reported where the context is made; or unknown
            self.context_starts = True
            if method == UNKNOWN:
                self._report_argument(arg)

    def _start_from(self, node: ast.Call, receiver: ast.expr, kind: str) -> None:
        """``ctx.Process(...)``, ``get_context().Pool()``: a context's own."""
        method = self._context_of(receiver)
        fix = f"{_FORK_CONTEXT}.{kind}(...)"
        if isinstance(receiver, ast.Call) and self._is(receiver.func, _GET_CONTEXT):
            fix = f"{self._fork_call(receiver, _method_argument(receiver)[1])}.{kind}(...)"
        if method == DEFAULT:
            self.default_starts.append((self._at(node), fix))
        elif method.startswith("="):
            self.named_starts.append((node, method[1:], fix, None))
        elif method != UNKNOWN:  # fork, or another reported where the context is made
            self.context_starts = True

    def _report_argument(self, arg: _Arg) -> None:
        """A context passed to a process pool that is none this file makes."""
        fix = f"{arg.keyword}={_FORK_CONTEXT}" if arg.keyword else _FORK_CONTEXT
        self._report(arg.node, OTHER_START_METHOD,
                     f"{self._code(arg.node)} can select a start method other than fork, "
                     f"{_WHY}: pass {fix}")

    # Environment variables -------------------------------------------------------------------

    def _env_read(self, node: ast.AST, key: Optional[ast.expr]) -> None:
        named = False
        if key is not None:
            text = _literal_method(key) if isinstance(key, ast.Constant) and isinstance(
                key.value, str) else full_name(key)
            named = _ENV_MARK in (text or "").upper()
        self.frames[-1].env_reads.append((node, named))

    def _report_env_reads(self, frame: _Frame) -> None:
        for read in frame.reads_into_selectors():
            self._report(read, START_METHOD_FROM_ENV,
                         f"{self._shown(read)} lets the environment choose the start method, "
                         'which must be fork (the others would pickle the job): drop the read '
                         'and use "fork"')

    def _report(self, node: ast.AST, found: str, message: str) -> None:
        self.places.append((self._at(node), found, message))


def _place_order(place: Place) -> Tuple[int, int, str]:
    return place.line, place.column, place.code


def read_start_method(text: str, tree: Optional[ast.Module],
                      predicates: Collection[str] = ()) -> StartMethodFacts:
    """What the module ``tree`` (of ``text``) does about start methods, once the
    ``if``s on ``predicates`` are decided as strip decides them.  Where the running
    interpreter's ``ast`` cannot read the file (``tree`` None: syntax newer than
    it), that is the one thing reported: nothing is known of its start methods."""
    if tree is None:
        return StartMethodFacts(unread=True, selections=(Place(
            1, 0, OTHER_START_METHOD,
            f"not read for start methods: Python {sys.version_info[0]}.{sys.version_info[1]}'s "
            "ast cannot parse this file (newer syntax, or nesting too deep), so nothing is "
            "said of the tree's start methods (CM209) either; check by hand that processes "
            "start with fork, or run strip on a newer Python"),))
    return StartMethodReader(text, tree, predicates).read()
