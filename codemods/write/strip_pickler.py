"""The job pickler: a module that exists to pickle child jobs, deleted whole,
with every import of it.

It is the configured module, or one found by its shape: it fills a pickler's
``dispatch_table`` with reducers that call a job-state method (directly or
through other functions of the module),

    pickler.dispatch_table[Loader] = _reduce_loader
    def _reduce_loader(loader):
        return Loader.__new__, (Loader,), loader.get_state_for_child_job_pickling()

or, after ``migrate``, it constructs the interface's ``JobPickler``.

In other files, ``from .jobpickler import pickle_job`` and ``import
pkg.jobpickler`` go; a use of what they imported that no other rule removes is
reported.
"""

from __future__ import annotations

from typing import Collection, Dict, List, Optional, Set, Union

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_absolute_module_from_package_for_import

from ..strip_words import JOB_PICKLER  # noqa: F401 - the interface's pickler class

_DISPATCH_ENTRY = m.Assign(targets=[m.AssignTarget(target=m.Subscript(
    value=m.Attribute(attr=m.Name("dispatch_table"))))])

Importing = Union[cst.Import, cst.ImportFrom]


def fills_dispatch_table_with_job_state(module: cst.Module, job_methods: Collection[str]) -> bool:
    """Whether ``module`` registers a reducer that calls a job-state method (or
    ``job_state``) in some pickler's ``dispatch_table``: a function of the
    module, or one that a function of the module makes (``make_reducer(f)``)."""
    functions = {f.name.value: f for f in m.findall(module, m.FunctionDef())}
    for entry in m.findall(module, _DISPATCH_ENTRY):
        reducer = entry.value
        if isinstance(reducer, cst.Call):
            reducer = reducer.func
        if isinstance(reducer, cst.Name) and _reaches_job_state(
                reducer.value, functions, (*job_methods, "job_state"), set()):
            return True
    return False


def _reaches_job_state(name: str, functions: Dict[str, cst.FunctionDef],
                       job_methods: Collection[str], seen: Set[str]) -> bool:
    function = functions.get(name)
    if function is None or name in seen:
        return False
    seen.add(name)
    for call in m.findall(function, m.Call()):
        callee = call.func
        if isinstance(callee, cst.Attribute) and callee.attr.value in job_methods:
            return True
        if isinstance(callee, cst.Name) and (
                callee.value in job_methods
                or _reaches_job_state(callee.value, functions, job_methods, seen)):
            return True
    return False


def _is_pickler(name: Optional[str], picklers: Collection[str]) -> bool:
    return name is not None and any(
        name == pickler or name.startswith(pickler + ".") for pickler in picklers)


def pickler_aliases(node: Importing, package: str,
                    picklers: Collection[str]) -> List[cst.ImportAlias]:
    """The names of an import statement that import a job pickler."""
    if isinstance(node, cst.Import):
        return [alias for alias in node.names if _is_pickler(alias.evaluated_name, picklers)]
    if isinstance(node.names, cst.ImportStar):
        return []
    source = get_absolute_module_from_package_for_import(package or None, node)
    if source is None:
        return []
    if _is_pickler(source, picklers):
        return list(node.names)
    return [alias for alias in node.names
            if _is_pickler(f"{source}.{alias.evaluated_name}", picklers)]


def without_aliases(node: Importing, aliases: Collection[cst.ImportAlias]) -> Importing:
    """The import statement without ``aliases`` (some of its names stay)."""
    names = [alias for alias in node.names if alias not in aliases]
    names[-1] = names[-1].with_changes(comma=node.names[-1].comma)
    return node.with_changes(names=names)
