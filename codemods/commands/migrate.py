"""``migrate`` as a libcst command (see commands/__init__.py)."""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile

from ..migrate import MigrateCodemod
from ..write import migrate_module
from .options import (
    add_common_args,
    missing_interface,
    refuse,
    refuse_misprinted,
    setup,
)


class MigrateCommand(migrate_module.MigrateCommand):
    DESCRIPTION = ("Rewrite hand-written pickling hooks into the declarative interface "
                   "(the interface module itself is written by `python -m codemods migrate`).")

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        add_common_args(arg_parser)

    def __init__(self, context: CodemodContext, job_methods=(), interface_module=None) -> None:
        context, settings, plan, refusal = setup(context, MigrateCodemod, job_methods=job_methods,
                                                 interface_module=interface_module)
        super().__init__(context, settings, plan=plan)
        self.refusal = refusal

    def transform_module(self, tree: cst.Module) -> cst.Module:
        refuse(self, self.refusal)
        refuse_misprinted(self.context, tree)
        new = super().transform_module(tree)
        for found in self.findings:
            self.warn(found.format())
        if new.code == tree.code:
            return tree
        mismatch = migrate_module.self_check(new.code, self.written, self.policies)
        if mismatch is not None:
            raise SkipFile(f"CM900 internal error: the self-check failed for class {mismatch}; "
                           "file left as it was (please report this)")
        warning = missing_interface(self.context, self.settings, self.plan)
        if warning is not None:
            self.warn(warning)
        return new
