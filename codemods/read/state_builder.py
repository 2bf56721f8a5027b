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
from functools import partial
from typing import List, Optional, Union

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_full_name_for_node

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
    # Where the state came from: None for a copy of self.__dict__, "super" for
    # super().<method>(), or the dotted name of the base whose <method>(self) it calls.
    inherits: Optional[str] = None

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


def _inherited_state(self_name: str, method: str):
    """``super().<method>()`` or ``Base.<method>(self)``, or a ``.copy()`` of it."""
    call = m.Call(func=m.Attribute(value=m.Call(func=m.Name("super"), args=[]),
                                   attr=m.Name(method)), args=[]) | m.Call(
        func=m.Attribute(value=m.Name() | m.Attribute(), attr=m.Name(method)),
        args=[m.Arg(value=m.Name(self_name), keyword=None, star="")])
    return call | m.Call(func=m.Attribute(value=call, attr=m.Name("copy")), args=[])


def _inherits(value: cst.Call) -> str:
    if m.matches(value.func, m.Attribute(attr=m.Name("copy"))) and not value.args:
        value = value.func.value  # super().__getstate__().copy()
    owner = value.func.value
    return "super" if isinstance(owner, cst.Call) else get_full_name_for_node(owner)


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
    literals = {}  # local name -> the literal list of member names it holds

    def add(edits, node, comments) -> Optional[Unsupported]:
        for key, clear in edits:
            if key in seen:
                return Unsupported(node, f"{name}() edits {key!r} more than once")
            seen.add(key)
            result.entries.append(Entry(clear(scope), comments if key == edits[0][0] else []))
        return None

    for line, small in _small_statements(body):
        if small is None and state is not None and not returned and isinstance(
                line, (cst.For, cst.If, cst.Try)):
            edits = _read_compound(line, state, name, literals)
            problem = edits if isinstance(edits, Unsupported) else add(
                edits, line, statement_comments(line))
            if problem is not None:
                return problem
            continue
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
                elif m.matches(small.value, _inherited_state(me, name)):
                    state, direct = small.targets[0].target.value, False
                    result.inherits = _inherits(small.value)
                else:
                    return Unsupported(small, _start_reason(name, small.value, me))
                result.comments.extend(comments)
                continue
            if isinstance(small, cst.Return):
                if small.value is not None and m.matches(small.value, _inherited_state(me, name)):
                    result.inherits = _inherits(small.value)
                    result.closing.extend(comments)
                    returned = True
                    state = "__never__"
                    continue
                merged = _read_merged_dict(small.value, me, name, dict_of_self)
                if merged is not None:
                    if isinstance(merged, Unsupported):
                        return merged
                    result.inherits, edits = merged
                    problem = add(edits, small, comments)  # they explained the edits
                    if problem is not None:
                        return problem
                    returned = True
                    state = "__never__"
                    continue
                return _read_return(small, name, None, dict_of_self, allow_tuple, result, comments)
            return Unsupported(small, _start_reason(name, small, me))
        if isinstance(small, cst.Return):
            if direct and result.entries:
                return Unsupported(small, f"{name}() edits self.__dict__ itself, not a copy")
            outcome = _read_return(small, name, state, dict_of_self, allow_tuple, result, comments)
            if isinstance(outcome, Unsupported):
                return outcome
            returned = True
            continue
        if m.matches(small, m.Expr(value=m.ListComp() | m.SetComp() | m.GeneratorExp())):
            edits = _read_comprehension(small.value, state, name, literals)
            problem = edits if isinstance(edits, Unsupported) else add(edits, small, comments)
            if problem is not None:
                return problem
            continue
        if m.matches(small, m.Assign(targets=[m.AssignTarget(target=m.Name())])) and \
                _literal_names(small.value) is not None and \
                small.targets[0].target.value not in (state, me):
            literals[small.targets[0].target.value] = _literal_names(small.value)
            result.comments.extend(comments)
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
    for variable in literals:
        # Read by exactly one loop or comprehension, and used nowhere else.
        if len(m.findall(function.body, m.Name(variable))) != 2:
            return Unsupported(function, f"{name}() uses the list {variable!r} other than as the "
                                         "names one loop deletes")
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
    # As a statement, pop's result goes unused: with a default it is a clear that may
    # miss, without one a clear that raises KeyError, as del does.
    deleted = _deletion(small, state, m.SimpleString())
    key = string_key(deleted[0]) if deleted is not None else None
    if key is not None:
        return key, partial(_clear_maker, key, deleted[1]), guarded.pop(key, []) + comments
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


def _is_plain_value(node: cst.BaseExpression) -> bool:
    """A default whose evaluation has no effect (so dropping it changes nothing)."""
    return is_constant(node) or isinstance(node, cst.Name) or empty_container_factory(node) \
        is not None


def _literal_names(node: cst.BaseExpression) -> Optional[List[str]]:
    """The strings of a literal tuple, list or set of plain strings."""
    if not isinstance(node, (cst.Tuple, cst.List, cst.Set)) or not node.elements:
        return None
    names = []
    for element in node.elements:
        key = string_key(element.value) if isinstance(element, cst.Element) else None
        if key is None:
            return None
        names.append(key)
    return names if len(set(names)) == len(names) else None


def _deletion(small, state: str, key):
    """Whether ``small`` deletes ``key`` (a matcher) from the state: ``del state[k]`` or
    ``state.pop(k)`` (strict), ``state.pop(k, <plain default>)`` (may miss); as
    (matched key node, missing_ok), else None."""
    subscript = m.Subscript(value=m.Name(state), slice=[m.SubscriptElement(
        slice=m.Index(value=key))])
    if m.matches(small, m.Del(target=subscript)):
        return small.target.slice[0].slice.value, False
    pop = m.Call(func=m.Attribute(value=m.Name(state), attr=m.Name("pop")), args=[
        m.Arg(value=key, keyword=None, star=""), m.ZeroOrOne(m.Arg(keyword=None, star=""))])
    if m.matches(small, m.Expr(value=pop)):
        args = small.value.args
        if len(args) == 2 and not _is_plain_value(args[1].value):
            return None
        return args[0].value, len(args) == 2
    return None


def _only_statement(block) -> Optional[cst.CSTNode]:
    """The one small statement of a block (``x`` in ``if c: x``), else None."""
    lines = block.body if isinstance(block, cst.IndentedBlock) else [block]
    if len(lines) != 1 or not isinstance(lines[0], (cst.SimpleStatementLine,
                                                    cst.SimpleStatementSuite)):
        return None
    return lines[0].body[0] if len(lines[0].body) == 1 else None


def _guarded_deletion(line, state: str, key):
    """A deletion that may miss, written with a guard: ``if k in state: del state[k]``
    or ``try: del state[k]`` / ``except KeyError: pass``.  The key node, or None."""
    if isinstance(line, cst.If) and line.orelse is None and m.matches(line.test, m.Comparison(
            left=key, comparisons=[m.ComparisonTarget(operator=m.In(),
                                                      comparator=m.Name(state))])):
        deleted = _deletion(_only_statement(line.body), state, key)
        if deleted is not None and code(deleted[0]) == code(line.test.left):
            return deleted[0]
    if isinstance(line, cst.Try) and line.orelse is None and line.finalbody is None and \
            len(line.handlers) == 1 and m.matches(line.handlers[0], m.ExceptHandler(
                type=m.Name("KeyError") | m.Tuple(elements=[m.Element(m.Name("KeyError"))]),
                name=None)) and m.matches(_only_statement(line.handlers[0].body), m.Pass()):
        deleted = _deletion(_only_statement(line.body), state, key)
        if deleted is not None:
            return deleted[0]
    return None


def _read_compound(line, state: str, name: str, literals):
    """A compound statement that only deletes members: a guarded deletion of one
    named member, or a loop over a literal list of names; [(key, Clear-maker)] or
    Unsupported."""
    if isinstance(line, cst.For):
        return _read_loop(line, state, name, literals)
    guarded = _guarded_deletion(line, state, m.SimpleString())
    key = string_key(guarded) if guarded is not None else None
    if key is not None:
        return [(key, partial(_clear_maker, key, True))]
    reason = _COMPOUND_REASONS[type(line)]
    return Unsupported(line, f"{name}() {reason}; only straight-line edits (and deletions "
                             "guarded by `if k in state` or `except KeyError`) are migrated")


def _read_loop(line: cst.For, state: str, name: str, literals):
    """``for k in ("a", "b"): del state[k]`` (or ``state.pop(k)``, ``state.pop(k, None)``,
    a deletion guarded by ``if k in state`` or ``except KeyError``; the names may be a
    local literal list): [(key, Clear-maker)] in order, or Unsupported."""
    names = _names_of(line.iter, literals)
    body = line.body.body if isinstance(line.body, cst.IndentedBlock) else [line.body]
    if (names is None or not isinstance(line.target, cst.Name) or line.orelse is not None
            or line.asynchronous is not None or len(body) != 1):
        return Unsupported(line, f"{name}() has a loop; only straight-line edits, and loops "
                                 "over a literal list of names that delete or pop each, are "
                                 "migrated")
    variable = m.Name(line.target.value)
    if isinstance(body[0], (cst.If, cst.Try)):
        if _guarded_deletion(body[0], state, variable) is None:
            return Unsupported(line, f"{name}() has a loop over names whose body is not a "
                                     f"plain deletion: {code(body[0]).strip().splitlines()[0]}")
        return [(key, partial(_clear_maker, key, True)) for key in names]
    small = _only_statement(line.body)
    return _clears_over(line, names, line.target.value, small, state, name)


def _names_of(node, literals) -> Optional[List[str]]:
    if isinstance(node, cst.Name):
        return literals.get(node.value)
    return _literal_names(node)


def _read_comprehension(node, state: str, name: str, literals):
    """``[state.pop(k, None) for k in ("a", "b")]`` as a statement: as the loop."""
    loop = node.for_in
    names = _names_of(loop.iter, literals)
    if (names is None or not isinstance(loop.target, cst.Name) or loop.ifs
            or loop.inner_for_in is not None or loop.asynchronous is not None):
        return Unsupported(node, f"{name}() edits the state in a comprehension that is not a "
                                 "pop over a literal list of names")
    return _clears_over(node, names, loop.target.value, cst.Expr(node.elt), state, name)


def _clears_over(node, names, variable: str, small, state: str, name: str):
    """The clears of ``small`` (an edit naming the key ``variable``) for each name."""
    deleted = _deletion(small, state, m.Name(variable)) if small is not None else None
    if deleted is None:
        what = code(small).strip() if small is not None else "several statements"
        return Unsupported(node, f"{name}() has a loop over names whose body is not a plain "
                                 f"deletion: {what}")
    return [(key, partial(_clear_maker, key, deleted[1])) for key in names]


def _clear_maker(key: str, missing_ok: bool, scope: str) -> Clear:
    return Clear(key, scope, missing_ok=missing_ok)


def _read_merged_dict(value, me: str, name: str, dict_of_self):
    """``{**self.__dict__, "k": None, "cache": {}}`` (or ``{**super().__getstate__(), ...}``):
    (inherits, [(key, Clear-maker)]), Unsupported for such a dict with another value, or
    None for anything else."""
    if not isinstance(value, cst.Dict) or not value.elements or not m.matches(
            value.elements[0], m.StarredDictElement(value=dict_of_self | _inherited_state(
                me, name))):
        return None
    first = value.elements[0].value
    inherits = None if m.matches(first, dict_of_self) else _inherits(first)
    edits = []
    for element in value.elements[1:]:
        key = string_key(element.key) if isinstance(element, cst.DictElement) else None
        if key is None:
            return Unsupported(value, f"{name}() merges self.__dict__ with a key that is not a "
                                      "plain string")
        factory = empty_container_factory(element.value)
        if factory is not None:
            edits.append((key, partial(_set_maker, key, None, factory)))
        elif is_constant(element.value):
            edits.append((key, partial(_set_maker, key, code(element.value), None)))
        else:
            return Unsupported(element, f"{name}() sets {key!r} to a computed value "
                                        f"({code(element.value)})")
    return inherits, edits


def _set_maker(key: str, value: Optional[str], factory: Optional[str], scope: str) -> Clear:
    # Set whether or not the member was there: as the merged dict does.
    return Clear(key, scope, value=value, factory=factory, missing_ok=True)


def _start_reason(name: str, node: cst.CSTNode, me: str) -> str:
    """Why a state builder's first statement is not one we read, precisely."""
    value = node.value if isinstance(node, (cst.Assign, cst.Return)) else node
    if isinstance(value, cst.Dict) or m.matches(value, m.Call(func=m.Name("dict"))):
        return (f"{name}() builds a dict of chosen members ({code(value).strip()[:60]}): that "
                "pickle format is not self.__dict__ with edits, and saved pickles must keep "
                "loading")
    if isinstance(value, (cst.DictComp,)):
        return f"{name}() filters self.__dict__ with a comprehension; no declaration says that"
    if isinstance(value, (cst.Tuple, cst.List)):
        return (f"{name}() builds a tuple or list state: that pickle format is not a dict, "
                "and saved pickles must keep loading")
    if m.matches(value, m.Call(func=m.Attribute(attr=m.Name("__getstate__")))):
        return (f"{name}() starts from another class's __getstate__ "
                f"({code(value).strip()}); only super().{name}() is read")
    text = code(node).strip().splitlines()[0] if not isinstance(node, cst.FunctionDef) else ""
    return f"{name}() does not start from a copy of self.__dict__: {text}"
