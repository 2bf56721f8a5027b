"""Which imports a name or attribute of a module refers to, read from the
standard library's ``ast``: the names libcst's ``QualifiedNameProvider`` gives
with source ``IMPORT`` (``mp.get_context`` after ``import multiprocessing as mp``
is ``multiprocessing.get_context``), at a fraction of the cost of a libcst
parse and scope analysis.

The scopes follow libcst's ``ScopeProvider``, quirks included, so that a rule
moved from libcst to ``ast`` reports what it reported before:

- module, class, function (``lambda`` too) and comprehension scopes; a class
  scope is not visible from the scopes inside it; ``global`` and ``nonlocal``
  send a name's assignments to the scope they name;
- a plain name sees the assignments of its own scope made by statements that
  ended before it (an assignment statement does not see its own targets), or,
  if there are none, those of the scopes around it;
- a dotted name (``a.b.c``, a call's callee, a subscript's value) is looked up
  by its longest prefix that any visible scope binds, with every assignment of
  that scope, wherever it is.
"""

from __future__ import annotations

import ast
import builtins
from typing import Dict, Iterable, List, Optional, Tuple

# What an import binds: (module, ((dotted name, as name or None), ...)); module is
# "" for ``import``, the dotted module with its leading dots for ``from``.
ImportBinding = Tuple[str, Tuple[Tuple[str, Optional[str]], ...]]
_LOCAL = None  # any binding that is no import


class _Scope:
    __slots__ = ("kind", "parent", "bindings", "count", "overwrites")

    def __init__(self, kind: str, parent: Optional["_Scope"]) -> None:
        self.kind = kind  # "module", "class", "function" or "comprehension"
        self.parent = parent
        # name -> [(index of the binding, ImportBinding or _LOCAL)]
        self.bindings: Dict[str, List[Tuple[int, Optional[ImportBinding]]]] = {}
        self.count = 0  # assignment-like statements ended in this scope so far
        self.overwrites: Dict[str, "_Scope"] = {}  # global / nonlocal

    # Lookups, as libcst's scopes make them -----------------------------------------------

    def visible_parent(self, first: Optional["_Scope"] = None) -> Optional["_Scope"]:
        parent = first if first is not None else self.parent
        while parent is not None and parent.kind == "class":
            parent = parent.parent
        return parent

    def target(self, name: str) -> "_Scope":
        """The scope an assignment of ``name`` here goes to."""
        if self.kind != "module" and name in self.overwrites:
            return self.visible_parent(self.overwrites[name]).target(name)
        return self

    def resolve(self, name: str) -> Tuple[Optional["_Scope"], List[Tuple[int, Optional[ImportBinding]]]]:
        """The scope that holds the assignments of ``name`` this scope sees, and
        those assignments (none for a builtin or an unbound name)."""
        scope: Optional[_Scope] = self
        while scope is not None:
            if scope.kind != "module" and name in scope.overwrites:
                scope = scope.visible_parent(scope.overwrites[name])
                continue
            if name in scope.bindings:
                return scope, scope.bindings[name]
            if scope.kind == "module":
                break
            scope = scope.visible_parent()
        return None, []

    def binds(self, name: str) -> bool:
        """libcst's ``name in scope``: assigned in a visible scope, or a builtin."""
        return bool(self.resolve(name)[1]) or hasattr(builtins, name)


def full_name(node: ast.AST) -> Optional[str]:
    """libcst's ``get_full_name_for_node`` on the same expression (``None`` and the
    other constants are names there)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{full_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return full_name(node.func)
    if isinstance(node, ast.Subscript):
        return full_name(node.value)
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
        return repr(node.value)
    return None


def _qualified(binding: ImportBinding, name: str) -> List[str]:
    """The names an import gives the dotted ``name`` (libcst's
    ``ImportAssignment.get_qualified_names_for``)."""
    module, aliases = binding
    found = []
    for dotted, alias in aliases:
        parts = dotted.split(".")
        for real in (".".join(parts[:i]) for i in range(len(parts), 0, -1)):
            as_name = alias if alias is not None else real
            if module.endswith("."):
                real = f"{module}{real}"
            elif module:
                real = f"{module}.{real}"
            if name.startswith(as_name):
                rest = name[len(as_name):]
                if rest and not rest.startswith("."):
                    continue
                rest = rest.lstrip(".")
                found.append(f"{real}.{rest}" if rest else real)
                break
    return found


def _unique(names: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(names))


# Statements after which libcst counts one more assignment in the scope they end in.
_ASSIGNMENT_LIKE = (ast.AnnAssign, ast.Assign, ast.AugAssign, ast.ClassDef, ast.FunctionDef,
                    ast.AsyncFunctionDef, ast.Global, ast.Import, ast.ImportFrom,
                    ast.NamedExpr, ast.Nonlocal, ast.withitem)


class ImportNames:
    """The imported names of a module's expressions: ``ImportNames(tree).imported(node)``."""

    def __init__(self, tree: ast.Module) -> None:
        self.scope = self._module = _Scope("module", None)
        self._scope_of: Dict[ast.AST, _Scope] = {}
        self._access: Dict[ast.Name, int] = {}  # a name read -> its scope's count then
        self._visit(tree)

    def imported(self, node: ast.AST) -> List[str]:
        scope = self._scope_of.get(node)
        if scope is None:
            return []
        if isinstance(node, ast.Name) and node in self._access:
            return self._read(node.id, scope, self._access[node])
        name = full_name(node)
        if name is None:
            return []
        prefix: Optional[str] = name
        while prefix:
            if scope.binds(prefix):
                return _unique(q for _, binding in scope.resolve(prefix)[1]
                               if binding is not None for q in _qualified(binding, name))
            prefix = prefix.rpartition(".")[0] or None
        return []

    def _read(self, name: str, scope: _Scope, index: int) -> List[str]:
        """A plain name read: the assignments it sees (libcst's
        ``Access.record_assignments``): in its own scope, only those made before."""
        owner, assignments = scope.resolve(name)
        earlier = [a for a in assignments if owner is not scope or a[0] < index]
        if not earlier and assignments and scope.parent is not None:
            earlier = scope.parent.resolve(name)[1]
        return _unique(q for _, binding in earlier if binding is not None
                       for q in _qualified(binding, name))

    # The walk --------------------------------------------------------------------------------

    def _bind(self, name: str, binding: Optional[ImportBinding] = _LOCAL) -> None:
        target = self.scope.target(name)
        target.bindings.setdefault(name, []).append((target.count, binding))

    def _visit(self, node: ast.AST) -> None:
        self._scope_of[node] = self.scope
        method = getattr(self, "_visit_" + type(node).__name__, None)
        if method is not None:
            method(node)
        else:
            self._children(node)
        if isinstance(node, _ASSIGNMENT_LIKE):
            self.scope.count += 1

    def _children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self._visit(child)

    def _all(self, nodes: Iterable[Optional[ast.AST]]) -> None:
        for node in nodes:
            if node is not None:
                self._visit(node)

    def _new(self, kind: str) -> None:
        self.scope = _Scope(kind, self.scope)

    def _visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self._bind(node.id)
        else:
            self._access[node] = self.scope.count

    def _visit_Import(self, node: ast.Import) -> None:
        self._import("", node.names)

    def _visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._import("." * (node.level or 0) + (node.module or ""), node.names)

    def _import(self, module: str, names: List[ast.alias]) -> None:
        if any(alias.name == "*" for alias in names):
            return
        binding = (module, tuple((alias.name, alias.asname) for alias in names))
        for alias in names:
            dotted = alias.asname or alias.name
            parts = dotted.split(".")
            for i in range(len(parts), 0, -1):
                self._bind(".".join(parts[:i]), binding)

    def _visit_Global(self, node: ast.Global) -> None:
        if self.scope.kind != "module":
            for name in node.names:
                self.scope.overwrites[name] = self._module

    def _visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        for name in node.names:
            if self.scope.parent is not None:
                self.scope.overwrites[name] = self.scope.parent

    def _function(self, node, body: List[ast.AST]) -> None:
        """Parameters in the function's scope; their defaults and annotations in
        the scope around it; then the body."""
        outer = self.scope
        inner = _Scope("function", outer)
        arguments = node.args
        for arg in (*arguments.posonlyargs, *arguments.args, arguments.vararg,
                    *arguments.kwonlyargs, arguments.kwarg):
            if arg is None:
                continue
            self._scope_of[arg] = inner
            inner.bindings.setdefault(arg.arg, []).append((inner.count, _LOCAL))
            self._all((arg.annotation,))
        self._all((*arguments.defaults, *arguments.kw_defaults))
        self.scope = inner
        inner.count += 1  # libcst's Parameters node ends
        self._all(body)
        self.scope = outer

    def _visit_FunctionDef(self, node) -> None:
        self._bind(node.name)
        self._function(node, node.body)
        self._all(node.decorator_list)
        self._all((node.returns,))

    _visit_AsyncFunctionDef = _visit_FunctionDef

    def _visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node, [node.body])

    def _visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._bind(node.name)
        self._all(node.decorator_list)
        self._all(node.bases)
        self._all(node.keywords)
        outer = self.scope
        self._new("class")
        self._all(node.body)
        self.scope = outer

    def _comprehension(self, node, elements: List[ast.AST]) -> None:
        first, *rest = node.generators
        self._visit(first.iter)
        outer = self.scope
        self._new("comprehension")
        self._visit(first.target)
        self.scope.count += 1
        self._all(first.ifs)
        for generator in rest:
            self._all((generator.target, generator.iter, *generator.ifs))
        self.scope.count += len(rest)
        self._all(elements)
        self.scope = outer

    def _visit_ListComp(self, node) -> None:
        self._comprehension(node, [node.elt])

    _visit_SetComp = _visit_GeneratorExp = _visit_ListComp

    def _visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    def _visit_For(self, node) -> None:
        self._visit(node.target)
        self.scope.count += 1
        self._all((node.iter, *node.body, *node.orelse))

    _visit_AsyncFor = _visit_For

    def _visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self._all((node.type,))
        if node.name:
            self._bind(node.name)
            self.scope.count += 1  # libcst's AsName node ends
        self._all(node.body)

    def _visit_MatchAs(self, node) -> None:
        self._all((node.pattern,))
        if node.name:
            self._bind(node.name)

    def _visit_MatchStar(self, node) -> None:
        if node.name:
            self._bind(node.name)

    def _visit_MatchMapping(self, node) -> None:
        self._all((*node.keys, *node.patterns))
        if node.rest:
            self._bind(node.rest)



def called_imports(tree: ast.Module, fully_qualify) -> List[str]:
    """The imported names a module calls (each call's callee, as
    ``ImportNames.imported`` gives it), fully qualified with ``fully_qualify``
    (a relative name made absolute; it may raise ``ImportError``, as libcst's
    ``FullyQualifiedNameProvider`` does for a name above the top package)."""
    names = ImportNames(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found.extend(fully_qualify(name) for name in names.imported(node.func))
    return _unique(found)
