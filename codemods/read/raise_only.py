"""A ``__getstate__`` whose body only raises: the class refuses pickling.

    def __getstate__(self):
        raise TypeError("Scheduler objects should not be pickled.")

becomes ``class Scheduler(JobUnserializable, reason="...")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import libcst as cst
import libcst.matchers as m

from .common import code, docstring_comments, footer_comments, statement_comments


@dataclass
class Refusal:
    reason: Optional[cst.BaseExpression]  # the message, as written
    comments: List[cst.EmptyLine] = field(default_factory=list)

    @property
    def reason_text(self) -> Optional[str]:
        return code(self.reason) if self.reason is not None else None


def read_raise_only(function: cst.FunctionDef) -> Optional[Refusal]:
    """A Refusal when the body is (a docstring and) one ``raise``, else None."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    body = list(function.body.body)
    comments: List[cst.EmptyLine] = []
    doc = docstring_comments(body[0]) if body else None
    if doc is not None:
        comments.extend(doc)
        body = body[1:]
    if len(body) != 1 or not m.matches(body[0], m.SimpleStatementLine(body=[m.Raise()])):
        return None
    exc = body[0].body[0].exc
    reason = None
    if m.matches(exc, m.Call(args=[m.Arg(keyword=None, star="")])):
        reason = exc.args[0].value
    elif exc is not None and not isinstance(exc, (cst.Name, cst.Attribute, cst.Call)):
        return None
    comments.extend(statement_comments(body[0]))
    comments.extend(footer_comments(function.body))
    return Refusal(reason, comments)
