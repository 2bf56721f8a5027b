"""What ``strip``'s scan learns of a file from the standard library's ``ast``,
where libcst's scope analysis (fully qualified names) cost seconds on large
modules:

- whether the file constructs the interface's ``JobPickler`` (a call of what it
  imported from the interface module by that name): then it is a job pickler;
- its first ``if`` on a pickling predicate (``if p():``, ``if not p():``), where
  the tree decided to pickle a job: a place for the start-method finding;
- the hooks and predicates it defines, which strip removes.

Names are resolved through imports as libcst's providers resolve them
(read/import_scopes.py), relative imports made absolute in the file's package.
"""

from __future__ import annotations

import ast
from typing import Collection, Optional, Set, Tuple

from ..index import absolute_module
from ..strip_words import JOB_PICKLER
from .import_scopes import ImportNames
from .text_facts import statements


def _absolute(name: str, package: str) -> Optional[str]:
    """``name`` as a fully qualified name provider gives it: ``.x.y`` in package
    ``pkg`` is ``pkg.x.y``."""
    rest = name.lstrip(".")
    level = len(name) - len(rest)
    return absolute_module(package, rest or None, level) if level else name


def is_predicate_call(node: ast.expr, predicates: Collection[str]) -> bool:
    """A call of one of ``predicates``: ``p()`` or ``x.p()``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id in predicates) or (
        isinstance(func, ast.Attribute) and func.attr in predicates)


def _preorder(tree: ast.AST):
    """Nodes first to last, outer before inner (libcst's visiting order)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def pickling_facts(tree: ast.Module, interface: str, package: str,
                   predicates: Collection[str]) -> Tuple[bool, Optional[ast.If]]:
    """(whether the module calls the interface's ``JobPickler``, its first ``if``
    on a predicate or None)."""
    names = ImportNames(tree) if interface else None
    constructs, test = False, None
    for node in _preorder(tree):
        if isinstance(node, ast.Call) and names is not None and not constructs:
            for name in names.imported(node.func):
                full = _absolute(name, package)
                if full is not None and full == f"{interface}.{JOB_PICKLER}":
                    constructs = True
        elif isinstance(node, ast.If) and test is None:
            condition = node.test
            if isinstance(condition, ast.UnaryOp) and isinstance(condition.op, ast.Not):
                condition = condition.operand if is_predicate_call(
                    condition.operand, predicates) else node.test
            if is_predicate_call(condition, predicates):
                test = node
    return constructs, test


def names_bound_to(tree: Optional[ast.Module], package: str, modules: Collection[str]) -> Set[str]:
    """The names the module's imports (anywhere in it) bind to one of ``modules``,
    to something in one, or to a package above one (``from . import pickle_job``
    in the job pickler's own package; ``import pkg``), relative imports made
    absolute in ``package``: the names through which code can use them."""
    found: Set[str] = set()
    for node in statements(tree) if tree is not None else ():  # an import is a statement
        if isinstance(node, ast.Import):
            targets = [(alias.name, alias.asname or alias.name.split(".")[0])
                       for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = absolute_module(package, node.module, node.level or 0)
            if source is None:  # above the top package: taken as naming them all
                source = "." * (node.level or 0) + (node.module or "")
            targets = [(f"{source}.{alias.name}", alias.asname or alias.name)
                       for alias in node.names if alias.name != "*"]
        else:
            continue
        for target, bound in targets:
            if target.startswith(".") or any(
                    target == module or target.startswith(module + ".")
                    or module.startswith(target + ".") for module in modules if module):
                found.add(bound)
    return found

