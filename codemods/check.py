"""``check``: read only.  Lists every pickling hook with what ``migrate`` and
``strip`` would do with it, and every finding ``migrate`` would report.

Each class with hooks (and each job pickler) becomes a ``HookReport``: the
JSON and SARIF reports carry them, and the closing line counts them."""

from __future__ import annotations

from dataclasses import replace

from .codemod import Rewrite, finding
from .migrate import MigrateCodemod
from .report import FileOutcome, Finding, HookReport, Severity


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


def _strip_does(reading) -> str:
    return "the guard is removed" if getattr(reading, "refusal", None) else "removed"


class CheckCodemod(MigrateCodemod):
    name = "check"
    read_only = True
    # Its outline also leaves out the top-level definitions the reading skips
    # (read/outline.py): check never prints what it parses.
    outlines_top_level = True

    def rewrite(self, parsed, plan) -> Rewrite:
        if not self.has_work(parsed):
            return Rewrite(None)
        command, _ = self.run_command(parsed, plan, report_only=True)
        findings, hooks = check_report(command, parsed.path, parsed.module_name)
        return Rewrite(None, findings, hooks=hooks)

    def tree_changes(self, plan, outcomes, roots):
        return []

    # ``settle``, as migrate's: a class migrate would hold back, because a file its
    # rewrite goes with would not change as planned, is reported as migrate leaves it.

    def changes_as_planned(self, outcome: FileOutcome) -> bool:
        """Whether migrate would change the file: something in it is migratable."""
        return any(hook.verdict == "migratable" for hook in outcome.hooks)

    def withhold(self, outcome: FileOutcome, why: Finding) -> None:
        outcome.findings.append(why)
        outcome.hooks = [
            replace(hook, verdict="needs-person", codes=("CM104",),
                    migrate="left as it was: it goes with a file migrate leaves (CM104)")
            if hook.verdict == "migratable" else hook for hook in outcome.hooks]


def check_report(command, path, module_name: str):
    """(findings, hook reports) of a file, from the migrate command run on it."""
    positions = command.reading.positions
    findings, hooks = [], []
    for node, name, reading in command.migrated:
        line, column = positions.of(node, node, name)
        found = finding(
            path, line, "CM301",
            f"{reading.policy.name}: {', '.join(reading.hooks)}; migrate: "
            f"{_describe(reading)}; strip: {_strip_does(reading)}",
            Severity.INFO, column)
        findings.append(_with_end(found, positions.class_end(name)))
        hooks.append(HookReport(str(path), line, column, name, "class", tuple(reading.hooks),
                                "migratable", ("CM301",), _describe(reading),
                                _strip_does(reading)))
    for node, name, reading, codes in command.refused:
        line, column = positions.of(node, node, name)
        hooks.append(HookReport(str(path), line, column, name, "class", tuple(reading.hooks),
                                "needs-person", tuple(codes),
                                f"left as it was ({', '.join(codes)})", _strip_does(reading)))
    for local in command.reading.local:
        hooks.append(HookReport(str(path), local.line, local.column,
                                f"{module_name}.{local.function}.{local.name}",
                                "class", tuple(local.hooks), "needs-person", ("CM101",),
                                "left as it was (CM101)", "removed"))
    findings.extend(command.findings)
    entries = command.reading.pickling.entries if command.reading.dispatch_entries else ()
    if entries:
        hooks.append(_pickler_report(command, path, module_name, entries))
        if command.removed_entries:
            findings.append(finding(path, 1, "CM302", "migrate: the job pickler's "
                                    "per-class entries are removed", Severity.INFO))
    return (sorted(findings, key=lambda f: (f.line, f.column)),
            sorted(hooks, key=lambda h: (h.line, h.column)))


def _pickler_report(command, path, module_name: str, entries) -> HookReport:
    """A job pickler: migratable when migrate removes entries; needs a person when
    an entry names a class with hooks that stays as it was, or a class it cannot
    tell (a key that is a variable); else it stays, its entries being reducers of
    other classes (protobuf messages, say), which JobPickler keeps."""
    removed = command.removed_entries
    kept = command.plan.kept_entry_keys if command.plan is not None else {}
    blocked = sorted({kept[e.key] for e in entries if e.key in kept})
    unknown = sorted({entry.text or "?" for entry in entries if entry.key is None})
    names = tuple(sorted({entry.key or entry.text or "?" for entry in entries}))

    def report(verdict: str, codes, migrate: str) -> HookReport:
        return HookReport(str(path), 1, 0, module_name, "job-pickler", names, verdict,
                          tuple(codes), migrate, "the job-pickler module is deleted")

    if getattr(command, "pickler_refused", False):
        return report("needs-person", ["CM101"], "left as it was: an entry that would go is "
                      "set on a pickler that may not be a pickle.Pickler (CM101)")
    if removed:
        return report("migratable", ["CM302"],
                      f"{removed} of its {len(entries)} per-class entries are removed")
    if blocked:
        return report("needs-person", blocked, "left as it was: the classes its entries name "
                      f"keep their hooks ({', '.join(blocked)})")
    if unknown:
        # A key such as a loop variable: which classes it names, and whether they have
        # hooks, only running the code would tell.
        return report("needs-person", ["CM101"], "left as it was: the entries keyed by "
                      f"{', '.join(unknown)} name classes migrate cannot tell (CM101)")
    return report("stays", [], "left as it was: no entry names a class with hooks")


def _with_end(found, end_line):
    return replace(found, end_line=end_line) if end_line else found
