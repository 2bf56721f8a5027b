"""Import removal that keeps the comment heading a group, and `from . import x`."""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor

from codemods.write.imports import RemoveImportsKeepingComments


def remove(source: str, *imports) -> str:
    context = CodemodContext(full_module_name="pkg.mod", full_package_name="pkg")
    for module, obj in imports:
        RemoveImportsVisitor.remove_unused_import(context, module, obj)
    return RemoveImportsKeepingComments(context).transform_module(cst.parse_module(source)).code


def test_comment_heading_a_group_survives_its_first_import():
    source = "import os\n\n# Local imports\nfrom .a import A\nfrom .b import B\n\nB, os\n"
    assert remove(source, ("pkg.a", "A")) == "import os\n\n# Local imports\nfrom .b import B\n\nB, os\n"


def test_blank_lines_above_a_removed_import_are_kept():
    source = "import os\n\nfrom .a import A\nfrom .b import B\n\nB, os\n"
    assert remove(source, ("pkg.a", "A")) == "import os\n\nfrom .b import B\n\nB, os\n"


def test_unused_import_from_the_package_itself_is_removed():
    source = "from . import Thing, Other\n\nOther\n"
    assert remove(source, ("pkg", "Thing")) == "from . import Other\n\nOther\n"


def test_used_imports_stay():
    source = "from . import Thing\n\nThing\n"
    assert remove(source, ("pkg", "Thing")) == source
