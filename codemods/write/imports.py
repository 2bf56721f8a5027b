"""Import removal that keeps the comments and blank lines above a removed import.

libcst's ``RemoveImportsVisitor`` drops an import statement together with the
lines above it, so a comment that heads a group of imports (``# Local
imports``) would go with the first import of the group.  This subclass hands
those lines to the statement that follows instead.  It also removes unused
``from . import name`` imports, which libcst's gatherer passes over (it only
looks at imports that name a module).
"""

from __future__ import annotations

import re
import warnings
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst
from libcst.codemod import Codemod, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node

from ..read.common import leading_blanks
from ..read.walk import read_only_visit
from libcst.codemod.visitors import (
    AddImportsVisitor,
    GatherUnusedImportsVisitor,
    RemoveImportsVisitor,
)


class _GatherUnusedImports(GatherUnusedImportsVisitor):
    """Also considers ``from . import name`` (an import with no module part)."""

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if node.module is None and node.relative and not isinstance(node.names, cst.ImportStar):
            self.handle_import(node)
            return False
        return super().visit_ImportFrom(node)


class RemoveImportsKeepingComments(RemoveImportsVisitor):
    """``unused``: the module's unused imports as (alias, import statement)
    pairs, when already known (``certainly_unused``); then it needs no metadata
    and runs with ``transform_module_impl``.  Otherwise it finds them itself,
    with libcst's scope analysis."""

    def __init__(self, context, unused_imports=(), unused=None) -> None:
        super().__init__(context, unused_imports)
        self._removed_lines = set()
        self._known_unused = unused

    def visit_Module(self, node: cst.Module) -> None:
        if self._known_unused is not None:
            self._unused_imports = dict(self._known_unused)
            return
        visitor = _GatherUnusedImports(self.context)
        node.visit(visitor)
        self._unused_imports = dict(visitor.unused_imports)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        """Imports known unused are at module scope: no function or class body
        holds one (with a scope analysis, libcst's own removal goes everywhere)."""
        return self._known_unused is None

    visit_ClassDef = visit_FunctionDef

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return _holds_import(node)  # libcst rebuilds every node a transformer goes through

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # its leave_ reads the statement whole: nothing below needs a visit

    visit_ImportFrom = visit_Import

    def leave_SimpleStatementLine(self, original, updated):
        if not updated.body and original.body:
            self._removed_lines.add(id(original))
            return cst.RemoveFromParent()
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if not self._removed_lines:
            return updated
        survivors = iter(updated.body)
        body, carried = [], []
        for statement in original.body:
            if id(statement) in self._removed_lines:
                carried.extend(statement.leading_lines)
                continue
            following = next(survivors)
            if carried:
                following = following.with_changes(
                    leading_lines=_merge(carried, list(following.leading_lines)))
                carried = []
            body.append(following)
        body.extend(survivors)
        if body and id(original.body[0]) in self._removed_lines \
                and not leading_blanks(original.body[0].leading_lines):
            # The new first statement starts the module as the old one did, without
            # the blank lines that separated it from the imports above it.
            lines = body[0].leading_lines
            body[0] = body[0].with_changes(leading_lines=lines[len(leading_blanks(lines)):])
        return updated.with_changes(body=body)


def _merge(carried, own):
    if any(line.comment for line in carried):
        return carried + own
    if not any(line.comment for line in own) and len(own) < len(carried):
        return carried
    return own


class AddImportsAtModuleLevel(AddImportsVisitor):
    """AddImportsVisitor that does not walk function and class bodies: it adds
    and merges imports at module level only, and walking a large module's
    bodies through a matcher-aware transformer costs about a second.

    Its first pass gathers the imports at the top of the module, which it reads
    from ``module.body`` alone but finds by walking the whole module; it is
    handed the top of the module only."""

    def visit_Module(self, node: cst.Module) -> None:
        top = 0
        for statement in node.body:
            if not _is_import(statement) and top:
                break
            top += 1  # the docstring (or a first statement) and the imports after it
        super().visit_Module(node.with_changes(body=node.body[:top]))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return _holds_import(node)  # only imports merge the names added

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False  # leave_ImportFrom merges into the statement whole, not its parts

    def _split_module(self, orig_module: cst.Module, updated_module: cst.Module):
        """Where the new import goes: after the last import of the module's import
        section, which may hold plain statements among its imports
        (``__docformat__ = ...`` after ``from __future__ import ...``), up to the
        first compound statement.  libcst's own rule stops at the first
        statement that is not an import, which can leave the new import apart
        from the file's other imports."""
        before, until, after = super()._split_module(orig_module, updated_module)
        last = len(before) + len(until)
        for index in range(last, len(orig_module.body)):
            statement = orig_module.body[index]
            if not isinstance(statement, cst.SimpleStatementLine):
                break
            if _is_import(statement) and not _is_future_import(statement):
                last = index + 1
        body = list(updated_module.body)
        return body[:len(before)], body[len(before):last], body[last:]


def _holds_import(line: cst.SimpleStatementLine) -> bool:
    return any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in line.body)


def _is_future_import(statement) -> bool:
    small = statement.body[0]
    return isinstance(small, cst.ImportFrom) and not small.relative and \
        get_full_name_for_node(small.module) == "__future__"


class ImportAwareCommand(VisitorBasedCodemodCommand):
    """A command whose scheduled import removals keep the comments above them
    (``RemoveImportsKeepingComments`` in place of libcst's own).

    A command that declares no metadata runs without the deep copy of the tree
    that ``Codemod.transform_module`` makes for a metadata wrapper; its passes
    that need metadata set up their own (see ``transform_fresh``)."""

    # A MetadataWrapper made over the very tree given to transform_module, straight
    # from the parser (by the scan): the command then runs on it, without the copy
    # and with the metadata the scan resolved.
    fresh_wrapper = None
    # The tree ``fresh_wrapper`` stands for when it was made over a copy of it
    # without the bodies the command skips (write/pruning.py ``without_skipped``).
    metadata_for = None

    @property
    def removed_imports(self) -> bool:
        """Whether the command scheduled imports for removal (where no longer used)."""
        return bool(self.context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY))

    def transform_module(self, tree: cst.Module) -> cst.Module:
        if self.METADATA_DEPENDENCIES and self.fresh_wrapper is not None \
                and (tree is self.fresh_wrapper.module or tree is self.metadata_for):
            from ..parsing import transform_fresh  # noqa: PLC0415 - parsing imports this module's users

            tree = transform_fresh(self, tree, self.fresh_wrapper)
        elif self.METADATA_DEPENDENCIES:
            tree = Codemod.transform_module(self, tree)
        else:
            tree = self.transform_module_impl(tree)
        if AddImportsVisitor.CONTEXT_KEY in self.context.scratch:
            tree = AddImportsAtModuleLevel(self.context).transform_module_impl(tree)  # no metadata
        if not self.removed_imports:
            return tree
        uses = NameUses.of(tree)
        if _still_unused_candidates(self.context, uses):
            unused = certainly_unused(self.context, uses)
            if unused is None:
                tree = self._instantiate_and_run(RemoveImportsKeepingComments, tree)
            else:
                tree = RemoveImportsKeepingComments(self.context, unused=unused) \
                    .transform_module_impl(tree)
        return tree


def _bound_name(item) -> str:
    module, obj, asname = item
    return asname or obj or module.split(".")[0]


def _still_unused_candidates(context, uses: "NameUses") -> bool:
    """Drop the scheduled removals whose name the module still uses, and say
    whether any is left: the scope analysis RemoveImportsVisitor needs costs
    seconds on a large module, and a name still in use is never removed."""
    scheduled = context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY)
    if not scheduled:
        return False
    left = [item for item in scheduled if _bound_name(item) not in uses.names]
    context.scratch[RemoveImportsVisitor.CONTEXT_KEY] = left
    return bool(left)


class NameUses(cst.CSTVisitor):
    """What shows, without a scope analysis, that an import nothing refers to
    is unused: the names the module reads or binds outside import statements
    (an attribute's own name is not one), the values of its strings
    (``__all__``, string annotations), the imports at module scope, and the
    names that imports inside functions and classes bind (libcst judges those
    in their own scopes)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: Set[str] = set()
        self.strings: List[str] = []
        self.module_imports: List[Tuple[cst.ImportAlias, cst.CSTNode, str]] = []
        self.nested_bindings: Set[str] = set()
        self._depth = 0  # functions and classes around the node visited

    @classmethod
    def of(cls, tree: cst.CSTNode) -> "NameUses":
        uses = cls()
        with warnings.catch_warnings():  # "\d" in a literal: not ours to warn about
            warnings.simplefilter("ignore")
            read_only_visit(tree, uses)
        return uses

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        read_only_visit(node.value, self)
        return False

    def _string(self, node, spelling: str) -> None:
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - an odd literal: its spelling stands for it
            value = None
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        self.strings.append(value if isinstance(value, str) else spelling)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._string(node, node.value)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        """The whole (``__all__ = ["na" "me"]``), besides each part."""
        parts = []
        for part in (node.left, node.right):
            parts.append(part.value if isinstance(part, cst.SimpleString) else "")
        self._string(node, "".join(parts))

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        self.strings.append(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._depth -= 1

    def _imported(self, node, names) -> bool:
        if isinstance(names, cst.ImportStar):
            return False
        for alias in names:
            bound = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
            if self._depth:
                self.nested_bindings.add(bound)
            else:
                self.module_imports.append((alias, node, bound))
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return self._imported(node, node.names)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if node.module is not None and not node.relative and \
                get_full_name_for_node(node.module) == "__future__":
            return False  # never removed
        return self._imported(node, node.names)


def certainly_unused(context, uses: NameUses) -> Optional[Dict[cst.ImportAlias, cst.CSTNode]]:
    """The module-scope imports that bind a name a scheduled removal names and
    nothing in the module refers to, as (alias, statement) pairs: libcst's
    scope analysis would find them unused too.  None where that is not certain:
    the name is in a string (it may be exported, or a string annotation), or an
    import inside a function or class binds it."""
    bound = {_bound_name(item) for item in context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY, ())}
    if bound & uses.nested_bindings or bound & uses.names:
        return None
    if any(name in string for string in uses.strings for name in bound):
        return None
    return {alias: node for alias, node, name in uses.module_imports if name in bound}


def _is_import(statement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body)


def _import_group(statement) -> str:
    """The group an import belongs to: "." for relative ones, else its top package."""
    small = statement.body[0]
    if isinstance(small, cst.ImportFrom):
        if small.relative:
            return "."
        return get_full_name_for_node(small.module).split(".")[0]
    return get_full_name_for_node(small.names[0].name).split(".")[0]


def imports_from(statement, module: str, level: int) -> bool:
    if not _is_import(statement) or not isinstance(statement.body[0], cst.ImportFrom):
        return False
    node = statement.body[0]
    written = get_full_name_for_node(node.module) if node.module is not None else ""
    return written == module and len(node.relative) == level


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")  # PEP 263


def _split_header(header):
    """(file header, comment block that documents the first statement): the
    comments right above the first statement, with no blank line between.  A
    shebang and an encoding declaration (lines 1 and 2) always stay first."""
    lines = list(header)
    cut = len(lines)
    while cut and lines[cut - 1].comment is not None:
        cut -= 1
    pinned = 0
    for line in lines[:2]:
        text = line.comment.value if line.comment is not None else ""
        if not (text.startswith("#!") or _CODING.match(text)):
            break
        pinned += 1
    cut = max(cut, pinned)
    return lines[:cut], lines[cut:]


def space_new_import(before: cst.Module, after: cst.Module, module: str, level: int) -> cst.Module:
    """PEP 8 spacing around the ``from <module> import ...`` this run added: a
    blank line between it and a different group of imports above it, and two
    blank lines between it and a class or function right below it.  Added as
    the file's first statement, it goes above the comment block that documents
    the statement after it, not between the two."""
    if any(imports_from(s, module, level) for s in before.body):
        return after  # the names joined an import that was already there
    body = list(after.body)
    for index, statement in enumerate(body):
        if not imports_from(statement, module, level):
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        if index == 0 and following is not None:
            header, documentation = _split_header(after.header)
            if documentation:
                after = after.with_changes(header=header)
                own = following.leading_lines[len(leading_blanks(following.leading_lines)):]
                following = following.with_changes(leading_lines=documentation + list(own))
        previous = body[index - 1] if index else None
        if (previous is not None and _is_import(previous) and not statement.leading_lines
                and _import_group(previous) != _import_group(statement)):
            body[index] = statement.with_changes(leading_lines=[cst.EmptyLine()])
        if isinstance(following, (cst.ClassDef, cst.FunctionDef)):
            lines = list(following.leading_lines)
            blank = len(leading_blanks(lines))
            if blank < 2:
                following = following.with_changes(
                    leading_lines=[cst.EmptyLine()] * (2 - blank) + lines)
        if following is not None:
            body[index + 1] = following
        break
    return after.with_changes(body=body)


def schedule_unused_import_removal(context, import_items, removed: cst.CSTNode) -> None:
    """Schedule the module-level imports that ``removed`` code used; at the end
    of the command, RemoveImportsVisitor removes those no longer used.

    The same as ``RemoveImportsVisitor.remove_unused_import_by_node``, which
    resolves qualified names for every name in the node; this looks the names
    up among the module's imports (``ModuleIndex.import_items``) instead, which
    is what costs nothing on a large module.
    """

    for item in _imports_used_in(removed, import_items):
        RemoveImportsVisitor.remove_unused_import(context, *item)


def _imports_used_in(node: cst.CSTNode, import_items):
    """The imports among ``import_items`` that names in ``node`` refer to."""
    return [import_items[name] for name in sorted(referenced_names(node)) if name in import_items]


def referenced_names(node: cst.CSTNode) -> set:
    """The names ``node`` reads or binds, without looking at scopes: an
    attribute's own name (``state.copy``) and the names in import statements
    are not among them (``NameUses.names``)."""
    return NameUses.of(node).names


def uses_relative_imports(module: cst.Module) -> bool:
    """Whether the module's own (top-level) imports are relative."""
    return any(
        isinstance(small, cst.ImportFrom) and small.relative
        for statement in module.body if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    )


def imports_package_absolutely(module: cst.Module, top: str) -> bool:
    """Whether the module's top-level imports name its own top package
    absolutely (``from pkg.sub import x``), which confirms that ``top`` is the
    name the package is installed under."""
    def names(small) -> list:
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
            return [cst.helpers.get_full_name_for_node(small.module) or ""]
        if isinstance(small, cst.Import):
            return [cst.helpers.get_full_name_for_node(alias.name) or "" for alias in small.names]
        return []

    return bool(top) and any(
        name == top or name.startswith(top + ".")
        for statement in module.body if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body for name in names(small)
    )
