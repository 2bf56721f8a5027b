"""Where the runtime interface lives in a target tree, and how a file imports it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Tuple

import libcst as cst

RUNTIME_SOURCE = Path(__file__).parent / "runtime" / "serialization.py"
DEFAULT_NAME = "serialization"
NAMES = frozenset({
    "ALWAYS", "JOB", "JobPickler", "JobSerializable", "JobUnserializable", "SerializationError",
    "UnserializableError", "clear", "custom", "job_state", "on_restore",
})


def interface_module(module_name: str, configured: Optional[str]) -> str:
    """The dotted name of the interface for a file whose module is ``module_name``:
    the configured one, else ``serialization`` in the file's top package."""
    if configured:
        return configured
    top = module_name.split(".")[0] if "." in module_name else ""
    return f"{top}.{DEFAULT_NAME}" if top else DEFAULT_NAME


def interface_path(root: Path, dotted: str) -> Path:
    return root.joinpath(*dotted.split(".")).with_suffix(".py")


def uses_relative_imports(module: cst.Module) -> bool:
    """Whether the module's own (top-level) imports are relative."""
    return any(
        isinstance(small, cst.ImportFrom) and small.relative
        for statement in module.body if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    )


def import_form(package_name: str, dotted: str, relative: bool) -> Tuple[str, int]:
    """(module, level) for ``from <level dots><module> import ...`` of ``dotted``
    in a file of package ``package_name``: relative when the file uses relative
    imports and the interface is in the same top package, else absolute."""
    package = package_name.split(".") if package_name else []
    target = dotted.split(".")
    if not relative or not package or package[0] != target[0]:
        return dotted, 0
    common = 0
    while common < min(len(package), len(target) - 1) and package[common] == target[common]:
        common += 1
    return ".".join(target[common:]), len(package) - common + 1
