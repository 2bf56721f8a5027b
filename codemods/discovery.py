"""Finding the files a command works on.

Directories are walked recursively for ``.py`` and ``.pyi`` files (and Cython
``.pyx``/``.pxd`` files, which codemods only report on).  Version-control
folders, virtual environments and what ``.gitignore`` ignores are skipped, as
are paths matching ``--exclude``.  Symbolic links are followed only while they
stay inside the tree being walked, and never twice to the same place, so a
link loop ends the walk of that branch instead of the run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, List, Sequence, Tuple

import pathspec

PYTHON_SUFFIXES = (".py", ".pyi")
CYTHON_SUFFIXES = (".pyx", ".pxd")
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".bzr", "__pycache__", ".tox", ".nox", ".mypy_cache", ".ruff_cache",
     ".pytest_cache", ".hypothesis", "node_modules", ".eggs"}
)


@dataclass
class Discovery:
    files: List[Path] = field(default_factory=list)
    # (path, reason) for what was given but cannot be worked on
    problems: List[Tuple[Path, str]] = field(default_factory=list)
    # (path, reason) for symbolic links not followed (out of the tree, or a loop)
    not_followed: List[Tuple[Path, str]] = field(default_factory=list)


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()


def git_root(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        if (directory / ".git").exists():
            return directory
    return None


class _IgnoreRules:
    """The .gitignore files that apply under one walk, each relative to its folder."""

    def __init__(self) -> None:
        self._specs: List[Tuple[Path, pathspec.PathSpec]] = []

    def load(self, directory: Path) -> None:
        ignore = directory / ".gitignore"
        try:
            lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return
        self._specs.append((directory, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self._specs:
            try:
                relative = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if is_dir:
                relative += "/"
            if spec.match_file(relative):
                return True
        return False


def discover(
    paths: Sequence[Path], excludes: Iterable[str] = (), suffixes: Tuple[str, ...] = PYTHON_SUFFIXES
) -> Discovery:
    """Every file to process under ``paths``, sorted, each once."""
    result = Discovery()
    exclude = pathspec.GitIgnoreSpec.from_lines(list(excludes))
    seen: set = set()
    for given in paths:
        given = Path(given)
        if not given.exists():
            result.problems.append((given, "does not exist"))
            continue
        if given.is_file():
            real = given.resolve()
            if real not in seen:
                seen.add(real)
                result.files.append(given)
            continue
        for path, real in _walk(given, exclude, suffixes, result):
            if real not in seen:
                seen.add(real)
                result.files.append(path)
    return result


def _links_last(entry: os.DirEntry) -> Tuple[bool, str]:
    try:
        return entry.is_symlink(), entry.name
    except OSError:
        return True, entry.name


def _walk(root: Path, exclude, suffixes, result: Discovery) -> Iterator[Tuple[Path, Path]]:
    """(path, its real path) of each file to process under ``root``."""
    root_real = root.resolve()
    rules = _IgnoreRules()
    repository = git_root(root_real)
    if repository is not None:
        # .gitignore files above the walked folder apply to it too.
        for directory in reversed([root_real, *root_real.parents]):
            if directory == repository or repository in directory.parents:
                if directory != root_real:
                    rules.load(directory)
    visited = set()

    def excluded(path: Path, is_dir: bool) -> bool:
        relative = path.relative_to(root).as_posix() + ("/" if is_dir else "")
        return exclude.match_file(relative)

    def walk(directory: Path) -> Iterator[Tuple[Path, Path]]:
        real = directory.resolve()
        if real in visited:
            if directory.is_symlink():  # a link back into a folder already walked: a loop
                result.not_followed.append((directory, f"is a symbolic link back to {real}, a "
                                            "folder already walked (a loop, or a second name for it); "
                                            "not followed"))
            else:
                result.not_followed.append((directory, "was already walked through a symbolic "
                                            "link to it; not walked again"))
            return
        if real != root_real and root_real not in real.parents:
            result.not_followed.append((directory, f"is a symbolic link out of the tree (to "
                                        f"{real}); not followed"))
            return
        visited.add(real)
        rules.load(real)
        try:
            # Real folders before links to folders: a folder is walked under its own
            # name where it can be, and a link to it is the one reported.
            entries = sorted(os.scandir(directory), key=_links_last)
        except OSError as exc:
            result.problems.append((directory, f"cannot be listed: {exc.strerror or exc}"))
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            # What .gitignore and --exclude say of the entry itself, and of what a link names.
            located = real / entry.name
            try:
                link = entry.is_symlink()
            except OSError:
                link = True
            # In a folder already resolved, only a link needs resolving (each resolution
            # reads every folder of the path).
            real_path = Path(os.path.realpath(path)) if link else located
            if is_dir:
                if entry.name in SKIPPED_DIRS or _is_virtualenv(path):
                    continue
                if rules.ignored(located, True) or rules.ignored(real_path, True) or \
                        excluded(path, True):
                    continue
                yield from walk(path)
            elif entry.name.endswith(suffixes):
                if rules.ignored(located, False) or excluded(path, False):
                    continue
                if not os.path.exists(real_path):
                    result.problems.append((path, f"is a symbolic link to {real_path}, which "
                                            "does not exist"))
                    continue
                if entry.is_symlink() and root_real not in real_path.parents:
                    result.not_followed.append((path, f"is a symbolic link out of the tree (to "
                                                f"{real_path}); not followed"))
                    continue
                if rules.ignored(real_path, False):
                    continue
                yield path, real_path

    yield from walk(root)
