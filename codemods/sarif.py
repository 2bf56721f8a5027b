"""The SARIF 2.1.0 report (``--format sarif``), for GitHub code scanning and
other SARIF viewers.

One rule per finding code (from rules.py), one result per finding, and in a
dry run (``--check``, ``check``) one CM011 result per file that would change.
Paths are relative to the run's root, named by the ``uriBaseId`` ``%SRCROOT%``
(as GitHub's upload expects): the git work tree the current directory is in, or
the current directory outside one; a path outside it is given as an absolute
``file:`` URI.  URIs are percent-encoded.  Lines and columns are 1-based, as
SARIF counts them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import List, Optional, Sequence
from urllib.parse import quote

from .discovery import git_root
from .report import FileOutcome, Finding, Severity, Status
from .rules import RULES, Rule

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
ROOT_ID = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule(rule: Rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.explanation},
        "help": {
            "text": f"{rule.explanation}\n\nFix: {rule.fix}\n\nExample: {rule.example}",
            "markdown": f"{rule.explanation}\n\n**Fix:** {rule.fix}\n\n"
                        f"Example:\n\n```\n{rule.example}\n```",
        },
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
    }


def _location(finding: Finding, root: Path) -> dict:
    path = Path(finding.path)
    absolute = path if path.is_absolute() else Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        artifact = {"uri": absolute.as_uri()}
    else:
        artifact = {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": ROOT_ID}
    region = {"startLine": max(finding.line, 1), "startColumn": finding.column + 1}
    if finding.end_line is not None and finding.end_line >= region["startLine"]:
        region["endLine"] = finding.end_line
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def run_root(start: Optional[Path] = None) -> Path:
    """The git work tree ``start`` (the current directory) is in, or ``start``."""
    start = Path(os.path.abspath(start or Path.cwd()))
    return git_root(start) or start


def _would_change(outcomes: Sequence[FileOutcome], command: str) -> List[Finding]:
    found = []
    for outcome in outcomes:
        if outcome.status is not Status.CHANGED or outcome.written:
            continue
        what = "delete" if outcome.new is None else "create" if outcome.old is None else "change"
        found.append(Finding(str(outcome.path), 1, "CM011", f"{command} would {what} this file "
                             "(a dry run: nothing was written)", Severity.WARNING))
    return found


def report_sarif(outcomes: Sequence[FileOutcome], *, command: str, tool_version: str,
                 exit_code: int, root: Optional[Path] = None, dry_run: bool = False) -> str:
    root = run_root() if root is None else Path(os.path.abspath(root))
    findings = [finding for outcome in outcomes for finding in outcome.findings]
    if dry_run:
        findings += _would_change(outcomes, command)
    codes = sorted({finding.code for finding in findings} | set(RULES))
    rules = [RULES[code] for code in codes if code in RULES]
    index = {rule.code: position for position, rule in enumerate(rules)}
    results = []
    for finding in findings:
        result = {
            "ruleId": finding.code,
            "level": _LEVELS[finding.severity.value],
            "message": {"text": finding.message},
            "locations": [_location(finding, root)],
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        results.append(result)
    run = {
        "tool": {"driver": {
            "name": "codemods",
            "version": tool_version,
            "semanticVersion": tool_version,
            "rules": [_rule(rule) for rule in rules],
        }},
        "automationDetails": {"id": f"codemods/{command}/"},
        "originalUriBaseIds": {ROOT_ID: {"uri": root.as_uri() + "/"}},
        "invocations": [{"executionSuccessful": exit_code in (0, 1), "exitCode": exit_code}],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)
