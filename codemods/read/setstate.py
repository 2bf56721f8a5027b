"""``__setstate__`` that restores the dict and then runs some code.

    def __setstate__(self, state):
        self.__dict__.update(state)     # or vars(self).update(state)
        self._init_caches()             # -> @on_restore on _init_caches
        ...                             # anything else -> a new @on_restore method

The state may not be read after the update: what runs afterwards must depend
only on the restored object, as an ``@on_restore`` method does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Union

import libcst as cst
import libcst.matchers as m

from .common import (
    Unsupported,
    docstring_comments,
    footer_comments,
    header_comment,
    only_parameters,
    self_name,
    statement_comments,
)


@dataclass
class Restore:
    comments: List[cst.EmptyLine] = field(default_factory=list)
    # A method of the class to decorate with @on_restore, or
    existing_method: Optional[str] = None
    # the statements of a new @on_restore method (with their own comments).
    new_body: List[cst.BaseStatement] = field(default_factory=list)
    self_name: str = "self"


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
    update = m.SimpleStatementLine(body=[m.Expr(value=m.Call(
        func=m.Attribute(
            value=m.Attribute(value=m.Name(me), attr=m.Name("__dict__"))
            | m.Call(func=m.Name("vars"), args=[m.Arg(value=m.Name(me))]),
            attr=m.Name("update"),
        ),
        args=[m.Arg(value=m.Name(state), keyword=None, star="")],
    ))])
    if not body or not m.matches(body[0], update):
        return Unsupported(function, "__setstate__() does not start with self.__dict__.update(state)")
    result.comments.extend(statement_comments(body[0]))
    tail = body[1:]
    for statement in tail:
        if m.findall(statement, m.Name(state)):
            return Unsupported(statement, f"__setstate__() reads {state!r} after restoring it")
        if m.findall(statement, m.Return() | m.Yield()):
            return Unsupported(statement, "__setstate__() returns or yields")
    tail = [s for s in tail if not m.matches(s, m.SimpleStatementLine(body=[m.Pass()]))]
    single_call = m.SimpleStatementLine(body=[m.Expr(value=m.Call(
        func=m.Attribute(value=m.Name(me), attr=m.Name()), args=[]))])
    if len(tail) == 1 and m.matches(tail[0], single_call):
        method = tail[0].body[0].value.func.attr.value
        if method in method_names:
            result.existing_method = method
            result.comments.extend(statement_comments(tail[0]))
            result.comments.extend(footer_comments(function.body))
            return result
    result.new_body = tail
    result.comments.extend(footer_comments(function.body))
    return result
