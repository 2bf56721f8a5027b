"""``check``: read only.  Lists every pickling hook with what ``migrate`` and
``strip`` would do with it, and every finding ``migrate`` would report."""

from __future__ import annotations

from .codemod import Rewrite, finding
from .migrate import MigrateCodemod
from .report import Severity


def _describe(reading) -> str:
    parts = []
    clears = reading.policy.clears
    if clears:
        parts.append(f"{len(clears)} member(s) declared with @clear")
    if reading.policy.restore_methods:
        parts.append(f"@on_restore on {', '.join(reading.policy.restore_methods)}")
    if reading.refusal is not None:
        parts.append("becomes JobUnserializable")
    kept = [name for name, builder in reading.builders.items() if builder.method_stays]
    if kept:
        parts.append(f"{', '.join(kept)} kept, returning job_state(self)")
    return "; ".join(parts) or "gains the JobSerializable base"


class CheckCodemod(MigrateCodemod):
    name = "check"
    read_only = True

    def rewrite(self, parsed, plan) -> Rewrite:
        if not self.has_work(parsed):
            return Rewrite(None)
        command, new = self.run_command(parsed, plan)
        findings = []
        for node, name, reading in command.migrated:
            line, column = command.reading.positions.of(node, node, name)
            hooks = ", ".join(reading.hooks)
            findings.append(finding(
                parsed.path, line, "CM301",
                f"{reading.policy.name}: {hooks}; migrate: {_describe(reading)}; "
                f"strip: {'the guard is removed' if reading.refusal else 'removed'}",
                Severity.INFO, column))
        findings.extend(command.findings)
        if new.code != parsed.printed and not command.migrated:
            findings.append(finding(parsed.path, 1, "CM302",
                                    "migrate: the job pickler's per-class entries are removed",
                                    Severity.INFO))
        return Rewrite(None, sorted(findings, key=lambda f: f.line))

    def tree_changes(self, plan, outcomes, roots):
        return []

