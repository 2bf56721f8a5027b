"""A read-only walk of a libcst tree, for plain ``CSTVisitor`` readers.

libcst's ``node.visit(visitor)`` builds a new copy of every node it passes, for a
visitor that changes nothing too: each node's ``_visit_and_replace_children``
constructs its replacement unconditionally (and validates it), which is most of
the cost of walking a large module.  ``read_only_visit`` calls the visitor's own
``on_visit`` and ``on_leave`` on the same nodes, in the same order, and skips
the children of a node whose ``visit_*`` returned False, as libcst does; it
only reads the children where they are instead of rebuilding their parents.

A node type's children are the fields its ``_visit_and_replace_children``
visits, in the order it visits them.  That order is read from libcst itself,
once per type: a recording visitor run over one node of the type (libcst calls
``on_visit_attribute`` for each field it visits, empty ones included).  Where
the recording leaves a field out that could hold a node (libcst visits
``FormattedStringExpression.format_spec`` only when it is set), the order is
read from the method's source instead.

A visitor that needs what this walk does not do gets libcst's own walk:
attribute callbacks (``visit_Name_value``, or its own ``on_visit_attribute``),
metadata, or a transformer.  tests/test_walk.py holds the two walks equal,
call for call, over the snapshot inputs and a module of every syntax form.

``install`` makes every ``node.visit(visitor)`` of a visitor (libcst's own
too: the scope analysis and the qualified names behind its metadata, the
gatherers of its import visitors) walk without rebuilding, attribute callbacks
included: those are called for each field, as libcst calls them, where a node
type visits every field it has; a node of a type that visits a field only
under a condition has its children visited by libcst's own method.
Transformers keep libcst's walk.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
import textwrap
from dataclasses import fields
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import libcst as cst
from libcst import CSTNode, MaybeSentinel

_ORDER: Dict[type, Optional[Tuple[str, ...]]] = {}
_FAST: Dict[type, bool] = {}
_EVERY_FIELD: Dict[type, bool] = {}
_ATTRIBUTE_CALLBACK = re.compile(r"^(?:visit|leave)_[A-Za-z0-9]+_\w+$")
_LEARNED = [False]  # whether _ORDER or _EVERY_FIELD gained an entry since read_learned


class _FieldRecorder(cst.CSTVisitor):
    """The fields libcst visits on one node, in order, without entering them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list = []

    def on_visit(self, node: CSTNode) -> bool:
        return False

    def on_leave(self, original_node: CSTNode) -> None:
        return None

    def on_visit_attribute(self, node: CSTNode, attribute: str) -> None:
        self.fields.append(attribute)

    def on_leave_attribute(self, original_node: CSTNode, attribute: str) -> None:
        return None


def _may_hold_nodes(value) -> bool:
    return value is None or isinstance(value, (CSTNode, MaybeSentinel, list, tuple))


def _order_from_source(node_type: type) -> Optional[Tuple[str, ...]]:
    """The field names ``_visit_and_replace_children`` passes to libcst's
    ``visit_*`` helpers, in the order of its source; None where its source
    cannot be read."""
    try:
        source = textwrap.dedent(inspect.getsource(node_type._visit_and_replace_children))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    names = []

    class Calls(ast.NodeVisitor):
        def visit_Call(self, call: ast.Call) -> None:
            if isinstance(call.func, ast.Name) and call.func.id.startswith("visit_") \
                    and len(call.args) >= 2 and isinstance(call.args[1], ast.Constant) \
                    and isinstance(call.args[1].value, str):
                names.append(call.args[1].value)
            self.generic_visit(call)

    Calls().visit(tree)
    return tuple(dict.fromkeys(names))


def _order(node: CSTNode) -> Optional[Tuple[str, ...]]:
    node_type = type(node)
    if node_type in _ORDER:
        return _ORDER[node_type]
    recorder = _FieldRecorder()
    node._visit_and_replace_children(recorder)
    order: Optional[Tuple[str, ...]] = tuple(dict.fromkeys(recorder.fields))
    skipped = [f.name for f in fields(node) if f.name not in order
               and _may_hold_nodes(getattr(node, f.name))]
    if skipped:
        order = _order_from_source(node_type)
    _ORDER[node_type] = order
    _LEARNED[0] = True
    return order


def walks_fast(visitor: cst.CSTVisitor) -> bool:
    """Whether ``read_only_visit`` can walk for this visitor (see the module's text)."""
    kind = type(visitor)
    found = _FAST.get(kind)
    if found is None:
        found = _FAST[kind] = (
            isinstance(visitor, cst.CSTVisitor)
            and not getattr(visitor, "METADATA_DEPENDENCIES", ())
            and kind.on_visit_attribute is cst.CSTVisitor.on_visit_attribute
            and kind.on_leave_attribute is cst.CSTVisitor.on_leave_attribute
            and not any(_ATTRIBUTE_CALLBACK.match(name) for name in _own_names(kind)))
    return found


def _own_names(kind: type):
    """The names the visitor's classes define, not libcst's (whose visitor base
    declares an empty callback for every attribute of every node)."""
    libcst_classes = set(cst.CSTVisitor.__mro__)
    for klass in kind.__mro__:
        if klass not in libcst_classes:
            yield from vars(klass)


def read_only_visit(node: CSTNode, visitor: cst.CSTVisitor) -> None:
    """``node.visit(visitor)`` for a read-only visitor, without rebuilding the tree."""
    if not walks_fast(visitor):
        node.visit(visitor)
        return
    _walk(node, visitor)


def _walk(node: CSTNode, visitor: cst.CSTVisitor) -> None:
    if visitor.on_visit(node):
        order = _ORDER.get(type(node)) or _order(node)
        if order is None:  # libcst's source is not there to read: its own walk
            node._visit_and_replace_children(visitor)
        else:
            for name in order:
                value = getattr(node, name)
                if isinstance(value, CSTNode):
                    _walk(value, visitor)
                elif isinstance(value, (tuple, list)):
                    for item in value:
                        if isinstance(item, CSTNode):
                            _walk(item, visitor)
    visitor.on_leave(node)


def _visits_every_field(node_type: type) -> bool:
    """Whether ``_visit_and_replace_children`` of the type calls its ``visit_*``
    helpers unconditionally (none under an ``if``, a conditional expression, a
    boolean operator or a loop), read from its source; False where the source
    cannot be read."""
    found = _EVERY_FIELD.get(node_type)
    if found is not None:
        return found
    try:
        source = textwrap.dedent(inspect.getsource(node_type._visit_and_replace_children))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        _EVERY_FIELD[node_type] = False
        _LEARNED[0] = True
        return False
    conditional = (ast.If, ast.IfExp, ast.BoolOp, ast.For, ast.While, ast.Try,
                   ast.comprehension, *((ast.Match,) if hasattr(ast, "Match") else ()))
    found = True

    def look(node: ast.AST, guarded: bool) -> None:
        nonlocal found
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id.startswith("visit_") and guarded:
            found = False
        for child in ast.iter_child_nodes(node):
            look(child, guarded or isinstance(node, conditional))

    look(tree, False)
    _EVERY_FIELD[node_type] = found
    _LEARNED[0] = True
    return found


def _walk_with_attributes(node: CSTNode, visitor: cst.CSTVisitor) -> None:
    """libcst's walk of a visitor, attribute callbacks included, without
    rebuilding the nodes it passes."""
    if visitor.on_visit(node):
        node_type = type(node)
        order = _ORDER.get(node_type) or _order(node)
        if order is None or not _visits_every_field(node_type):
            node._visit_and_replace_children(visitor)  # children: through visit, below
        else:
            for name in order:
                visitor.on_visit_attribute(node, name)
                value = getattr(node, name)
                if isinstance(value, CSTNode):
                    _walk_with_attributes(value, visitor)
                elif isinstance(value, (tuple, list)):
                    for item in value:
                        if isinstance(item, CSTNode):
                            _walk_with_attributes(item, visitor)
                visitor.on_leave_attribute(node, name)
    visitor.on_leave(node)


# Kept between runs (codemods/code_cache.py): each type's field order and whether it
# visits every field, which the first walk of a run otherwise reads from libcst's
# source (0.03 to 0.04 s of a worker's first file).
_TABLE = f"walk-{sys.implementation.cache_tag}.marshal"
_FACTS_VERSION = 1  # how _order and _visits_every_field find what they find
_STAMP: list = []  # the stamp when the table was read, for writing it back


def _stamp() -> Tuple[Any, ...]:
    """What the facts learnt depend on: how they are found here, libcst's
    version and its node modules (each file's name, size and modification time)."""
    folder = Path(cst.__file__).parent / "_nodes"
    files = []
    for path in sorted(folder.glob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        files.append((path.name, stat.st_size, stat.st_mtime_ns))
    return (_FACTS_VERSION, str(getattr(cst, "LIBCST_VERSION", "")), tuple(files))


def _type_name(node_type: type) -> str:
    return f"{node_type.__module__}:{node_type.__qualname__}"


def _node_type(name: Any) -> Optional[type]:
    if not isinstance(name, str):
        return None
    module, _, qualname = name.partition(":")
    found: Any = sys.modules.get(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, type) and issubclass(found, CSTNode) else None


def read_learned(folder: Optional[Path] = None) -> None:
    """The facts earlier runs learnt of this libcst's node types (nothing where
    the cache holds none, or another libcst's)."""
    from ..code_cache import read_table  # noqa: PLC0415

    stamp = _stamp()
    _STAMP[:] = [stamp]
    table = read_table(_TABLE, folder)
    if table.get("stamp") != stamp:
        return
    orders, every = table.get("order"), table.get("every")
    for name, order in (orders.items() if isinstance(orders, dict) else ()):
        node_type = _node_type(name)
        if node_type is not None and (order is None or (
                type(order) is tuple and set(order) <= {f.name for f in fields(node_type)})):
            _ORDER.setdefault(node_type, order)
    for name, visits in (every.items() if isinstance(every, dict) else ()):
        node_type = _node_type(name)
        if node_type is not None and type(visits) is bool:
            _EVERY_FIELD.setdefault(node_type, visits)


def write_learned(folder: Optional[Path] = None) -> None:
    """Keep what this process learnt, where it learnt anything."""
    from ..code_cache import write_table  # noqa: PLC0415

    if not _LEARNED[0]:
        return
    write_table(_TABLE, {
        "stamp": _STAMP[0] if _STAMP else _stamp(),  # libcst as it was when read
        "order": {_type_name(kind): order for kind, order in _ORDER.items()},
        "every": {_type_name(kind): visits for kind, visits in _EVERY_FIELD.items()},
    }, folder)
    _LEARNED[0] = False


def install() -> bool:
    """Make ``CSTNode.visit`` walk visitors without rebuilding (see the module's
    text); True when done."""
    original = CSTNode.visit
    if getattr(original, "original", None) is not None:
        return True

    def visit(self, visitor):
        if isinstance(visitor, cst.CSTVisitor):
            _walk_with_attributes(self, visitor)
            return self
        return original(self, visitor)

    visit.original = original  # type: ignore[attr-defined]
    CSTNode.visit = visit  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    """libcst's own ``CSTNode.visit`` again (tests compare the two)."""
    original = getattr(CSTNode.visit, "original", None)
    if original is not None:
        CSTNode.visit = original  # type: ignore[method-assign]
