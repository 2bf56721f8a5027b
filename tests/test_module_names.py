"""index.PackageRoots: a file's module and package names, as libcst's
``calculate_module_and_package`` gives them from the file's real path, with
each folder resolved once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from libcst.helpers import calculate_module_and_package

from codemods.index import PackageRoots


class ResolvingEachPath(PackageRoots):
    """The plain way: every path resolved on its own."""

    def _resolved(self, path: Path) -> Path:
        return path.resolve()


@pytest.fixture
def tree(tmp_path):
    for folder in ("pkg", "pkg/inner", "other"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "pkg/a.py").write_text("")
    (tmp_path / "pkg/inner/b.py").write_text("")
    (tmp_path / "other/c.py").write_text("")
    (tmp_path / "loose.py").write_text("")
    os.symlink(tmp_path / "other/c.py", tmp_path / "pkg/link.py")  # a file link
    os.symlink(tmp_path / "other", tmp_path / "pkg/sub")  # a folder link
    return tmp_path


def test_names_are_those_of_each_path_resolved_on_its_own(tree, monkeypatch):
    monkeypatch.chdir(tree)
    paths = [tree / "pkg/a.py", tree / "pkg/inner/b.py", tree / "pkg/link.py",
             tree / "pkg/sub/c.py", tree / "pkg/sub/__init__.py", tree / "loose.py",
             Path("pkg/a.py"), Path("pkg/../pkg/inner/b.py"), Path("pkg/sub/c.py")]
    once, each = PackageRoots(), ResolvingEachPath()
    for path in paths:
        assert once.names(path) == each.names(path), path
    # A link is named by what it links to, as libcst names it.
    root, module, package = once.names(tree / "pkg/link.py")
    assert (module, package) == ("other.c", "other")
    real = (tree / "pkg/link.py").resolve()
    found = calculate_module_and_package(str(root), str(real))
    assert (found.name, found.package) == (module, package)


def test_a_relative_path_is_named_from_the_current_folder_of_each_call(tmp_path, monkeypatch):
    """The same relative path in two trees (a long-lived process, tests) names
    each tree's file."""
    names = PackageRoots()
    found = []
    for tree in ("one", "two"):
        package = tmp_path / tree / "pkg"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "mod.py").write_text("")
        monkeypatch.chdir(tmp_path / tree)
        found.append(names.names(Path("pkg/mod.py"))[0])
    assert found == [tmp_path / "one", tmp_path / "two"]


def test_a_relative_path_through_a_link_and_up_is_named_as_resolved(tmp_path, monkeypatch):
    """``link/../pkg``: ``..`` is taken after following the link, as
    ``Path.resolve`` takes it (not removed as text, as ``os.path.abspath`` would)."""
    (tmp_path / "real" / "pkg").mkdir(parents=True)
    (tmp_path / "real" / "deep").mkdir()
    (tmp_path / "real" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "real" / "pkg" / "a.py").write_text("")
    os.symlink(tmp_path / "real" / "deep", tmp_path / "lnk")
    monkeypatch.chdir(tmp_path)
    path = Path("lnk/../pkg/a.py")
    assert PackageRoots().names(path) == ResolvingEachPath().names(path)
    assert PackageRoots().names(path)[1] == "pkg.a"


def test_each_paths_names_are_found_once(tree, monkeypatch):
    names = PackageRoots()
    calls = []
    original = PackageRoots._names_of
    monkeypatch.setattr(PackageRoots, "_names_of",
                        lambda self, path: calls.append(path) or original(self, path))
    path = tree / "pkg/inner/b.py"
    assert names.names(path) == names.names(path) == (tree, "pkg.inner.b", "pkg.inner")
    assert calls == [path]
