"""A ``__getstate__`` whose body only raises: the class refuses pickling.

    def __getstate__(self):
        raise TypeError("Scheduler objects should not be pickled.")

becomes ``class Scheduler(JobUnserializable, reason="...")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Union

import libcst as cst
import libcst.matchers as m

from .common import (
    Unsupported,
    code,
    docstring_comments,
    footer_comments,
    header_comment,
    is_constant,
    statement_comments,
)


@dataclass
class Refusal:
    reason: Optional[cst.BaseExpression]  # the message, as written
    comments: List[cst.EmptyLine] = field(default_factory=list)

    @property
    def reason_text(self) -> Optional[str]:
        return code(self.reason) if self.reason is not None else None


def read_raise_only(function: cst.FunctionDef) -> Union[Refusal, Unsupported, None]:
    """A Refusal when the body is (a docstring and) one ``raise TypeError(<constant>)``;
    Unsupported for another raise-only body; None when it does not only raise."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    body = list(function.body.body)
    comments: List[cst.EmptyLine] = header_comment(function.body)
    doc = docstring_comments(body[0]) if body else None
    if doc is not None:
        comments.extend(doc)
        body = body[1:]
    if len(body) != 1 or not m.matches(body[0], m.SimpleStatementLine(body=[m.Raise()])):
        return None
    exc = body[0].body[0].exc
    reason = None
    raised = exc.func if isinstance(exc, cst.Call) else exc
    if not m.matches(raised, m.Name("TypeError")):
        return Unsupported(body[0], f"{function.name.value}() raises "
                                    f"{code(raised) if raised is not None else 'again'}; "
                                    "JobUnserializable raises a TypeError, so an existing "
                                    "handler of that exception would no longer catch it")
    if isinstance(exc, cst.Call):
        if exc.args and not (len(exc.args) == 1 and m.matches(exc.args[0], m.Arg(keyword=None, star=""))
                             and is_constant(exc.args[0].value)):
            return Unsupported(body[0], f"{function.name.value}() raises with a message that is "
                                        "not a constant; a class keyword cannot refer to the object")
        reason = exc.args[0].value if exc.args else None
    comments.extend(statement_comments(body[0]))
    comments.extend(footer_comments(function.body))
    return Refusal(reason, comments)
