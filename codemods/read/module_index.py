"""The classes and module-level imports of one module, named as a fully
qualified name provider would name them (``pkg.mod.Outer.Inner``).

Resolving the names of classes and of their bases needs only the module's own
imports, not a scope analysis of every function body; on a large module that
saves seconds per file, and the scan runs on every file with a hook.  Classes
inside functions are not indexed: no other module can name them.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import, get_full_name_for_node

from .walk import read_only_visit


class ModuleIndex(cst.CSTVisitor):
    def __init__(self, module_name: str, package_name: str) -> None:
        super().__init__()
        self.module_name = module_name
        self.package_name = package_name
        self.imports: Dict[str, str] = {}  # local name -> what it names
        # local name -> (module, obj, asname), as RemoveImportsVisitor takes an import; a
        # name two different imports bind (``import a.x`` and ``import a.y``, a try/except
        # fallback) is left out: which one a use needs, only a scope analysis tells, and
        # a removal scheduled by name could take the wrong one.
        self.import_items: Dict[str, Tuple[str, Optional[str], Optional[str]]] = {}
        self._ambiguous: Set[str] = set()
        self.classes: List[Tuple[str, cst.ClassDef]] = []
        self._nesting: List[str] = []

    @classmethod
    def of(cls, module: cst.Module, module_name: str, package_name: str) -> "ModuleIndex":
        index = cls(module_name, package_name)
        read_only_visit(module, index)
        return index

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._nesting.append(node.name.value)
        self.classes.append((".".join([self.module_name, *self._nesting]).lstrip("."), node))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._nesting.pop()

    def visit_Import(self, node: cst.Import) -> None:
        if self._nesting:
            return
        for alias in node.names:
            if alias.asname is not None:
                self.imports[alias.evaluated_alias] = alias.evaluated_name
                self._item(alias.evaluated_alias,
                           (alias.evaluated_name, None, alias.evaluated_alias))
            else:
                top = alias.evaluated_name.split(".")[0]
                self.imports[top] = top
                self._item(top, (alias.evaluated_name, None, None))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if self._nesting or isinstance(node.names, cst.ImportStar):
            return
        module = get_absolute_module_from_package_for_import(self.package_name or None, node)
        if module is None:
            return
        for alias in node.names:
            local = alias.evaluated_alias or alias.evaluated_name
            self.imports[local] = f"{module}.{alias.evaluated_name}"
            self._item(local, (module, alias.evaluated_name, alias.evaluated_alias))

    def _item(self, local: str, item: Tuple[str, Optional[str], Optional[str]]) -> None:
        if local in self._ambiguous or self.import_items.get(local, item) != item:
            self._ambiguous.add(local)
            self.import_items.pop(local, None)
        else:
            self.import_items[local] = item

    def resolve(self, expression: cst.BaseExpression) -> Optional[str]:
        """The dotted name ``expression`` refers to at module level."""
        dotted = get_full_name_for_node(expression)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = self.imports.get(head, f"{self.module_name}.{head}".lstrip("."))
        return f"{target}.{rest}" if rest else target

    @property
    def reexports(self) -> Dict[str, str]:
        return {f"{self.module_name}.{local}": target for local, target in self.imports.items()}
