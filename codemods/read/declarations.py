"""Declarations read back into a policy: the other half of the self-check.

``migrate`` derives a policy from the old hooks, writes declarations, then
reads its own output with this module and compares the two policies.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst
import libcst.matchers as m

from ..policy import ALWAYS, Clear, ClassPolicy, mangle
from .common import code, string_key


def _keyword(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def read_declarations(node: cst.ClassDef) -> ClassPolicy:
    name = node.name.value
    policy = ClassPolicy(name)
    for decorator in node.decorators:
        call = decorator.decorator
        if not m.matches(call, m.Call(func=m.Name("clear"))):
            continue
        scope = _keyword(call, "scope")
        value = _keyword(call, "value")
        factory = _keyword(call, "factory")
        missing_ok = _keyword(call, "missing_ok")
        for arg in call.args:
            if arg.keyword is None:
                policy.clears.append(Clear(
                    mangle(string_key(arg.value), name),
                    scope=scope.value if isinstance(scope, cst.Name) else ALWAYS,
                    value=code(value) if value is not None else None,
                    factory=factory.value if isinstance(factory, cst.Name) else None,
                    missing_ok=m.matches(missing_ok, m.Name("True")),
                ))
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if isinstance(statement, cst.FunctionDef) and any(
            m.matches(d.decorator, m.Name("on_restore")) for d in statement.decorators
        ):
            policy.restore_methods.append(statement.name.value)
    if any(m.matches(base.value, m.Name("JobUnserializable")) for base in node.bases):
        policy.unserializable = True
        reason = next((k.value for k in node.keywords if m.matches(k.keyword, m.Name("reason"))), None)
        policy.unserializable_reason = code(reason) if reason is not None else None
    return policy
