"""Findings, per-file outcomes and the closing summary, in text and JSON.

Positions: ``Finding.line`` is 1-based and ``Finding.column`` 0-based, as libcst
and ``ast`` count them; every format shows the column 1-based, as compilers,
ruff and editors do (``path:line:column``).  SARIF is in sarif.py.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Optional, Sequence


class Severity(str, enum.Enum):
    INFO = "info"  # what a codemod did or would do (used by `check`)
    WARNING = "warning"  # a hook left as it was: the reason says why
    ERROR = "error"  # the file could not be processed at all


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str
    severity: Severity = Severity.WARNING
    column: int = 0  # 0-based
    end_line: Optional[int] = None  # where known: the last line of the class or statement

    def format(self, path: Optional[str] = None) -> str:
        return f"{path or self.path}:{self.line}:{self.column + 1}: {self.code} {self.message}"

    def to_json(self) -> dict:
        data = {"path": self.path, "line": self.line, "column": self.column + 1,
                "code": self.code, "severity": self.severity.value, "message": self.message}
        if self.end_line is not None:
            data["end_line"] = self.end_line
        return data


class Status(str, enum.Enum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"  # left as it was, with findings that say why
    FAILED = "failed"  # could not be read, parsed, rewritten or written


@dataclass
class FileOutcome:
    """What a codemod made of one file.

    ``old``/``new`` are texts; ``old is None`` is a new file and ``new is None``
    a deletion.  ``encoding`` is the codec the bytes are written with.
    """

    path: Path
    status: Status
    old: Optional[str] = None
    new: Optional[str] = None
    encoding: str = "utf-8"
    findings: list = field(default_factory=list)
    hooks: list = field(default_factory=list)  # `check`: a HookReport per class or job pickler
    # A new interface module: the files whose rewrite imports it.  It is written only
    # with one of them (see cli._review).
    importers: Optional[list] = None
    digest: str = ""  # of the bytes read: the write checks the file still holds them
    written: bool = False  # the change is on disk

    @property
    def changed(self) -> bool:
        return self.status is Status.CHANGED


@dataclass
class Summary:
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[FileOutcome]) -> "Summary":
        summary = cls()
        for outcome in outcomes:
            setattr(summary, outcome.status.value, getattr(summary, outcome.status.value) + 1)
        return summary

    def format(self, *, dry_run: bool) -> str:
        verb = "would change" if dry_run else "changed"
        return (
            f"{_files(self.changed)} {verb}, {self.unchanged} unchanged, "
            f"{self.skipped} skipped with findings, {self.failed} failed"
        )


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


@dataclass(frozen=True)
class HookReport:
    """One class with pickling hooks (or one job pickler), as ``check`` found it."""

    path: str
    line: int
    column: int  # 0-based
    subject: str  # the class's qualified name, or the job pickler's module
    kind: str  # "class" or "job-pickler"
    hooks: tuple  # the hook methods (for a job pickler: its per-class entries)
    # "migratable", "needs-person", or (a job pickler whose entries name no class
    # with hooks: reducers of other classes, which JobPickler keeps) "stays"
    verdict: str
    codes: tuple  # the findings that decided it (CM301, CM302, or CM101/CM102)
    migrate: str  # what migrate does with it
    strip: str  # what strip does with it

    def to_json(self) -> dict:
        data = asdict(self)
        data["column"] = self.column + 1
        data["hooks"], data["codes"] = list(self.hooks), list(self.codes)
        return data


@dataclass
class CheckSummary:
    """What ``check`` found: "11 hooks in 9 files: 8 migratable, 2 need a person
    (CM101), 1 job pickler"."""

    hooks: int = 0  # classes with hooks, and job picklers
    files: int = 0
    migratable: int = 0
    needs_person: Dict[str, int] = field(default_factory=dict)  # code -> classes
    job_picklers: int = 0
    failed: int = 0

    @classmethod
    def of(cls, outcomes: Iterable[FileOutcome]) -> "CheckSummary":
        summary = cls()
        for outcome in outcomes:
            summary.failed += outcome.status is Status.FAILED
            summary.files += bool(outcome.hooks)
            for hook in outcome.hooks:
                summary.hooks += 1
                if hook.kind == "job-pickler":
                    summary.job_picklers += 1
                elif hook.verdict == "migratable":
                    summary.migratable += 1
                else:
                    code = hook.codes[0] if hook.codes else "CM101"
                    summary.needs_person[code] = summary.needs_person.get(code, 0) + 1
        return summary

    def format(self, **_: object) -> str:
        if not self.hooks:
            text = "no pickling hooks found"
        else:
            parts = [f"{self.migratable} migratable"]
            people = sum(self.needs_person.values())
            if people:
                codes = ", ".join(sorted(self.needs_person))
                parts.append(f"{people} need{'s' if people == 1 else ''} a person ({codes})")
            if self.job_picklers:
                parts.append(f"{self.job_picklers} job pickler{'s' if self.job_picklers > 1 else ''}")
            text = (f"{self.hooks} hook{'s' if self.hooks > 1 else ''} in {_files(self.files)}: "
                    + ", ".join(parts))
        if self.failed:
            text += f"; {_files(self.failed)} could not be processed"
        return text

    def to_json(self) -> dict:
        return {"hooks": self.hooks, "files_with_hooks": self.files,
                "migratable": self.migratable,
                "needs_person": sum(self.needs_person.values()),
                "needs_person_by_code": dict(sorted(self.needs_person.items())),
                "job_picklers": self.job_picklers, "failed": self.failed}


JSON_VERSION = 1


def _status(outcome: FileOutcome, command: str) -> str:
    # `check` skips nothing: a file it has something to say about is "reported".
    if command == "check" and outcome.status is Status.SKIPPED:
        return "reported"
    return outcome.status.value


def report_json(outcomes: Sequence[FileOutcome], summary, *, command: str, tool_version: str,
                show_unchanged: bool = False) -> str:
    """The JSON report (its shape: docs/report.schema.json).  Files are listed with
    their status when they changed, were skipped or failed; unchanged ones only
    with ``show_unchanged``."""
    data = {
        "version": JSON_VERSION,
        "tool": {"name": "codemods", "version": tool_version},
        "command": command,
        "findings": [finding.to_json() for outcome in outcomes for finding in outcome.findings],
        "files": [{"path": str(outcome.path), "status": _status(outcome, command)}
                  for outcome in outcomes
                  if show_unchanged or outcome.status is not Status.UNCHANGED],
        "summary": summary.to_json() if hasattr(summary, "to_json") else asdict(summary),
    }
    if command == "check":
        data["hooks"] = [hook.to_json() for outcome in outcomes for hook in outcome.hooks]
    return json.dumps(data, indent=2)
