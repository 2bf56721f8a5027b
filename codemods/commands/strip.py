"""``strip`` as a libcst command (see commands/__init__.py)."""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext

from ..strip import StripCodemod
from ..write import strip_module
from .options import (
    add_strip_args,
    refuse,
    refuse_misprinted,
    setup,
)


class StripCommand(strip_module.StripCommand):
    DESCRIPTION = ("Remove job pickling from one file at a time: hooks, the interface's "
                   "declarations and imports, imports of --pickler-module, branches on "
                   "pickling predicates (deleting modules is `python -m codemods strip`'s).")

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        add_strip_args(arg_parser)

    def __init__(self, context: CodemodContext, job_methods=(), interface_module=None,
                 pickler_module=None, pickling_predicates=(), keep_guards=None) -> None:
        context, settings, plan, refusal = setup(
            context, StripCodemod, job_methods=job_methods, interface_module=interface_module,
            pickler_module=pickler_module, pickling_predicates=pickling_predicates,
            keep_guards=keep_guards)
        super().__init__(context, settings, plan=plan)
        self.refusal = refusal

    def transform_module(self, tree: cst.Module) -> cst.Module:
        refuse(self, self.refusal)
        refuse_misprinted(self.context, tree)
        new = super().transform_module(tree)
        for found in self.findings:
            self.warn(found.format())
        return new
