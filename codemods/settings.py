"""Options shared by every codemod, from the command line and ``[tool.codemods]``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Callable, Optional, Tuple

DEFAULT_JOB_METHODS = ("get_state_for_child_job_pickling", "_get_args_for_child_job_pickling")
DEFAULT_PICKLING_PREDICATES = ("does_multiprocessing_start_require_pickling",)


class SettingsError(Exception):
    pass


@dataclass(frozen=True)
class Settings:
    """Everything a codemod may be told.  Frozen and picklable: it crosses to workers."""

    job_methods: Tuple[str, ...] = DEFAULT_JOB_METHODS
    # Dotted module of the runtime interface; None: `serialization` in the top package.
    interface_module: Optional[str] = None
    # Dotted module of the job pickler for `strip`; None: found by its shape.
    pickler_module: Optional[str] = None
    pickling_predicates: Tuple[str, ...] = DEFAULT_PICKLING_PREDICATES
    keep_guards: bool = False
    include_generated: bool = False
    exclude: Tuple[str, ...] = field(default_factory=tuple)

    def merged(self, **cli: object) -> "Settings":
        """Command-line values win; list options add to the defaults."""
        changes = {}
        for name, value in cli.items():
            if value is None or value == ():
                continue
            current = getattr(self, name)
            if isinstance(current, tuple):
                value = current + tuple(v for v in value if v not in current)
            changes[name] = value
        return replace(self, **changes)


# [tool.codemods] keys are named as the command-line options are (`exclude` for
# `--exclude`, `job-methods` for the repeatable `--job-method`), hyphens or underscores.
_KEYS = {f.name.replace("_", "-"): f.name for f in fields(Settings)}
_KEYS.update({"job-method": "job_methods", "pickling-predicate": "pickling_predicates"})
_KEYS.update({key.replace("-", "_"): name for key, name in list(_KEYS.items())})
# Old names still read, with a warning: key -> the name to use
_DEPRECATED = {"excludes": "exclude"}


def find_pyproject(paths) -> Optional[Path]:
    """The pyproject.toml nearest above the first path, if any."""
    for path in paths:
        start = Path(path).resolve()
        for directory in [start, *start.parents]:
            candidate = directory / "pyproject.toml"
            if candidate.is_file():
                return candidate
        break
    return None


def _toml():
    """The TOML reader, imported where a pyproject.toml is found."""
    if sys.version_info >= (3, 11):
        import tomllib  # noqa: PLC0415
    else:  # pragma: no cover - exercised on older interpreters only
        import tomli as tomllib  # noqa: PLC0415
    return tomllib


def load_settings(paths, warn: Callable[[str], None] = lambda message: None) -> Settings:
    """Defaults, updated from ``[tool.codemods]`` of the target's pyproject.toml.
    ``warn`` is told of deprecated keys."""
    settings = Settings()
    pyproject = find_pyproject(paths)
    if pyproject is None:
        return settings
    tomllib = _toml()
    try:
        with open(pyproject, "rb") as handle:
            tool = tomllib.load(handle).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{pyproject}: cannot read [tool.codemods]: {exc}") from None
    if not isinstance(tool, dict):
        raise SettingsError(f"{pyproject}: tool must be a table ([tool]), not a "
                            f"{type(tool).__name__}")
    table = tool.get("codemods", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{pyproject}: tool.codemods must be a table ([tool.codemods]), "
                            f"not a {type(table).__name__}")
    values = {}
    for key, value in table.items():
        if key in _DEPRECATED:
            warn(f"{pyproject}: [tool.codemods] {key} is deprecated; "
                 f"name it {_DEPRECATED[key]!r}, as the command-line option")
            key = _DEPRECATED[key]
        name = _KEYS.get(key)
        if name is None:
            raise SettingsError(f"{pyproject}: unknown key {key!r} in [tool.codemods] "
                                f"(known: {', '.join(sorted(k for k in _KEYS if '_' not in k))})")
        if name in values:
            raise SettingsError(f"{pyproject}: [tool.codemods] sets {name.replace('_', '-')} twice")
        default = getattr(settings, name)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{pyproject}: [tool.codemods] {key} must be a list of strings")
            value = tuple(value)
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise SettingsError(f"{pyproject}: [tool.codemods] {key} must be true or false")
        elif not isinstance(value, str):
            raise SettingsError(f"{pyproject}: [tool.codemods] {key} must be a string")
        values[name] = value
    return settings.merged(**values)
