"""Findings, per-file outcomes and the closing summary, in text and JSON."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional


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
    column: int = 0

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def to_json(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
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


def findings_json(outcomes: Iterable[FileOutcome], summary: Summary) -> str:
    files = []
    for outcome in outcomes:
        files.append(
            {
                "path": str(outcome.path),
                "status": outcome.status.value,
                "findings": [finding.to_json() for finding in outcome.findings],
            }
        )
    return json.dumps({"files": files, "summary": asdict(summary)}, indent=2)
