"""The cheap tree index: which classes exist, their bases, and what they define.

Built with the standard library's ``ast``, never libcst, and only where it is
needed: a module is parsed the first time a question needs it (a base to
resolve, a subclass to look for), and a file is looked at for subclasses of a
class only if its text names that class.  Nothing is imported or executed.

Names are the fully qualified names libcst's providers give: ``pkg.mod.Outer``
for a class at module or class level; a class inside a function is
``pkg.mod.func.<locals>.Local`` (as ``__qualname__`` writes it), which nothing
outside the function can name.

A base resolves to one of:

- a class of the tree (``ClassInfo``), through imports and re-exports
  (``from .store import Store`` in ``pkg/__init__.py``);
- ``External(name)``: a module outside the tree (``collections.abc.Mapping``,
  ``builtins.object``), whose classes the index cannot see into;
- ``Unresolved(text)``: anything else (a call, a name bound by an assignment or
  a star import, a local of a function).  Whoever asks must not guess.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

# Members that decide how an instance is pickled, or how its class is created.
PICKLE_HOOKS = frozenset({"__getstate__", "__setstate__"})
REDUCE_HOOKS = frozenset({"__reduce__", "__reduce_ex__", "__getnewargs__", "__getnewargs_ex__"})
WATCHED = PICKLE_HOOKS | REDUCE_HOOKS | frozenset({"__slots__", "__init_subclass__", "__new__"})

_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(frozen=True)
class External:
    """A name from outside the tree (``builtins.object``, ``abc.ABC``)."""

    name: str


@dataclass(frozen=True)
class Unresolved:
    """A base the index cannot name: ``text`` is how the source writes it;
    ``target`` the fully qualified name it led to, where it got that far (a
    name a module of the tree does not define)."""

    text: str
    target: Optional[str] = None


@dataclass
class ClassInfo:
    name: str  # fully qualified
    path: Path
    line: int
    column: int
    # (dotted name, source text) of each base; the name is None where the base is
    # not a (subscripted) chain of names, such as a call
    bases: List[Tuple[Optional[str], str]]
    keywords: Dict[str, Optional[str]]  # metaclass=..., and other class keywords
    defines: FrozenSet[str]  # the WATCHED members its body defines
    in_function: Optional[str]  # the enclosing function's name, for a local class
    module: "ModuleFacts" = field(repr=False)
    methods: FrozenSet[str] = frozenset()  # every method name its body defines

    @property
    def short(self) -> str:
        return self.name.rsplit(".", 1)[-1]


Resolution = Union[ClassInfo, External, Unresolved]


@dataclass
class ModuleFacts:
    name: str
    package: str
    path: Path
    # Names bound at module level: local name -> what it names.
    imports: Dict[str, str] = field(default_factory=dict)
    classes: Dict[str, List[ClassInfo]] = field(default_factory=dict)  # qualified -> defs
    assigned: set = field(default_factory=set)  # names bound otherwise (assignments, defs)
    star_imports: List[str] = field(default_factory=list)
    local_classes: List[ClassInfo] = field(default_factory=list)  # inside functions

    def bind_import(self, local: str, target: str) -> None:
        """An import binds ``local``; two imports of one name that disagree (as in
        ``try: from a import X`` / ``except: from b import X``) make it ambiguous."""
        if self.imports.get(local, target) != target:
            self.assigned.add(local)
        self.imports[local] = target

    def all_classes(self) -> Iterator[ClassInfo]:
        for infos in self.classes.values():
            yield from infos
        yield from self.local_classes


class PackageRoots:
    """The folder above the top package of each file, with the answers for each
    folder kept (a tree's files share few folders)."""

    def __init__(self) -> None:
        self._roots: Dict[Path, Path] = {}
        self._folders: Dict[Path, Path] = {}  # folder as named (made absolute) -> its real path
        # path as named (a relative one with the folder it is relative to) -> names()
        self._names: Dict[object, Tuple[Path, str, str]] = {}

    def _resolved(self, path: Path) -> Path:
        """``path.resolve()``, resolving each folder once: a file that is not a
        link is its real folder's (resolving reads every folder of the path)."""
        # Made absolute without normalising: ``link/..`` is resolved by following the link.
        named = path.parent if path.is_absolute() else Path(os.getcwd(), path.parent)
        folder = self._folders.get(named)
        if folder is None:
            folder = self._folders[named] = named.resolve()
        if path.name in ("", ".", "..") or os.path.islink(path):
            return path.resolve()
        return folder / path.name

    def root(self, path: Path) -> Path:
        directory = self._resolved(path).parent
        if directory not in self._roots:
            top = directory
            while (top / "__init__.py").exists() and top.parent != top:
                top = top.parent
            self._roots[directory] = top
        return self._roots[directory]

    def names(self, path: Path) -> Tuple[Path, str, str]:
        """(root, module, package) as libcst's ``calculate_module_and_package``
        gives them, so that names here match its metadata providers'; each
        path's once (a run asks for some files' names several times)."""
        key = path if path.is_absolute() else (os.getcwd(), path)
        named = self._names.get(key)
        if named is None:
            named = self._names[key] = self._names_of(path)
        return named

    def _names_of(self, path: Path) -> Tuple[Path, str, str]:
        root = self.root(path)
        parts = self._resolved(path).relative_to(root).with_suffix("").parts
        if parts and parts[-1] in ("__init__", "__main__"):
            parts = parts[:-1]
            return root, ".".join(parts), ".".join(parts)
        return root, ".".join(parts), ".".join(parts[:-1])


def absolute_module(package: str, module: Optional[str], level: int) -> Optional[str]:
    """The module ``from <level dots><module> import ...`` names in ``package``."""
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not module):
        return None
    base = parts[:len(parts) - (level - 1)]
    return ".".join([*base, *([module] if module else [])]) or None


def dotted_name(node: ast.expr) -> Optional[str]:
    """``a.b.C`` for a chain of names and attributes, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Reader:
    """One module's bindings and classes, from its ``ast``."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts

    def module(self, tree: ast.Module) -> None:
        self._block(tree.body, scope=[], function=None)

    def _block(self, body: Sequence[ast.stmt], scope: List[str], function: Optional[str]) -> None:
        for statement in body:
            self._statement(statement, scope, function)

    def _statement(self, node: ast.stmt, scope: List[str], function: Optional[str]) -> None:
        at_module = not scope and function is None
        if isinstance(node, ast.ClassDef):
            self._class(node, scope, function)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if at_module:
                self.facts.assigned.add(node.name)
            inner = [*scope, node.name, "<locals>"]
            self._functions(node.body, inner, node.name if function is None else function)
        elif at_module and isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.facts.bind_import(alias.asname, alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.facts.bind_import(top, top)
        elif at_module and isinstance(node, ast.ImportFrom):
            module = absolute_module(self.facts.package, node.module, node.level)
            for alias in node.names:
                if alias.name == "*":
                    if module:
                        self.facts.star_imports.append(module)
                elif module:
                    self.facts.bind_import(alias.asname or alias.name, f"{module}.{alias.name}")
                else:
                    self.facts.assigned.add(alias.asname or alias.name)
        elif at_module:
            for target in _bound_names(node):
                self.facts.assigned.add(target)
            for child in _sub_blocks(node):
                self._block(child, scope, function)
        else:
            for child in _sub_blocks(node):
                self._block(child, scope, function)

    def _functions(self, body, scope, function) -> None:
        """Classes inside a function body, at any depth of blocks."""
        for statement in body:
            if isinstance(statement, ast.ClassDef):
                self._class(statement, scope, function)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._functions(statement.body, [*scope, statement.name, "<locals>"], function)
            else:
                for child in _sub_blocks(statement):
                    self._functions(child, scope, function)

    def _class(self, node: ast.ClassDef, scope: List[str], function: Optional[str]) -> None:
        qualified = ".".join([self.facts.name, *scope, node.name]).lstrip(".")
        defines = set()
        methods = set()
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.add(statement.name)
                if statement.name in WATCHED:
                    defines.add(statement.name)
            elif "__slots__" in _bound_names(statement):
                defines.add("__slots__")
            else:
                for name in _bound_names(statement):
                    if name in WATCHED:
                        defines.add(name)
        info = ClassInfo(
            qualified, self.facts.path, node.lineno, node.col_offset,
            [(_base_name(base), ast.unparse(base)) for base in node.bases],
            {k.arg: _base_name(k.value) for k in node.keywords if k.arg}, frozenset(defines),
            function, self.facts, frozenset(methods))
        if function is None:
            self.facts.classes.setdefault(qualified, []).append(info)
        else:
            self.facts.local_classes.append(info)
        inner = [*scope, node.name]
        for statement in node.body:
            if isinstance(statement, ast.ClassDef):
                self._class(statement, inner, function)
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._functions(statement.body, [*inner, statement.name, "<locals>"],
                                statement.name if function is None else function)
            else:
                for child in _sub_blocks(statement):
                    for nested in child:
                        if isinstance(nested, ast.ClassDef):
                            self._class(nested, inner, function)


def _base_name(node: ast.expr) -> Optional[str]:
    if isinstance(node, ast.Subscript):  # Generic[T], Base[int]
        node = node.value
    return dotted_name(node)


def _sub_blocks(node: ast.stmt) -> Iterator[List[ast.stmt]]:
    """The statement lists inside a compound statement (if, try, with, for, while, match)."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(node, "handlers", ()) or ():
        yield handler.body
    for case in getattr(node, "cases", ()) or ():
        yield case.body


def _bound_names(node: ast.stmt) -> List[str]:
    """Names a simple statement binds (assignments, deletions, with/for targets)."""
    targets: List[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
    elif isinstance(node, ast.Delete):
        targets = list(node.targets)
    names = []
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
    return names


class TreeIndex:
    """Classes and bases of a whole tree, parsed lazily with ``ast``.

    ``files`` are the tree's Python files; ``read(path)`` returns a file's text,
    or None when it cannot be read (such a file is then simply not known).
    """

    def __init__(self, files: Iterable[Path], read: Callable[[Path], Optional[str]],
                 module_names: Callable[[Path], Tuple[str, str]]) -> None:
        self._read = read
        self._files = list(files)
        self._module_names = module_names
        self._named: Optional[Tuple[Dict[str, Path], Dict[Path, Tuple[str, str]]]] = None
        self._modules: Dict[Path, Optional[ModuleFacts]] = {}
        self._texts: Dict[Path, Optional[str]] = {}
        self._subclasses: Dict[str, List[ClassInfo]] = {}

    # Modules --------------------------------------------------------------------------------

    def name_files(self) -> None:
        """Name every file now (the runner does it while the workers scan)."""
        self._name_files()

    def _name_files(self) -> Tuple[Dict[str, Path], Dict[Path, Tuple[str, str]]]:
        """(module -> file, file -> (module, package)), made when first needed: a
        run whose scan found nothing asks for none (naming resolves every path)."""
        if self._named is None:
            paths: Dict[str, Path] = {}
            names: Dict[Path, Tuple[str, str]] = {}
            for path in self._files:
                if path.suffix not in (".py", ".pyi"):
                    continue
                module, package = self._module_names(path)
                names[path] = (module, package)
                # A stub (.pyi) describes the same module; the source wins.
                if module not in paths or path.suffix == ".py":
                    paths[module] = path
            self._named = (paths, names)
        return self._named

    @property
    def _paths(self) -> Dict[str, Path]:
        return self._name_files()[0]

    @property
    def _names(self) -> Dict[Path, Tuple[str, str]]:
        return self._name_files()[1]

    @property
    def module_names(self) -> Dict[str, Path]:
        return dict(self._paths)

    def text(self, path: Path) -> Optional[str]:
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    def facts(self, path: Path) -> Optional[ModuleFacts]:
        if path not in self._modules:
            self._modules[path] = self._parse(path)
        return self._modules[path]

    def module(self, name: str) -> Optional[ModuleFacts]:
        path = self._paths.get(name)
        return self.facts(path) if path is not None else None

    def _parse(self, path: Path) -> Optional[ModuleFacts]:
        text = self.text(path)
        if text is None or path not in self._names:
            return None
        module, package = self._names[path]
        return module_facts(text, path, module, package)

    def read_imported(self, path: Path, tree: ast.Module) -> None:
        """Read ahead the facts of the tree's modules that the module at ``path``
        (``tree``, its ``ast``) imports at module level, and of the names it
        imports from a package that are modules of their own.  With ``ast``
        only: a module it cannot read is left for the plan to read as it would
        (libcst's parser never runs in the runner's process for this)."""
        names = self._names.get(path)
        if names is None:
            return
        package = names[1]
        for statement in tree.body:
            if isinstance(statement, ast.Import):
                modules = [alias.name for alias in statement.names]
            elif isinstance(statement, ast.ImportFrom):
                base = absolute_module(package, statement.module, statement.level)
                if base is None:
                    continue
                modules = [base, *(f"{base}.{alias.name}" for alias in statement.names
                                   if alias.name != "*")]
            else:
                continue
            for module in modules:
                self._read_ahead(module)

    def _read_ahead(self, name: str) -> None:
        path = self._paths.get(name)
        if path is None or path in self._modules or path not in self._names:
            return
        from .read.text_facts import parse_or_none  # noqa: PLC0415

        text = self.text(path)
        tree = parse_or_none(text) if text is not None else None
        if tree is None:
            return
        module, package = self._names[path]
        facts = module_facts(text, path, module, package, tree)
        if facts is not None:
            self._modules[path] = facts

    def know(self, facts: ModuleFacts) -> None:
        """A module's facts read elsewhere (by the worker that scanned the file,
        from the same text with ``module_facts``): not read again here.  Kept
        only under the module name this index gives the file."""
        if self._names.get(facts.path) == (facts.name, facts.package):
            self._modules.setdefault(facts.path, facts)

    def is_in_tree(self, dotted: str) -> bool:
        """Whether ``dotted`` or a module above it is a module of the tree."""
        parts = dotted.split(".")
        return any(".".join(parts[:i]) in self._paths for i in range(len(parts), 0, -1))

    # Names ----------------------------------------------------------------------------------

    def resolve_base(self, owner: ClassInfo, base: Tuple[Optional[str], str],
                     lenient: bool = False) -> Resolution:
        """What a base of ``owner`` names.  The base of a class inside a function
        is Unresolved (a local name may shadow the module's), unless ``lenient``:
        then it is looked up as if written at module level, which finds more
        subclasses, never fewer."""
        dotted, text = base
        if dotted is None:
            return Unresolved(text)
        if owner.in_function is not None and not lenient:
            return Unresolved(text)
        found = self.lookup_in(owner.module, dotted, owner.name)
        return Unresolved(text, found.target) if isinstance(found, Unresolved) else found

    def lookup_in(self, module: ModuleFacts, dotted: str, owner: Optional[str] = None) -> Resolution:
        """What ``dotted``, written in ``module`` (in the bases of class ``owner``), names."""
        head, _, rest = dotted.partition(".")
        outer = owner.rsplit(".", 1)[0] if owner else module.name
        if outer != module.name and not outer.endswith("<locals>"):
            # In a class body, the names the body bound before (a sibling class).
            sibling = f"{outer}.{head}"
            if sibling in module.classes:
                return self.lookup(sibling + ("." + rest if rest else ""), dotted)
        qualified = f"{module.name}.{head}".lstrip(".")
        bindings = (head in module.imports) + (qualified in module.classes)
        if head in module.assigned or bindings > 1:
            return Unresolved(dotted, qualified)  # bound otherwise too: which one wins?
        if head in module.imports:
            target = module.imports[head] + ("." + rest if rest else "")
            return self.lookup(target, dotted)
        if qualified in module.classes:
            return self.lookup(qualified + ("." + rest if rest else ""), dotted)
        for star in module.star_imports:
            found = self.lookup(f"{star}.{dotted}", dotted)
            if not isinstance(found, Unresolved):
                return found
            if not self.is_in_tree(star):
                return Unresolved(dotted)  # may come from a module we cannot see
        if module.star_imports:
            return Unresolved(dotted)
        if head in _BUILTIN_NAMES:
            return External(f"builtins.{dotted}")
        return Unresolved(dotted)

    def lookup(self, dotted: str, written: Optional[str] = None, _seen=None) -> Resolution:
        """The class (or external name) a fully qualified name denotes, through
        re-exports: ``pkg.Store`` for ``pkg.store.Store``."""
        seen = _seen or set()
        if dotted in seen:
            return Unresolved(written or dotted, dotted)
        seen.add(dotted)
        parts = dotted.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:i]))
            if module is None:
                if ".".join(parts[:i]) in self._paths:
                    return Unresolved(written or dotted, dotted)  # a module that cannot be read
                continue
            rest = parts[i:]
            qualified = ".".join(parts[:i + 1])
            if rest[0] in module.assigned or (
                    qualified in module.classes and rest[0] in module.imports):
                return Unresolved(written or dotted, dotted)
            if qualified in module.classes:
                node = qualified
                for part in rest[1:]:
                    node = f"{node}.{part}"
                    if node not in module.classes:
                        return Unresolved(written or dotted, dotted)
                infos = module.classes[node]
                return infos[0] if len(infos) == 1 else Unresolved(written or dotted, dotted)
            if rest[0] in module.imports:
                return self.lookup(".".join([module.imports[rest[0]], *rest[1:]]), written, seen)
            for star in module.star_imports:
                found = self.lookup(".".join([star, *rest]), written, seen)
                if not isinstance(found, Unresolved):
                    return found
            # A submodule (pkg.sub) named through its package: handled by the loop.
            if ".".join(parts[:i + 1]) in self._paths:
                continue
            return Unresolved(written or dotted, dotted)
        if self.is_in_tree(dotted):
            return Unresolved(written or dotted, dotted)
        return External(dotted)

    def class_named(self, dotted: str) -> Optional[ClassInfo]:
        found = self.lookup(dotted)
        return found if isinstance(found, ClassInfo) else None

    def defined_class(self, dotted: str) -> Optional[ClassInfo]:
        """The class defined under exactly this name (no re-exports), if one."""
        parts = dotted.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = self.module(".".join(parts[:i]))
            if module is not None:
                infos = module.classes.get(dotted, [])
                return infos[0] if len(infos) == 1 else None
        return None

    # Hierarchies ----------------------------------------------------------------------------

    def bases(self, info: ClassInfo, lenient: bool = False) -> List[Resolution]:
        return [self.resolve_base(info, base, lenient) for base in info.bases]

    def ancestors(self, info: ClassInfo) -> Iterator[Tuple[ClassInfo, Resolution]]:
        """(class, base) for every base of ``info`` and of its ancestors in the tree,
        each class once, nearest first."""
        seen = {info.name}
        todo = [info]
        while todo:
            current = todo.pop(0)
            for base in self.bases(current):
                yield current, base
                if isinstance(base, ClassInfo) and base.name not in seen:
                    seen.add(base.name)
                    todo.append(base)

    def subclasses(self, info: ClassInfo) -> List[ClassInfo]:
        """Every class of the tree derived from ``info``, directly or not.

        Only files whose text names a class of the hierarchy, in a class
        statement's header or an import under another name, are parsed."""
        if info.name in self._subclasses:
            return self._subclasses[info.name]
        found: Dict[str, ClassInfo] = {}
        frontier = [info]
        known = {info.name}
        while frontier:
            words = sorted({c.short for c in frontier})
            targets = {c.name for c in frontier}
            frontier = []
            for path in self._names:
                text = self.text(path)
                if text is None or not names_word(text, words) or not may_subclass(text, words):
                    continue
                facts = self.facts(path)
                if facts is None:
                    continue
                for candidate in facts.all_classes():
                    if candidate.name in known:
                        continue
                    if any(isinstance(base, ClassInfo) and base.name in targets
                           for base in self.bases(candidate, lenient=True)):
                        known.add(candidate.name)
                        found[candidate.name] = candidate
                        frontier.append(candidate)
        result = sorted(found.values(), key=lambda c: c.name)
        self._subclasses[info.name] = result
        return result


def module_facts(text: str, path: Path, module: str, package: str,
                 tree: Optional[ast.Module] = None) -> Optional[ModuleFacts]:
    """The index's facts of one module (``tree``: the text's ``ast``, when at
    hand); None where neither parser reads it."""
    facts = ModuleFacts(module, package, path)
    if tree is None:
        try:
            with warnings.catch_warnings():  # invalid escapes and the like: not ours to report
                warnings.simplefilter("ignore")
                tree = ast.parse(text, str(path))
        except SyntaxError:
            # Syntax newer than this interpreter's (class Box[T], ...): libcst knows it.
            return _read_with_libcst(text, facts)
        except (ValueError, RecursionError, MemoryError):
            return None
    try:
        _Reader(facts).module(tree)
    except RecursionError:
        return None
    return facts


def _is_word(char: str) -> bool:
    """Whether ``re`` counts the character as a word's (``\\w``)."""
    return char.isalnum() or char == "_"


def names_word(text: str, words: Iterable[str]) -> bool:
    """Whether one of ``words`` stands in ``text`` with a word boundary at both
    ends, as ``re`` finds them: what ``re.search(r"\\b(?:one|other)\\b", text)``
    answers, found with ``str.find`` (a pattern that starts with a boundary has
    ``re`` try it at every position of the text: ten times slower here)."""
    for word in words:
        starts_word, ends_word = _is_word(word[0]), _is_word(word[-1])
        at = text.find(word)
        while at >= 0:
            end = at + len(word)
            before = at > 0 and _is_word(text[at - 1])
            after = end < len(text) and _is_word(text[end])
            if before != starts_word and after != ends_word:
                return True
            at = text.find(word, at + 1)
    return False


# A line's start: after "\n", or after a "\r" that ends a line by itself.
_CLASS_KEYWORD = re.compile(r"(?:\A|(?<=[\r\n]))[ \t\f]*class\b")
# The same where no "\r" ends a line by itself: ``^`` lets the search skip ahead.
_CLASS_KEYWORD_LF = re.compile(r"^[ \t\f]*class\b", re.MULTILINE)
_LONE_CR = re.compile(r"\r(?!\n)")
_OPENING = re.compile(r"[(\[{]")
_CLOSING = re.compile(r"[)\]}]")


def may_subclass(text: str, words: Iterable[str]) -> bool:
    """Whether a class of ``text`` may name one of ``words`` (class names) in
    its bases, read from the text without parsing it: a word in a class
    statement's header (``class`` to its colon), or imported under another name
    (``word as``).  A header that is not plain (a string, a comment, a bracket
    still open at the colon: a lambda, a slice, type parameters) may."""
    words = list(words)
    keyword = _CLASS_KEYWORD if _LONE_CR.search(text) else _CLASS_KEYWORD_LF
    for match in keyword.finditer(text):
        end = text.find(":", match.end())
        header = text[match.end():end] if end >= 0 else text[match.end():]
        if end < 0 or any(word in header for word in words) or \
                any(mark in header for mark in "\"'#") or \
                len(_OPENING.findall(header)) != len(_CLOSING.findall(header)):
            return True
    # Between a name and its ``as`` an import allows only blanks, continuations and
    # comments, each comment to its line's end (so that a run of "#" is read one
    # way, not in exponentially many).  The word boundary before the name is
    # checked by hand: a pattern that starts with the name lets the search skip ahead.
    for word in words:
        pattern = re.compile(r"%s(?:[\s\\]|#[^\r\n]*(?=[\r\n]))+as\b" % re.escape(word))
        match = pattern.search(text)
        while match is not None:
            before = text[match.start() - 1] if match.start() else ""
            if not (before.isalnum() or before == "_"):
                return True
            match = pattern.search(text, match.start() + 1)
    return False


def _read_with_libcst(text: str, facts: ModuleFacts) -> Optional[ModuleFacts]:
    """``_Reader``'s facts from libcst's parser, for syntax that the running
    interpreter's ``ast`` does not know (slower, and so only the fallback)."""
    import libcst as cst  # noqa: PLC0415 - only for the rare file that needs it
    from libcst.helpers import get_full_name_for_node  # noqa: PLC0415

    try:
        module = cst.parse_module(text)
    except Exception:  # noqa: BLE001 - a file neither parser reads is simply not known
        return None
    printer = cst.Module(body=[])

    def base(value) -> Tuple[Optional[str], str]:
        named = value.value if isinstance(value, cst.Subscript) else value
        dotted = get_full_name_for_node(named) if isinstance(named, (cst.Name, cst.Attribute)) \
            else None
        return dotted, printer.code_for_node(value)

    def names(target) -> List[str]:
        found = []

        class Names(cst.CSTVisitor):
            def visit_Name(self, node: cst.Name) -> None:
                found.append(node.value)

        target.visit(Names())
        return found

    class Reader(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.scope: List[str] = []
            self.function: List[str] = []

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            qualified = ".".join([facts.name, *self.scope, node.name.value]).lstrip(".")
            methods, defines = set(), set()
            body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
            for statement in body:
                if isinstance(statement, cst.FunctionDef):
                    methods.add(statement.name.value)
                    if statement.name.value in WATCHED:
                        defines.add(statement.name.value)
                elif isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        targets = [t.target for t in getattr(small, "targets", ())]
                        if isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                            targets = [small.target]
                        for target in targets:
                            defines.update(n for n in names(target) if n in WATCHED)
            info = ClassInfo(
                qualified, facts.path, 0, 0, [base(arg.value) for arg in node.bases],
                {k.keyword.value: base(k.value)[0] for k in node.keywords if k.keyword},
                frozenset(defines), self.function[0] if self.function else None, facts,
                frozenset(methods))
            if self.function:
                facts.local_classes.append(info)
            else:
                facts.classes.setdefault(qualified, []).append(info)
            self.scope.append(node.name.value)

        def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
            self.scope.pop()

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if not self.scope and not self.function:
                facts.assigned.add(node.name.value)
            self.function.append(node.name.value)
            self.scope.extend([node.name.value, "<locals>"])

        def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
            self.function.pop()
            del self.scope[-2:]

        def _at_module(self) -> bool:
            return not self.scope and not self.function

        def visit_Import(self, node: cst.Import) -> None:
            if self._at_module():
                for alias in node.names:
                    if alias.asname is not None:
                        facts.bind_import(alias.evaluated_alias, alias.evaluated_name)
                    else:
                        top = alias.evaluated_name.split(".")[0]
                        facts.bind_import(top, top)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if not self._at_module():
                return
            dotted = get_full_name_for_node(node.module) if node.module is not None else None
            target = absolute_module(facts.package, dotted, len(node.relative))
            if isinstance(node.names, cst.ImportStar):
                if target:
                    facts.star_imports.append(target)
                return
            for alias in node.names:
                local = alias.evaluated_alias or alias.evaluated_name
                if target:
                    facts.bind_import(local, f"{target}.{alias.evaluated_name}")
                else:
                    facts.assigned.add(local)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            if self._at_module():
                facts.assigned.update(names(node.target))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if self._at_module():
                facts.assigned.update(names(node.target))

    try:
        module.visit(Reader())
    except RecursionError:
        return None
    return facts
