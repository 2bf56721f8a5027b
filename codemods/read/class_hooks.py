"""All the pickling hooks of one class, read together into one policy.

A class is migrated whole or not at all: if any of its hooks cannot be read,
every hook stays as it was and each reason becomes a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import libcst as cst
import libcst.matchers as m

from ..policy import ALWAYS, JOB, ClassPolicy, mangle
from .common import Unsupported
from .raise_only import Refusal, read_raise_only
from .setstate import Restore, read_setstate
from .state_builder import StateBuilder, read_state_builder

GETSTATE, SETSTATE = "__getstate__", "__setstate__"
RESTORE_METHOD = "_on_restore"


@dataclass
class ClassReading:
    node: cst.ClassDef
    policy: ClassPolicy
    builders: Dict[str, StateBuilder] = field(default_factory=dict)  # method -> reading
    restore: Optional[Restore] = None
    refusal: Optional[Refusal] = None
    hooks: List[str] = field(default_factory=list)
    problems: List[Unsupported] = field(default_factory=list)
    restore_method: Optional[str] = None  # name of the new @on_restore method, if any

    @property
    def migratable(self) -> bool:
        return bool(self.hooks) and not self.problems


def methods_of(node: cst.ClassDef) -> Dict[str, cst.FunctionDef]:
    methods = {}
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if isinstance(statement, cst.FunctionDef):
            methods[statement.name.value] = statement
    return methods


def _defines_slots(node: cst.ClassDef) -> bool:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    return any(
        m.matches(s, m.SimpleStatementLine(body=[
            m.Assign(targets=[m.AssignTarget(target=m.Name("__slots__"))])
            | m.AnnAssign(target=m.Name("__slots__"))
        ]))
        for s in body
    )


def _fresh_name(base: str, taken) -> str:
    name, number = base, 2
    while name in taken:
        name, number = f"{base}{number}", number + 1
    return name


def already_migrated(method: cst.FunctionDef) -> bool:
    """A job-state method that ``migrate`` already rewrote: it returns
    ``job_state(self)`` or ``<expr>, job_state(self)``."""
    job_state = m.Call(func=m.Name("job_state"))
    return m.matches(method.body, m.IndentedBlock(body=[m.SimpleStatementLine(body=[m.Return(
        value=job_state | m.Tuple(elements=[m.ZeroOrMore(), m.Element(value=job_state)])
    )])]))


def read_class(node: cst.ClassDef, job_methods: Sequence[str],
               restore_name: Optional[str] = None) -> Optional[ClassReading]:
    """The class's hooks read into a policy; None when it has no hook at all.
    A new ``@on_restore`` method is called ``restore_name`` when given (the plan
    picks one no base or subclass uses), else ``_on_restore``."""
    methods = methods_of(node)
    hook_names = [
        name for name, method in methods.items()
        if name in (GETSTATE, SETSTATE, *job_methods) and not already_migrated(method)
    ]
    if not hook_names:
        return None
    reading = ClassReading(node, ClassPolicy(node.name.value), hooks=hook_names)
    if _defines_slots(node):
        reading.problems.append(Unsupported(
            node, f"class {node.name.value} defines __slots__; the interface needs a __dict__"))
    getstate = methods.get(GETSTATE)
    if getstate is not None:
        refusal = read_raise_only(getstate)
        if isinstance(refusal, Unsupported):
            reading.problems.append(refusal)
        elif refusal is not None:
            reading.refusal = refusal
            reading.policy.unserializable = True
            reading.policy.unserializable_reason = refusal.reason_text
        else:
            _add_builder(reading, getstate, ALWAYS, allow_tuple=False)
    for name in job_methods:
        method = methods.get(name)
        if method is None or name not in hook_names:
            continue
        if read_raise_only(method) is not None:
            reading.problems.append(Unsupported(
                method, f"{name}() only raises: an abstract declaration for subclasses; "
                        "left as it was"))
            continue
        _add_builder(reading, method, JOB, allow_tuple=True)
    if getstate is not None and reading.refusal is None and len(reading.builders) > 1:
        reading.problems.append(Unsupported(
            node, f"class {node.name.value} has both __getstate__ and a job-state method; "
                  "the job state would apply both, which the old code did not"))
    setstate = methods.get(SETSTATE)
    if setstate is not None:
        if reading.refusal is not None:
            reading.problems.append(Unsupported(
                setstate, "__setstate__() beside a __getstate__ that refuses pickling"))
        else:
            restore = read_setstate(setstate, methods)
            if isinstance(restore, Unsupported):
                reading.problems.append(restore)
            elif not _restore_agrees(reading, restore, setstate, node.name.value):
                pass
            else:
                reading.restore = restore
                if restore.existing_method:
                    reading.policy.restore_methods.append(restore.existing_method)
                elif restore.new_body:
                    reading.restore_method = _fresh_name(restore_name or RESTORE_METHOD, methods)
                    reading.policy.restore_methods.append(reading.restore_method)
    return reading


def _restore_agrees(reading: ClassReading, restore: Restore, setstate, class_name: str) -> bool:
    """Members set before the restore must be ones the state never holds; members
    read from the state after it must be ones it does hold.  Else a problem."""
    omitted = {c.member for c in reading.policy.clears
               if c.scope == ALWAYS and c.value is None and c.factory is None}
    for member in restore.set_before:
        if mangle(member, class_name) not in omitted:
            reading.problems.append(Unsupported(
                setstate, f"__setstate__() sets {member!r} before restoring the state, which may "
                          f"hold it (its __getstate__ does not leave {member!r} out)"))
            return False
    for member in restore.read_after:
        if mangle(member, class_name) in omitted:
            reading.problems.append(Unsupported(
                setstate, f"__setstate__() reads {member!r} from the state, which its "
                          "__getstate__ leaves out"))
            return False
    return True


def _add_builder(reading: ClassReading, method: cst.FunctionDef, scope: str, allow_tuple: bool):
    builder = read_state_builder(method, scope, allow_tuple)
    if isinstance(builder, Unsupported):
        reading.problems.append(builder)
        return
    reading.builders[method.name.value] = builder
    reading.policy.clears.extend(entry.clear for entry in builder.entries)
