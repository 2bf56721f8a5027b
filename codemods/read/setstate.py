"""``__setstate__`` that restores the dict and then runs some code.

    def __setstate__(self, state):
        self._lock = threading.Lock()   # before: only a member the state never holds
        self.__dict__.update(state)     # or vars(self).update(state), self.__dict__ = state,
                                        # super().__setstate__(state), Base.__setstate__(self, state)
        self._init_caches()             # -> @on_restore on _init_caches
        ...                             # anything else -> a new @on_restore method

After the restore, ``state["k"]`` is ``self.__dict__["k"]`` (when nothing in
between could have changed it), and is read so; any other use of the state
keeps the method as it was, with a reason that says what the state is used for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Set, Tuple, Union

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_full_name_for_node

from .common import (
    Unsupported,
    code,
    docstring_comments,
    footer_comments,
    header_comment,
    only_parameters,
    self_name,
    statement_comments,
    string_key,
)


@dataclass
class Restore:
    comments: List[cst.EmptyLine] = field(default_factory=list)
    # A method of the class to decorate with @on_restore, or
    existing_method: Optional[str] = None
    # the statements of a new @on_restore method (with their own comments).
    new_body: List[cst.BaseStatement] = field(default_factory=list)
    self_name: str = "self"
    # How the state is restored: "update", "assign" (self.__dict__ = state), "super"
    # (super().__setstate__(state)) or the dotted name of the base whose
    # __setstate__ is called.
    how: str = "update"
    # Members that statements before the restore set: they move after it, which is
    # the same only if the state never holds them.
    set_before: Tuple[str, ...] = ()
    # Members read from the state after the restore, now read from self.
    read_after: Tuple[str, ...] = ()


def _restores(me: str, state: str):
    """The statement that restores the state, and how."""
    arg = m.Arg(value=m.Name(state), keyword=None, star="")
    dict_of_self = m.Attribute(value=m.Name(me), attr=m.Name("__dict__")) | m.Call(
        func=m.Name("vars"), args=[m.Arg(value=m.Name(me), keyword=None, star="")])
    return {
        "update": m.Expr(value=m.Call(func=m.Attribute(value=dict_of_self, attr=m.Name("update")),
                                      args=[arg])),
        "assign": m.Assign(targets=[m.AssignTarget(
            target=m.Attribute(value=m.Name(me), attr=m.Name("__dict__")))], value=m.Name(state)),
        "super": m.Expr(value=m.Call(func=m.Attribute(
            value=m.Call(func=m.Name("super"), args=[]), attr=m.Name("__setstate__")), args=[arg])),
        "base": m.Expr(value=m.Call(
            func=m.Attribute(value=m.Name() | m.Attribute(), attr=m.Name("__setstate__")),
            args=[m.Arg(value=m.Name(me), keyword=None, star=""), arg])),
    }


def _how(line: cst.BaseStatement, me: str, state: str) -> Optional[str]:
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    for how, matcher in _restores(me, state).items():
        if m.matches(line.body[0], matcher):
            if how == "base":
                return get_full_name_for_node(line.body[0].value.func.value)
            return how
    return None


def read_setstate(function: cst.FunctionDef, method_names) -> Union[Restore, Unsupported]:
    if function.decorators:
        return Unsupported(function, "__setstate__() is decorated")
    if not only_parameters(function, 2) or not isinstance(function.body, cst.IndentedBlock):
        return Unsupported(function, "__setstate__() does not have the (self, state) form")
    params = list(function.params.posonly_params) + list(function.params.params)
    me, state = self_name(function), params[1].name.value
    result = Restore(self_name=me, comments=header_comment(function.body))
    body = list(function.body.body)
    doc = docstring_comments(body[0]) if body else None
    if doc is not None:
        result.comments.extend(doc)
        body = body[1:]
    at = next((i for i, line in enumerate(body) if _how(line, me, state)), None)
    if at is None:
        return _why_not(function, body, me, state)
    result.how = _how(body[at], me, state)
    before = _read_before(body[:at], me, state)
    if isinstance(before, Unsupported):
        return before
    result.set_before = tuple(name for name, _ in before)
    result.comments.extend(statement_comments(body[at]))
    tail = [s for s in body[at + 1:] if not m.matches(s, m.SimpleStatementLine(body=[m.Pass()]))]
    for statement in tail:
        if m.findall(statement, m.Return() | m.Yield() | m.Await()):
            return Unsupported(statement, "__setstate__() returns, yields or awaits")
    tail = _read_state_as_self(tail, me, state)
    if isinstance(tail, Unsupported):
        return tail
    tail, result.read_after = tail
    moved = [statement for _, statement in before]
    single_call = m.SimpleStatementLine(body=[m.Expr(value=m.Call(
        func=m.Attribute(value=m.Name(me), attr=m.Name()), args=[]))])
    if not moved and len(tail) == 1 and m.matches(tail[0], single_call):
        method = tail[0].body[0].value.func.attr.value
        if method in method_names:
            result.existing_method = method
            result.comments.extend(statement_comments(tail[0]))
            result.comments.extend(footer_comments(function.body))
            return result
    result.new_body = [*moved, *tail]
    result.comments.extend(footer_comments(function.body))
    return result


def _read_before(lines, me: str, state: str):
    """Statements before the restore: ``self.<name> = <value>`` each, where the
    value uses neither ``self`` nor the state; [(name, statement)] or Unsupported."""
    found = []
    for line in lines:
        if m.findall(line, m.Name(state)):
            return Unsupported(line, "__setstate__() reads or edits the state before restoring "
                                     "it (e.g. to fill in members older pickles lack); no "
                                     "declaration says that")
        target = m.AssignTarget(target=m.Attribute(value=m.Name(me), attr=m.Name()))
        if not m.matches(line, m.SimpleStatementLine(body=[m.Assign(targets=[target])])) or \
                m.findall(line.body[0].value, m.Name(me)):
            return Unsupported(line, "__setstate__() runs code before restoring the state: "
                                     f"{code(line).strip()}")
        found.append((line.body[0].targets[0].target.attr.value, line))
    return found


class _StateAsSelf(cst.CSTTransformer):
    """``state["k"]`` -> ``self.__dict__["k"]`` where it is read; counts every other use."""

    def __init__(self, me: str, state: str) -> None:
        super().__init__()
        self.me, self.state = me, state
        self.read: List[str] = []
        self.other_uses = 0
        self._targets = 0

    def visit_AssignTarget(self, node) -> None:
        self._targets += 1

    def leave_AssignTarget(self, original, updated):
        self._targets -= 1
        return updated

    def visit_Del(self, node) -> None:
        self._targets += 1

    def leave_Del(self, original, updated):
        self._targets -= 1
        return updated

    def leave_Subscript(self, original: cst.Subscript, updated):
        if self._targets or not m.matches(original, m.Subscript(
                value=m.Name(self.state),
                slice=[m.SubscriptElement(slice=m.Index(value=m.SimpleString()))])):
            return updated
        key = string_key(original.slice[0].slice.value)
        if key is None:
            return updated
        self.read.append(key)
        self.other_uses -= 1  # the state's name inside it, counted on the way up
        # self.__dict__["k"], not self.k: the same KeyError where the member is
        # missing, and no class attribute or property found in its place.
        return updated.with_changes(value=cst.Attribute(value=cst.Name(self.me),
                                                        attr=cst.Name("__dict__")))

    def leave_Name(self, original: cst.Name, updated):
        if original.value == self.state:
            self.other_uses += 1
        return updated


def _writes(statement, me: str, members: Set[str]) -> bool:
    """Could ``statement`` change ``self.<member>``: an assignment or deletion of
    it, or a call that could (a method of self, setattr, delattr)?"""
    member = m.Attribute(value=m.Name(me), attr=m.OneOf(*[m.Name(k) for k in members]))
    if m.findall(statement, m.AssignTarget(target=member) | m.AugAssign(target=member)
                 | m.AnnAssign(target=member) | m.Del(target=member)):
        return True
    return bool(m.findall(statement, m.Call(func=m.Attribute(value=m.Name(me))
                                          | m.Name("setattr") | m.Name("delattr"))))


def _read_state_as_self(tail, me: str, state: str):
    """The tail with ``state["k"]`` read as ``self.__dict__["k"]``, and the members
    read; or Unsupported when the state is used otherwise, or the member may have
    changed before it is read."""
    if not any(m.findall(statement, m.Name(state)) for statement in tail):
        return tail, ()
    for statement in tail:
        for inner in m.findall(statement, m.Lambda() | m.FunctionDef() | m.ClassDef()):
            if m.findall(inner, m.Name(state)):
                return Unsupported(statement, f"__setstate__() keeps {state!r} in a function "
                                              "that runs after the restore")
    new_tail, read = [], []
    last_read = max(i for i, s in enumerate(tail) if m.findall(s, m.Name(state)))
    for statement in tail:
        transformer = _StateAsSelf(me, state)
        new = statement.visit(transformer)
        if transformer.other_uses:
            return Unsupported(statement, _state_use(statement, state))
        new_tail.append(new)
        read.extend(transformer.read)
    members = set(read)
    for statement in tail[:last_read]:
        if _writes(statement, me, members):
            return Unsupported(statement, f"__setstate__() reads {state!r} after code that may "
                                          f"change {', '.join(sorted(members))}")
    if m.findall(tail[last_read], m.AssignTarget(target=m.Attribute(
            value=m.Name(me), attr=m.OneOf(*[m.Name(k) for k in members])))):
        return Unsupported(tail[last_read], f"__setstate__() reads {state!r} where it sets "
                                            f"{', '.join(sorted(members))}")
    return new_tail, tuple(dict.fromkeys(read))


def _state_use(statement, state: str) -> str:
    """Why a use of the state after the restore keeps the method, precisely."""
    if m.findall(statement, m.Call(func=m.Attribute(value=m.Name(state), attr=m.Name("get")))):
        return (f"__setstate__() reads {state}.get(...) after restoring it (a default for a "
                "member older pickles lack); no declaration says that")
    if m.findall(statement, m.Comparison(comparisons=[m.AtLeastN(n=1, matcher=m.ComparisonTarget(
            operator=m.In() | m.NotIn(), comparator=m.Name(state)))])):
        return f"__setstate__() checks which members {state!r} holds after restoring it"
    return f"__setstate__() uses {state!r} after restoring it: {code(statement).strip()}"


def _why_not(function, body, me: str, state: str) -> Unsupported:
    """The precise reason a ``__setstate__`` without a restore statement stays."""
    first = body[0] if body else function
    tuple_state = m.Tuple() | m.List()
    if any(m.findall(line, m.Assign(targets=[m.AssignTarget(target=tuple_state)],
                                    value=m.Name(state))) for line in body) or any(
            m.findall(line, m.Subscript(value=m.Name(state), slice=[m.SubscriptElement(
                slice=m.Index(value=m.Integer()))])) for line in body):
        return Unsupported(first, "__setstate__() reads the state as a tuple or list: that "
                                  "pickle format is not a dict, and saved pickles must keep "
                                  "loading")
    if any(m.findall(line, m.Call(func=m.Name("setattr"))) for line in body) and any(
            m.findall(line, m.For()) for line in body):
        return Unsupported(first, "__setstate__() sets the members one by one with setattr(), "
                                  "which runs properties and __setattr__; the interface "
                                  "restores __dict__ directly")
    if any(m.findall(line, m.Call(func=m.Attribute(value=m.Name(me), attr=m.Name("__init__"))))
           for line in body):
        return Unsupported(first, "__setstate__() calls __init__ again")
    if any(m.findall(line, m.Attribute(value=m.Name(me), attr=m.Name("__dict__")))
           for line in body):
        return Unsupported(first, "__setstate__() edits self.__dict__ otherwise than by "
                                  "restoring the whole state")
    what = code(first).strip().splitlines()[0] if body else "nothing"
    return Unsupported(first, "__setstate__() does not restore the state with "
                              f"self.__dict__.update({state}) or super().__setstate__({state}); "
                              f"it starts with: {what}")
