"""State builders: ``__getstate__`` and job-state methods that copy the
instance ``__dict__``, edit the copy in straight-line code and return it.

    state = self.__dict__.copy()        # or dict(...), copy.copy(...), vars(self).copy(), {**...}
    del state["a"]                      # -> @clear("a")
    state.pop("b", None)                # -> @clear("b", missing_ok=True)
    assert "c" in state
    state["c"] = None                   # -> @clear("c", value=None)
    state["d"] = {}                     # -> @clear("d", factory=dict, missing_ok=True)
    return state                        # the method goes
    return self.kind, state             # the method stays: return self.kind, job_state(self)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Union

import libcst as cst
import libcst.matchers as m

from ..policy import Clear
from .common import (
    Unsupported,
    docstring_comments,
    empty_container_factory,
    footer_comments,
    header_comment,
    is_constant,
    code,
    only_parameters,
    self_name,
    statement_comments,
    string_key,
)


@dataclass
class Entry:
    """One declaration and the comments that explained the statements it replaces."""

    clear: Clear
    comments: List[cst.EmptyLine]


@dataclass
class StateBuilder:
    entries: List[Entry] = field(default_factory=list)
    # Comments that belong to the method as a whole (above it, on the copy, on the return).
    comments: List[cst.EmptyLine] = field(default_factory=list)
    # Comments on the return and below it: they close the method.
    closing: List[cst.EmptyLine] = field(default_factory=list)
    # For `return <expr>, state`: the returned tuple, whose last element is the state.
    returned_tuple: Optional[cst.Tuple] = None
    self_name: str = "self"
    scope: str = "ALWAYS"

    @property
    def method_stays(self) -> bool:
        return self.returned_tuple is not None


def _dict_of_self(self_name: str):
    """``self.__dict__`` or ``vars(self)``."""
    return m.Attribute(value=m.Name(self_name), attr=m.Name("__dict__")) | m.Call(
        func=m.Name("vars"), args=[m.Arg(value=m.Name(self_name), keyword=None)]
    )


def _copy_of(dict_of_self):
    return (
        m.Call(func=m.Attribute(value=dict_of_self, attr=m.Name("copy")), args=[])
        | m.Call(func=m.Name("dict"), args=[m.Arg(value=dict_of_self, keyword=None, star="")])
        | m.Call(
            func=m.Attribute(value=m.Name("copy"), attr=m.Name("copy")) | m.Name("copy"),
            args=[m.Arg(value=dict_of_self, keyword=None, star="")],
        )
        | m.Dict(elements=[m.StarredDictElement(value=dict_of_self)])
    )


def _small_statements(body: List[cst.BaseStatement]):
    """(statement line, small statement, is first on its line) in order, or the
    compound statement that stops the reading."""
    for line in body:
        if not isinstance(line, cst.SimpleStatementLine):
            yield line, None
            continue
        for small in line.body:
            yield line, small


_COMPOUND_REASONS = {
    cst.If: "has a condition",
    cst.For: "has a loop",
    cst.While: "has a loop",
    cst.Try: "has a try block",
    cst.With: "has a with block",
}


def read_state_builder(
    function: cst.FunctionDef, scope: str, allow_tuple: bool
) -> Union[StateBuilder, Unsupported]:
    """Read one state builder into clears of ``scope``."""
    name = function.name.value
    if function.decorators:
        return Unsupported(function, f"{name}() is decorated")
    if not only_parameters(function, 1):
        return Unsupported(function, f"{name}() takes parameters besides self")
    if not isinstance(function.body, cst.IndentedBlock):
        return Unsupported(function, f"{name}() is written on one line")
    me = self_name(function)
    result = StateBuilder(self_name=me, comments=header_comment(function.body), scope=scope)
    dict_of_self = _dict_of_self(me)
    body = list(function.body.body)
    doc = docstring_comments(body[0]) if body else None
    if doc is not None:
        result.comments.extend(doc)
        body = body[1:]

    state: Optional[str] = None  # the copy's variable
    direct = False  # the variable is self.__dict__ itself, not a copy
    guarded = {}  # key -> comments of its `assert "key" in state`
    seen = set()
    returned = False
    for line, small in _small_statements(body):
        if small is None:
            reason = _COMPOUND_REASONS.get(type(line), "has a statement that is not a plain edit")
            return Unsupported(line, f"{name}() {reason}; only straight-line edits are migrated")
        if returned:
            return Unsupported(line, f"{name}() has code after its return")
        comments = statement_comments(line) if small is line.body[0] else []
        if isinstance(small, cst.Pass):
            result.comments.extend(comments)
            continue
        if state is None:
            # The first statement: the copy, or an immediate return.
            if m.matches(small, m.Assign(targets=[m.AssignTarget(target=m.Name())])):
                if m.matches(small.value, _copy_of(dict_of_self)):
                    state, direct = small.targets[0].target.value, False
                elif m.matches(small.value, dict_of_self):
                    state, direct = small.targets[0].target.value, True
                else:
                    return Unsupported(small, f"{name}() does not start from a copy of self.__dict__")
                result.comments.extend(comments)
                continue
            if isinstance(small, cst.Return):
                return _read_return(small, name, None, dict_of_self, allow_tuple, result, comments)
            return Unsupported(small, f"{name}() does not start from a copy of self.__dict__")
        if isinstance(small, cst.Return):
            if direct and result.entries:
                return Unsupported(small, f"{name}() edits self.__dict__ itself, not a copy")
            outcome = _read_return(small, name, state, dict_of_self, allow_tuple, result, comments)
            if isinstance(outcome, Unsupported):
                return outcome
            returned = True
            continue
        edit = _read_edit(small, state, name, guarded, comments)
        if isinstance(edit, Unsupported):
            return edit
        if edit is None:
            continue  # an assert: its comments wait for the edit it guards
        key, clear, comments = edit
        if key in seen:
            return Unsupported(small, f"{name}() edits {key!r} more than once")
        seen.add(key)
        result.entries.append(Entry(clear(scope), comments))
    if not returned:
        return Unsupported(function, f"{name}() does not return its state")
    if direct and result.entries:
        return Unsupported(function, f"{name}() edits self.__dict__ itself, not a copy")
    for key in guarded:
        if key not in seen:
            return Unsupported(function, f"{name}() asserts {key!r} is present but never edits it")
    result.closing.extend(footer_comments(function.body))
    return result


def _read_return(node: cst.Return, name, state, dict_of_self, allow_tuple, result, comments):
    returned_state = m.Name(state) if state else m.Name("__never__")
    returns_state = returned_state | dict_of_self
    value = node.value
    if value is not None and m.matches(value, returns_state):
        result.closing.extend(comments)
        return result
    if value is not None and m.matches(
        value, m.Tuple(elements=[m.ZeroOrMore(), m.Element(value=returns_state)])
    ) and len(value.elements) >= 2:
        if not allow_tuple:
            return Unsupported(node, f"{name}() returns a tuple state ({code(value)}), not a dict")
        if state and any(m.findall(element, m.Name(state)) for element in value.elements[:-1]):
            return Unsupported(node, f"{name}() returns {code(value)}: the other values read "
                                     f"{state!r}, which the method would no longer build")
        result.returned_tuple = value
        result.closing.extend(comments)
        return result
    return Unsupported(node, f"{name}() returns {code(value) if value else 'nothing'}, "
                             "not the edited copy of self.__dict__")


def _read_edit(small, state, name, guarded, comments):
    """One edit of the copy: (key, Clear-maker, comments), None for an assert
    guard, or Unsupported."""
    subscript_of_state = m.Subscript(
        value=m.Name(state), slice=[m.SubscriptElement(slice=m.Index(value=m.SimpleString()))]
    )
    if m.matches(small, m.Del(target=subscript_of_state)):
        key = string_key(small.target.slice[0].slice.value)
        if key is not None:
            return key, lambda scope: Clear(key, scope), guarded.pop(key, []) + comments
    if m.matches(
        small,
        m.Expr(value=m.Call(
            func=m.Attribute(value=m.Name(state), attr=m.Name("pop")),
            args=[m.Arg(value=m.SimpleString(), keyword=None), m.Arg(value=m.Name("None"), keyword=None)],
        )),
    ):
        key = string_key(small.value.args[0].value)
        if key is not None:
            return key, lambda scope: Clear(key, scope, missing_ok=True), comments
    if m.matches(
        small,
        m.Assert(test=m.Comparison(
            left=m.SimpleString(),
            comparisons=[m.ComparisonTarget(operator=m.In(), comparator=m.Name(state))],
        )),
    ):
        key = string_key(small.test.left)
        if key is not None:
            guarded[key] = comments
            return None
    if m.matches(small, m.Assign(targets=[m.AssignTarget(target=subscript_of_state)])):
        key = string_key(small.targets[0].target.slice[0].slice.value)
        if key is None:
            return Unsupported(small, f"{name}() uses a key that is not a plain string")
        missing_ok = key not in guarded
        comments = guarded.pop(key, []) + comments
        value = small.value
        factory = empty_container_factory(value)
        if factory is not None:
            return key, lambda scope: Clear(key, scope, factory=factory, missing_ok=missing_ok), comments
        if is_constant(value):
            text = code(value)
            return key, lambda scope: Clear(key, scope, value=text, missing_ok=missing_ok), comments
        return Unsupported(small, f"{name}() sets {key!r} to a computed value ({code(value)})")
    return Unsupported(small, f"{name}() has a statement that is not a plain edit: {code(small).strip()}")
