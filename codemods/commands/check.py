"""``check`` as a libcst command (see commands/__init__.py): every hook and
finding as a libcst warning; the file is never changed."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from ..check import check_report
from ..write import migrate_module
from . import migrate
from .options import refuse


class CheckCommand(migrate.MigrateCommand):
    DESCRIPTION = ("Report every pickling hook and what migrate and strip would do with it, "
                   "as warnings; change nothing.")

    def transform_module(self, tree: cst.Module) -> cst.Module:
        refuse(self, self.refusal)
        migrate_module.MigrateCommand.transform_module(self, tree)  # read, not kept
        path = Path(self.context.filename)
        findings, _ = check_report(self, path, self.context.full_module_name or "")
        for found in findings:
            self.warn(found.format())
        return tree
