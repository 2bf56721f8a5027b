"""Where the runtime interface lives in a target tree, and how a file imports it."""

from __future__ import annotations

import functools
import importlib.machinery
from pathlib import Path
from typing import Mapping, Optional, Tuple


RUNTIME_SOURCE = Path(__file__).parent / "runtime" / "serialization.py"
DEFAULT_NAME = "serialization"
# When the package has a module called DEFAULT_NAME already, the first free one of
# these (then job_serialization2, 3, ...).
FALLBACK_NAME = "job_serialization"
# A line of the runtime's docstring: a module that carries it is one migrate wrote.
RUNTIME_MARKER = "added to your code base by the ``codemods`` toolkit"
NAMES = frozenset({
    "ALWAYS", "JOB", "JobPickler", "JobSerializable", "JobUnserializable", "SerializationError",
    "UnserializableError", "clear", "custom", "job_state", "on_restore",
})


def top_package(module_name: str, package_name: Optional[str] = None) -> str:
    """The top package of a module ("" for a module outside any package).  With
    the package name known, ``pkg/__init__.py`` (module ``pkg``) is in ``pkg``."""
    if package_name is not None:
        return package_name.split(".")[0] if package_name else ""
    return module_name.split(".")[0] if "." in module_name else ""


def interface_module(module_name: str, configured: Optional[str],
                     package_name: Optional[str] = None,
                     chosen: Optional[Mapping[str, str]] = None) -> str:
    """The dotted name of the interface for a file whose module is ``module_name``:
    the configured one, else the one the plan chose for its top package
    (``chosen``), else ``serialization`` in the file's top package."""
    if configured:
        return configured
    top = top_package(module_name, package_name)
    if chosen and top in chosen:
        return chosen[top]
    return f"{top}.{DEFAULT_NAME}" if top else DEFAULT_NAME


def module_owner(root: Path, dotted: str) -> Optional[str]:
    """Who has the module ``dotted`` under ``root``: None (free), "ours" (a
    runtime module migrate wrote) or "other" (a package, extension, stub or
    module of the project)."""
    base = root.joinpath(*dotted.split("."))
    if base.is_dir():
        return "other"
    for suffix in importlib.machinery.all_suffixes() + [".pyi"]:
        candidate = base.with_name(base.name + suffix)
        if not candidate.exists():
            continue
        if suffix != ".py":
            return "other"
        try:
            text = candidate.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "other"
        return "ours" if RUNTIME_MARKER in text else "other"
    return None


def _candidates(top: str):
    for name in [DEFAULT_NAME, FALLBACK_NAME, *(f"{FALLBACK_NAME}{n}" for n in range(2, 100))]:
        yield f"{top}.{name}" if top else name


@functools.lru_cache(maxsize=256)
def existing_interface(root: Path, top: str) -> str:
    """The interface module ``migrate`` wrote for the top package ``top``: the
    first of the names ``choose_interface`` tries that holds our runtime; else
    the default name when nothing has it, or "" when the project's own module
    has it (then nothing is the interface)."""
    for dotted in _candidates(top):
        owner = module_owner(root, dotted)
        if owner == "ours":
            return dotted
        if owner is None:
            break  # choose_interface would have taken this one
    default = next(_candidates(top))
    return "" if module_owner(root, default) == "other" else default


def interface_for(path: Path, module_name: str, package_name: str,
                  configured: Optional[str]) -> str:
    """The interface module a file of the tree imports, as ``strip`` finds it."""
    if configured:
        return configured
    from .codemod import module_names  # noqa: PLC0415 - avoids an import cycle

    return existing_interface(module_names(path)[0], top_package(module_name, package_name))


def choose_interface(root: Path, top: str) -> str:
    """The interface module for the top package ``top`` under ``root``:
    ``serialization``, unless the package has a module of that name that is not
    ours; then the first of ``job_serialization``, ``job_serialization2``, ...
    that is free or ours."""
    for dotted in _candidates(top):
        if module_owner(root, dotted) in (None, "ours"):
            return dotted
    raise RuntimeError(f"no free module name for the interface in {root / top}")


def interface_path(root: Path, dotted: str) -> Path:
    return root.joinpath(*dotted.split(".")).with_suffix(".py")


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
