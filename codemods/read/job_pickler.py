"""What a module does with job picklers and job-state methods, for the plan.

- ``dispatch_table`` entries: ``<pickler>.dispatch_table[<key>] = <reducer>``,
  with the function they are in, and whether that function builds ``<pickler>``
  from ``pickle.Pickler`` (only such a pickler can become a ``JobPickler``);
- generic reducers: module-level functions that return
  ``(cls.__new__, (cls,), <obj>.<job-state method>())``, the rule ``JobPickler``
  now applies to every ``JobSerializable`` (a reducer that rebuilds an object
  some other way, through a plugin factory say, is not one);
- references to job-state methods (``x.get_state_for_child_job_pickling``), and
  the module-level function each is in: a job-state method still called from
  anywhere but a reducer that goes must stay, returning ``job_state(self)``.
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence

import libcst as cst
import libcst.matchers as m

from .module_index import ModuleIndex
from .pickler_facts import Entry, PicklerFacts  # noqa: F401 - re-exported for the readers
from .walk import read_only_visit

PICKLER_CLASSES = frozenset({"pickle.Pickler", "_pickle.Pickler"})


def _is_generic_reducer(function: cst.FunctionDef, job_methods: Sequence[str]) -> bool:
    """``return (C.__new__, (C,), <state>)`` as its last statement, with nothing
    but plain assignments before it, where the state is ``x.<job method>()`` or
    a name assigned from that."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    assignment = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name())])])
    if not body or not all(m.matches(s, assignment) for s in body[:-1]):
        return False
    job_state_call = m.Call(
        func=m.Attribute(attr=m.OneOf(*[m.Name(name) for name in job_methods])), args=[])
    from_job_state = {
        s.body[0].targets[0].target.value for s in body[:-1]
        if m.matches(s.body[0].value, job_state_call)
    }
    last = body[-1]
    if not m.matches(last, m.SimpleStatementLine(body=[m.Return(value=m.Tuple(elements=[
        m.Element(value=m.Attribute(attr=m.Name("__new__"))),
        m.Element(value=m.Tuple(elements=[m.Element()])),
        m.Element(),
    ]))])):
        return False
    state = last.body[0].value.elements[2].value
    return m.matches(state, job_state_call) or (
        isinstance(state, cst.Name) and state.value in from_job_state)


class _Bindings(cst.CSTVisitor):
    """The names a function binds: parameters, assignment, loop, ``with`` and
    comprehension targets, walrus names, local imports and definitions."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set = set()

    def _targets(self, node) -> None:
        """The names a target binds (``a``, ``a, (b, *c)``; not ``a.b`` or ``a[b]``)."""
        if isinstance(node, cst.Name):
            self.names.add(node.value)
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._targets(element.value)
        elif isinstance(node, cst.StarredElement):
            self._targets(node.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.names.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._targets(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._targets(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        self.names.add((node.evaluated_alias or node.evaluated_name).split(".")[0])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.names.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.names.add(node.name.value)


def _bindings(function: cst.FunctionDef) -> set:
    found = _Bindings()
    read_only_visit(function.params, found)
    read_only_visit(function.body, found)
    return found.names


class _Reader(cst.CSTVisitor):
    def __init__(self, index: ModuleIndex, job_methods: Sequence[str]) -> None:
        super().__init__()
        self.index = index
        self.job_methods = set(job_methods)
        self.facts = PicklerFacts()
        self.function: Optional[str] = None  # the module-level function we are in
        self.depth = 0  # nesting of functions and classes
        self.picklers: Dict[Optional[str], set] = {}  # function -> names built from Pickler
        self.local: set = set()  # the names the module-level function we are in binds

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.depth == 0:
            self.function = node.name.value
            self.local = _bindings(node)
            if _is_generic_reducer(node, self.job_methods):
                self.facts.generic_reducers.append(node.name.value)
        self.depth += 1

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.function = None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth -= 1

    def visit_Assign(self, node: cst.Assign) -> Optional[bool]:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if m.matches(target, m.Name()) and isinstance(node.value, cst.Call):
            if self.index.resolve(node.value.func) in PICKLER_CLASSES:
                self.picklers.setdefault(self.function, set()).add(target.value)
        if m.matches(target, m.Subscript(
                value=m.Attribute(value=m.Name(), attr=m.Name("dispatch_table")),
                slice=[m.SubscriptElement(slice=m.Index())])):
            pickler = target.value.value.value
            reducer = node.value.value if isinstance(node.value, cst.Name) else None
            key = target.slice[0].slice.value
            head = key
            while isinstance(head, cst.Attribute):
                head = head.value
            # A key named by a local variable (``for cls in ...:``) is no class the
            # plan can know: None, as for any other expression.
            local = self.depth > 0 and isinstance(head, cst.Name) and head.value in self.local
            self.facts.entries.append(Entry(
                self.function, pickler, None if local else self.index.resolve(key), reducer,
                pickler in self.picklers.get(self.function, set()),
                cst.Module([]).code_for_node(key)))
            read_only_visit(node.targets[0], self)  # the key is a use; the reducer is counted as an entry's
            if reducer is None:
                read_only_visit(node.value, self)
            return False
        return None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in self.job_methods:
            self.facts.job_method_refs.append((node.attr.value, self.function))

    def visit_Name(self, node: cst.Name) -> None:
        self.facts.other_uses[node.value] = self.facts.other_uses.get(node.value, 0) + 1


def read_job_pickler(module: cst.Module, index: ModuleIndex, job_methods) -> PicklerFacts:
    reader = _Reader(index, job_methods)
    read_only_visit(module, reader)
    return reader.facts
