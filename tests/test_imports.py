"""Import removal that keeps the comment heading a group, and `from . import x`."""

from __future__ import annotations

import libcst as cst
from hypothesis import given, settings
from hypothesis import strategies as st
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


# The removal of imports left unused, decided without a scope analysis where that
# is certain (write/imports.certainly_unused), gives what libcst's analysis gives.

_IMPORTS = [
    "import os\n",
    "import os.path\n",
    "import pickle as pk\n",
    "from json import dumps\n",
    "from json import dumps as encode, loads\n",
    "from . import sibling\n",
    "from .a import A\n",
    "from __future__ import annotations\n",
    "try:\n    import cPickle as pk\nexcept ImportError:\n    import pickle as pk\n",
    "if True:\n    from json import loads\n",
]
_USES = [
    "x = os.getcwd()\n",
    "__all__ = ['dumps']\n",
    "def f(p: 'pk.Pickler'):\n    return p\n",
    "def g():\n    import pickle as pk\n    return 1\n",
    "class C:\n    from json import dumps\n",
    "y = f'{encode}'\n",
    "z = 'sibling'\n",
    "t = cast('A', None)\n",
    "def h(os):\n    return os\n",
    "w = loads.__name__\n",
    "__all__ = ['du' 'mps', 'sib' 'ling']\n",
]
_SCHEDULED = [("os", None, None), ("os.path", None, None), ("pickle", None, "pk"),
              ("cPickle", None, "pk"), ("json", "dumps", None), ("json", "dumps", "encode"),
              ("json", "loads", None), ("pkg", "sibling", None), ("pkg.a", "A", None),
              ("__future__", "annotations", None)]


def _removed(source: str, scheduled, fast: bool) -> str:
    from codemods.write import imports

    class Schedules(imports.ImportAwareCommand):
        def transform_module_impl(self, tree):
            for item in scheduled:
                RemoveImportsVisitor.remove_unused_import(self.context, *item)
            return tree

    context = CodemodContext(full_module_name="pkg.mod", full_package_name="pkg")
    original = imports.certainly_unused
    decided = []

    def spy(context, uses):
        found = original(context, uses) if fast else None
        decided.append(found is not None)
        return found

    imports.certainly_unused = spy
    try:
        code = Schedules(context).transform_module(cst.parse_module(source)).code
    finally:
        imports.certainly_unused = original
    return code, any(decided)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_IMPORTS), min_size=1, max_size=4, unique=True),
       st.lists(st.sampled_from(_USES), max_size=3, unique=True),
       st.lists(st.sampled_from(_SCHEDULED), min_size=1, max_size=4, unique=True))
def test_removal_without_scope_analysis_agrees_with_libcst(imports_, uses, scheduled):
    source = "".join(imports_) + "\n" + "".join(uses)
    fast, _ = _removed(source, scheduled, fast=True)
    slow, _ = _removed(source, scheduled, fast=False)
    assert fast == slow


def test_an_unreferenced_import_is_removed_without_scope_analysis():
    code, fast = _removed("import os\nimport sys\n\nsys.exit()\n", [("os", None, None)], True)
    assert code == "import sys\n\nsys.exit()\n" and fast


def test_a_name_in_a_string_or_a_local_import_is_left_to_scope_analysis():
    for source in ("import os\n\n__all__ = ['os']\n", "import os\n\n__all__ = ['o' 's']\n",
                   "import os\n\ndef f() -> 'os.PathLike':\n    pass\n",
                   "import os\n\ndef f():\n    import os\n    return 1\n"):
        code, fast = _removed(source, [("os", None, None)], True)
        assert not fast
        assert code == _removed(source, [("os", None, None)], False)[0]


def test_a_name_two_imports_bind_schedules_no_removal():
    # `import a.x` and `import a.y` both bind `a`: a removal scheduled by that name
    # could take the import the removed code did not use, so none is scheduled.
    from codemods.read.module_index import ModuleIndex
    from codemods.write.imports import schedule_unused_import_removal

    def scheduled(source: str):
        module = cst.parse_module(source)
        context = CodemodContext(full_module_name="pkg.mod", full_package_name="pkg")
        index = ModuleIndex.of(module, "pkg.mod", "pkg")
        schedule_unused_import_removal(context, index.import_items, module.body[-1])
        return context.scratch.get(RemoveImportsVisitor.CONTEXT_KEY, [])

    assert scheduled("import shop.courier\n\nshop.courier.go()\n") == [("shop.courier", None, None)]
    assert scheduled("import shop.courier\nimport shop.van\n\nshop.courier.go()\n") == []
    assert scheduled("try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\n"
                     "\npickle.dumps(1)\n") == []
    assert scheduled("import os\nimport os\n\nos.sep\n") == [("os", None, None)]
