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
through imports (``QualifiedNameProvider``): ``import multiprocessing as mp``,
``from multiprocessing import get_context``, ``multiprocessing.context``,
``from concurrent import futures``.  A context assigned to a name or attribute
(``self._ctx = mp.get_context("fork")``) is followed to where it makes
processes, by that name, anywhere in the file.  The arm of an ``if`` on a
pickling predicate that strip removes is not read: what it did goes with it.

Only files that mention one of ``WORDS`` get this closer look (``needs_reading``).
"""

from __future__ import annotations

from typing import Collection, Dict, List, Optional, Set, Tuple

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_full_name_for_node
from libcst.metadata import PositionProvider, QualifiedNameProvider, QualifiedNameSource

from ..read.common import code
from ..start_method_facts import (  # noqa: F401 - re-exported for the scan and strip
    FORK_NOT_FORCED,
    OTHER_START_METHOD,
    START_METHOD_FROM_ENV,
    Place,
    StartMethodFacts,
    start_method_findings,
)
from ..strip_words import needs_reading  # noqa: F401 - re-exported for the scan
from .strip_predicates import predicate_call


# A file needs a close look only if it mentions one of these ...
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


def _shown(node: cst.CSTNode) -> str:
    """``node`` as written, or ``func(...)`` when that is long or spans lines."""
    text = code(node).strip()
    if isinstance(node, cst.Call) and ("\n" in text or len(text) > _SHORT):
        return f"{code(node.func).strip()}(...)"
    return text


def _argument(call: cst.Call, position: int, keyword: str) -> Optional[cst.Arg]:
    for index, arg in enumerate(call.args):
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg
        elif arg.star:
            return arg  # *args: unknown
        elif index == position:
            return arg
    return None


def _literal_method(value: cst.BaseExpression) -> str:
    if m.matches(value, m.Name("None")):
        return DEFAULT
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        evaluated = value.evaluated_value
        if isinstance(evaluated, str):
            return evaluated
    return UNKNOWN


def _method_argument(call: cst.Call) -> Tuple[str, Optional[cst.Arg]]:
    """The start method a ``set_start_method``/``get_context`` call names, and its argument."""
    arg = _argument(call, 0, "method")
    if arg is None:
        return DEFAULT, None
    if arg.star:
        return UNKNOWN, arg
    return _literal_method(arg.value), arg


def _fork_call(call: cst.Call, method_arg: Optional[cst.Arg]) -> str:
    """The call as it should read: the same callee, ``"fork"`` as its method, in
    the quotes the file used, other keywords (``force=True``) kept."""
    quote = '"'
    if method_arg is not None and isinstance(method_arg.value, cst.SimpleString):
        quote = method_arg.value.quote[-1]
    args = [f"{quote}fork{quote}"]
    args += [code(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip()
             for arg in call.args if arg is not method_arg]
    return f"{code(call.func).strip()}({', '.join(args)})"


def _selects(method: str) -> str:
    return "can select" if method == UNKNOWN else "selects"


def _target_names(target: cst.BaseExpression) -> Set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _target_names(element.value)}
    return set()


class _Frame:
    """One function's (or the module's) assignments and environment reads,
    for following a read into a start method."""

    def __init__(self) -> None:
        self.assignments: List[Tuple[Set[str], cst.BaseExpression]] = []
        self.selector_arguments: List[cst.BaseExpression] = []
        self.env_reads: List[Tuple[cst.CSTNode, bool]] = []  # (read, named START_METHOD)

    def reads_into_selectors(self) -> List[cst.CSTNode]:
        """The environment reads that reach a selector's argument, or are named for it."""
        reached: Set[cst.CSTNode] = set()
        names: Set[str] = set()
        pending = list(self.selector_arguments)
        while pending:
            expression = pending.pop()
            reached.update(m.findall(expression, m.Call() | m.Subscript()))
            new = {name.value for name in m.findall(expression, m.Name())} - names
            names |= new
            pending.extend(value for targets, value in self.assignments if targets & new)
        return [read for read, named in self.env_reads if named or read in reached]


class StartMethodReader(cst.CSTVisitor):
    """What a file does about start methods: see ``StartMethodFacts``."""

    # Positions are resolved after the visit, and only for a file with something to
    # place (``read_start_method``): they cost a print of the whole module.
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, predicates: Collection[str] = ()) -> None:
        super().__init__()
        call = predicate_call(predicates)
        self.predicate_test = call
        self.negated_predicate_test = m.UnaryOperation(operator=m.Not(), expression=call)
        self.removed_arms: Set[cst.CSTNode] = set()  # what strip's predicate folding drops
        self.frames = [_Frame()]
        self.sets_fork = self.sets_other = self.fork_context = self.context_starts = False
        self.imports_multiprocessing = False
        # name or attribute as written -> method of the context assigned to it
        self.contexts: Dict[str, str] = {}
        # starts from a context held by a name or attribute, looked up at the end:
        # (the start, the name as written, the fix, the argument that passes it)
        self.named_starts: List[Tuple[cst.Call, str, str, Optional[cst.Arg]]] = []
        self.default_starts: List[Tuple[cst.CSTNode, str]] = []
        self.places: List[Tuple[cst.CSTNode, str, str]] = []  # (node, code, message)
        self.written_to: Set[cst.CSTNode] = set()  # assignment targets: no env reads

    def _facts(self, positions) -> StartMethodFacts:
        def at(node: cst.CSTNode) -> Tuple[int, int]:
            start = positions[node].start
            return start.line, start.column

        starts = sorted((*at(node), fix) for node, fix in self.default_starts)
        places = {Place(*at(node), found, message) for node, found, message in self.places}
        return StartMethodFacts(self.sets_fork, self.sets_other, self.fork_context,
                                self.context_starts, tuple(starts),
                                tuple(sorted(places, key=_place_order)))

    # Names -----------------------------------------------------------------------------------

    def _imported(self, node: cst.CSTNode) -> List[str]:
        return [q.name for q in self.get_metadata(QualifiedNameProvider, node, set())
                if q.source is QualifiedNameSource.IMPORT]

    def _is(self, node: cst.CSTNode, suffix: str) -> bool:
        """Whether ``node`` names ``multiprocessing``'s function ``suffix`` (through
        ``multiprocessing.context`` too)."""
        return any(name.startswith(_MP + ".") and name.endswith("." + suffix)
                   for name in self._imported(node))

    def _context_method(self, value: cst.BaseExpression) -> Optional[str]:
        """The method of the context ``value`` makes, if it makes one here: a
        ``get_context(...)`` call or a ``multiprocessing.context`` class."""
        if isinstance(value, cst.Call):
            if self._is(value.func, _GET_CONTEXT):
                return _method_argument(value)[0]
            for name in self._imported(value.func):
                if name in _CONTEXT_CLASSES:
                    return _CONTEXT_CLASSES[name]
        return None

    def _context_of(self, value: cst.BaseExpression) -> str:
        """The method of the context an argument or receiver holds: a method,
        ``DEFAULT``, ``UNKNOWN``, or ``"=" + name`` for a name or attribute to
        look up once the whole file is read."""
        if m.matches(value, m.Name("None")):
            return DEFAULT
        method = self._context_method(value)
        if method is not None:
            return method
        if isinstance(value, (cst.Name, cst.Attribute)):
            names = self._imported(value)
            if _MP in names:
                return DEFAULT  # the module itself acts as the default context
            if not names:
                written = get_full_name_for_node(value)
                return "=" + written if written else UNKNOWN
        return UNKNOWN

    # Scopes ----------------------------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node in self.removed_arms:
            return False
        return super().on_visit(node)

    def visit_If(self, node: cst.If) -> None:
        """``if p(): A`` loses ``A`` to strip, ``if not p(): A else: B`` loses ``B``."""
        if m.matches(node.test, self.predicate_test):
            self.removed_arms.add(node.body)
        elif m.matches(node.test, self.negated_predicate_test) and node.orelse is not None:
            self.removed_arms.add(node.orelse)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.frames.append(_Frame())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._report_env_reads(self.frames.pop())

    def leave_Module(self, original_node: cst.Module) -> None:
        self._report_env_reads(self.frames[0])
        for node, written, fix, arg in self.named_starts:
            method = self.contexts.get(written)
            if method == DEFAULT:
                self.default_starts.append((node, fix))
            elif method is not None:
                self.context_starts = True  # fork, or another reported where it is made
            elif arg is not None:
                self.context_starts = True
                self._report_argument(arg)  # passed to a process pool: a context for sure
            elif self.imports_multiprocessing:
                self.default_starts.append((node, fix))  # ctx.Process(): most likely one

    # Imports and assignments -----------------------------------------------------------------

    def visit_Import(self, node: cst.Import) -> None:
        if any(alias.evaluated_name.split(".")[0] == _MP for alias in node.names):
            self.imports_multiprocessing = True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative and \
                (get_full_name_for_node(node.module) or "").split(".")[0] == _MP:
            self.imports_multiprocessing = True

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.written_to.add(node.target)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._assigned(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.written_to.add(node.target)
        if node.value is not None:
            self._assigned(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.written_to.add(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self.written_to.add(node.target)

    def _assigned(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        self.frames[-1].assignments.append((_target_names(target), value))
        method = self._context_method(value)
        written = get_full_name_for_node(target) if isinstance(
            target, (cst.Name, cst.Attribute)) else None
        if method is not None and written:
            self.contexts[written] = method

    # What selects a method, or starts a process ---------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
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
            # ctx.Process(), or get_context().Pool(), which QualifiedNameProvider
            # names multiprocessing.get_context.Pool
            if isinstance(func, cst.Attribute) and func.attr.value in _CONTEXT_ARGUMENTS and (
                    not names or isinstance(func.value, cst.Call)):
                self._start_from(node, func.value, func.attr.value)

    def _named_start(self, node: cst.Call, name: str) -> bool:
        """Whether ``node``, a call of what is imported as ``name``, starts a
        process or makes a context that names its method; if so, noted."""
        if name in _DEFAULT_STARTS:
            kind = _DEFAULT_STARTS[name]
            self._start(node, f"{_FORK_CONTEXT}.{kind}(...)", _CONTEXT_ARGUMENTS[kind])
        elif name in _EXECUTORS:
            fix = f"{code(node.func).strip()}(..., mp_context={_FORK_CONTEXT})"
            self._start(node, fix, _EXECUTOR_ARGUMENT)
        elif name in _CONTEXT_CLASSES:
            method = _CONTEXT_CLASSES[name]
            if method == FORK:
                self.fork_context = True
            else:
                self._report(node, OTHER_START_METHOD,
                             f"{_shown(node)} selects the {method} start method, {_WHY}: "
                             f"write {_FORK_CONTEXT}")
        elif name in _METHOD_PROCESSES:
            method = _METHOD_PROCESSES[name]
            self.context_starts = True
            if method != FORK:
                self._report(node, OTHER_START_METHOD,
                             f"{_shown(node)} starts with the {method} start method, {_WHY}: "
                             f"write {_FORK_CONTEXT}.Process(...)")
        else:
            return False
        return True

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if node not in self.written_to and _ENVIRON in self._imported(node.value) \
                and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            self._env_read(node, node.slice[0].slice.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        """A subclass of ``multiprocessing.Process`` starts processes too."""
        for base in node.bases:
            if any(_DEFAULT_STARTS.get(name) == "Process" for name in self._imported(base.value)):
                self.default_starts.append((node.name, ""))

    def _set_start_method(self, node: cst.Call) -> None:
        method, arg = _method_argument(node)
        if arg is not None:
            self.frames[-1].selector_arguments.append(arg.value)
        if method == FORK:
            self.sets_fork = True
            return
        self.sets_other = True
        self._report(node, OTHER_START_METHOD,
                     f"{_shown(node)} {_selects(method)} a start method other than fork, "
                     f"{_WHY}: write {_fork_call(node, arg)}")

    def _get_context(self, node: cst.Call) -> None:
        method, arg = _method_argument(node)
        if arg is not None:
            self.frames[-1].selector_arguments.append(arg.value)
        if method == FORK:
            self.fork_context = True
        elif method != DEFAULT:
            self._report(node, OTHER_START_METHOD,
                         f"{_shown(node)} {_selects(method)} a start method other than fork, "
                         f"{_WHY}: write {_fork_call(node, arg)}")

    def _start(self, node: cst.Call, fix: str,
               parameter: Optional[Tuple[int, str]]) -> None:
        """``Process(...)``, ``Pool(...)``, ``ProcessPoolExecutor(...)``, with the
        context they may be given (``Pool(context=...)``, ``mp_context=...``)."""
        arg = _argument(node, *parameter) if parameter else None
        method = DEFAULT if arg is None else UNKNOWN if arg.star else self._context_of(arg.value)
        if method == DEFAULT:
            self.default_starts.append((node, fix))
        elif method.startswith("="):
            self.named_starts.append((node, method[1:], fix, arg))
        else:  # fork; another method, reported where the context is made; or unknown
            self.context_starts = True
            if method == UNKNOWN:
                self._report_argument(arg)

    def _start_from(self, node: cst.Call, receiver: cst.BaseExpression, kind: str) -> None:
        """``ctx.Process(...)``, ``get_context().Pool()``: a context's own."""
        method = self._context_of(receiver)
        fix = f"{_FORK_CONTEXT}.{kind}(...)"
        if isinstance(receiver, cst.Call) and self._is(receiver.func, _GET_CONTEXT):
            fix = f"{_fork_call(receiver, _method_argument(receiver)[1])}.{kind}(...)"
        if method == DEFAULT:
            self.default_starts.append((node, fix))
        elif method.startswith("="):
            self.named_starts.append((node, method[1:], fix, None))
        elif method != UNKNOWN:  # fork, or another reported where the context is made
            self.context_starts = True

    def _report_argument(self, arg: cst.Arg) -> None:
        """A context passed to a process pool that is none this file makes."""
        keyword = arg.keyword.value if arg.keyword is not None else None
        shown = code(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)).strip()
        fix = f"{keyword}={_FORK_CONTEXT}" if keyword else _FORK_CONTEXT
        self._report(arg, OTHER_START_METHOD,
                     f"{shown} can select a start method other than fork, {_WHY}: pass {fix}")

    # Environment variables -------------------------------------------------------------------

    def _env_read(self, node: cst.CSTNode, key: Optional[cst.BaseExpression]) -> None:
        named = False
        if key is not None:
            text = _literal_method(key) if isinstance(
                key, (cst.SimpleString, cst.ConcatenatedString)) else get_full_name_for_node(key)
            named = _ENV_MARK in (text or "").upper()
        self.frames[-1].env_reads.append((node, named))

    def _report_env_reads(self, frame: _Frame) -> None:
        for read in frame.reads_into_selectors():
            self._report(read, START_METHOD_FROM_ENV,
                         f"{_shown(read)} lets the environment choose the start method, "
                         'which must be fork (the others would pickle the job): drop the read '
                         'and use "fork"')

    def _report(self, node: cst.CSTNode, found: str, message: str) -> None:
        self.places.append((node, found, message))


def _place_order(place: Place) -> Tuple[int, int, str]:
    return place.line, place.column, place.code


def read_start_method(wrapper: cst.MetadataWrapper,
                      predicates: Collection[str] = ()) -> StartMethodFacts:
    """What the file in ``wrapper`` does about start methods, once the
    ``if``s on ``predicates`` are decided as strip decides them."""
    reader = StartMethodReader(predicates)
    wrapper.visit(reader)
    positions = wrapper.resolve(PositionProvider) if (
        reader.default_starts or reader.places) else {}
    return reader._facts(positions)
