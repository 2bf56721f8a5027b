"""One module read for ``migrate``: its classes with hooks, their readings, the
classes with hooks inside functions, and its job-pickler facts.

The reading is made once, by the scan, and kept with the parsed file for the
rewrite in the same process.  It walks statement lists, not whole trees: the
classes come from ``ModuleIndex`` (which skips function bodies), the classes
inside functions from the standard library's ``ast`` of the same text, and the
job-pickler reader runs only on a text that mentions what it looks for.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import libcst as cst

from ..policy import ClassPolicy
from .class_hooks import GETSTATE, SETSTATE, ClassReading, read_class
from .declarations import read_declarations
from .job_pickler import PicklerFacts, read_job_pickler
from .text_facts import job_method_refs as _job_method_refs
from .module_index import ModuleIndex
from .positions import Positions
from .walk import read_only_visit

INTERFACE_BASE = "JobSerializable"
REFUSING_BASE = "JobUnserializable"


@dataclass(frozen=True)
class LocalClass:
    """A class with hooks defined inside a function."""

    name: str
    function: str
    hooks: Tuple[str, ...]
    line: int
    column: int


@dataclass
class ModuleReading:
    index: ModuleIndex
    positions: Positions
    # qualified name -> (node, reading) for each class with hooks
    readings: Dict[str, Tuple[cst.ClassDef, ClassReading]] = field(default_factory=dict)
    # qualified name -> declarations already written, for classes without hooks
    declared: Dict[str, Tuple[cst.ClassDef, ClassPolicy]] = field(default_factory=dict)
    local: List[LocalClass] = field(default_factory=list)
    pickling: PicklerFacts = field(default_factory=PicklerFacts)
    dispatch_entries: bool = False
    text: str = ""

    @property
    def quote(self) -> str:
        """The file's quote style, for the string literals migrate writes."""
        if "_quote" not in self.__dict__:
            from ..write.declarations import preferred_quote  # noqa: PLC0415

            self.__dict__["_quote"] = preferred_quote(self.text)
        return self.__dict__["_quote"]


def has_interface_base(node: cst.ClassDef) -> bool:
    return any(isinstance(base.value, cst.Name) and base.value.value in (
        INTERFACE_BASE, REFUSING_BASE) for base in node.bases)


def read_module(module: cst.Module, text: str, module_name: str, package_name: str,
                job_methods: Sequence[str]) -> ModuleReading:
    index = ModuleIndex.of(module, module_name, package_name)
    reading = ModuleReading(index, Positions(module, text, module_name), text=text)
    for name, node in index.classes:
        hooks = read_class(node, job_methods)
        if hooks is not None:
            reading.readings[name] = (node, hooks)
        elif has_interface_base(node) or node.decorators:
            declared = read_declarations(node)
            if has_interface_base(node) or not declared.empty:
                reading.declared[name] = (node, declared)
    tree = reading.positions.ast_tree()
    reading.local = _local_classes(module, tree, text, job_methods)
    if "dispatch_table" in text or (tree is None and any(m in text for m in job_methods)):
        reading.pickling = read_job_pickler(module, index, job_methods)
        reading.dispatch_entries = bool(reading.pickling.entries)
    elif any(method in text for method in job_methods):
        reading.pickling = PicklerFacts(job_method_refs=_job_method_refs(tree, job_methods, text))
    return reading


def _local_classes(module: cst.Module, tree: Optional[ast.Module], text: str,
                   job_methods) -> List[LocalClass]:
    """The classes with hooks inside functions, from ``ast`` (no libcst walk of
    the function bodies); from libcst only where ``ast`` cannot read the text."""
    hook_names = {GETSTATE, SETSTATE, *job_methods}
    if tree is None:
        return _local_classes_with_libcst(module, job_methods)
    found = []
    # Lines that start a definition of a hook: only a function around one of them
    # can hold a class with hooks, so only those functions are walked.
    # Lines are counted as ``ast`` counts them: "\r\n", "\r" and "\n" each end one.
    lines = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
    hook_lines = {lines.count("\n", 0, match.start()) + 1 for match in re.finditer(
        r"^[ \t\f]*(?:async[ \t]+)?def\b[\s\\]*(?:%s)\b" % "|".join(
            re.escape(name) for name in sorted(hook_names)), lines, re.MULTILINE)}

    def in_function(node, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                hooks = tuple(s.name for s in child.body if isinstance(
                    s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name in hook_names
                    and not _returns_job_state(s))
                if hooks:
                    first = child.decorator_list[0] if child.decorator_list else child
                    column = first.col_offset - 1 if child.decorator_list else child.col_offset
                    found.append(LocalClass(child.name, function, hooks, first.lineno, column))
            in_function(child, function)

    def outside(node) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                end = child.end_lineno or len(text)
                if any(child.lineno <= line <= end for line in hook_lines):
                    in_function(child, child.name)
            elif isinstance(child, ast.stmt):
                outside(child)

    outside(tree)
    return sorted(found, key=lambda c: (c.line, c.column))


def _returns_job_state(function: ast.FunctionDef) -> bool:
    """A job-state method ``migrate`` already rewrote (``return job_state(self)``)."""
    if len(function.body) != 1 or not isinstance(function.body[0], ast.Return):
        return False
    value = function.body[0].value
    if isinstance(value, ast.Tuple) and value.elts:
        value = value.elts[-1]
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and \
        value.func.id == "job_state"


def _local_classes_with_libcst(module: cst.Module, job_methods) -> List[LocalClass]:
    from libcst.metadata import PositionProvider  # noqa: PLC0415 - the rare fallback

    found = []
    positions = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    class Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.functions: List[str] = []

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            self.functions.append(node.name.value)

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            self.functions.pop()

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            if not self.functions:
                return
            reading = read_class(node, job_methods)
            if reading is not None:
                start = positions[node].start
                found.append(LocalClass(node.name.value, self.functions[0],
                                        tuple(reading.hooks), start.line, start.column))

    read_only_visit(module, Finder())
    return found
