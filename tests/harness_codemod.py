"""A trivial codemod that exists only to prove the runner and the snapshot harness.

It renames calls of ``old_api(...)`` to ``new_api(...)``, imports ``new_api``
from ``newlib``, and reports any other use of ``old_api`` as a finding.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import PositionProvider

from codemods.codemod import Codemod, Rewrite, finding


class RenameOldApi(VisitorBasedCodemodCommand):
    DESCRIPTION = "Rename old_api() calls to new_api()."
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, context) -> None:
        super().__init__(context)
        self.called = set()
        self.findings = []

    def visit_Call(self, node: cst.Call) -> None:
        self.called.add(node.func)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "old_api" and node not in self.called:
            start = self.get_metadata(PositionProvider, node).start
            self.findings.append(finding(
                self.context.scratch["path"], start.line, "HX001", "old_api used other than in a call",
                column=start.column))

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if m.matches(updated.func, m.Name("old_api")):
            AddImportsVisitor.add_needed_import(self.context, "newlib", "new_api")
            return updated.with_changes(func=cst.Name("new_api"))
        return updated


class HarnessCodemod(Codemod):
    name = "harness"

    def prefilter(self):
        return ("old_api",)

    def rewrite(self, parsed, plan):
        command = RenameOldApi(parsed.context())
        return Rewrite(command.transform_module(parsed.module).code, command.findings)
