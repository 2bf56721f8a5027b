"""Reading a module for migrate: classes with hooks inside functions are found
from ``ast`` (walking only the functions whose lines hold a hook's ``def``) as
libcst's full walk finds them."""

from __future__ import annotations

import libcst as cst
import pytest

from codemods.read.module_reading import _local_classes, _local_classes_with_libcst
from codemods.read.text_facts import parse_or_none

CASES = [  # (text, the local classes found: name, function)
    "def make():\n    class Job:\n        def __getstate__(self):\n            return {}\n    return Job\n",
    "class Outer:\n    def build(self):\n        class Inner:\n            @staticmethod\n"
    "            def helper():\n                pass\n\n            def __setstate__(self, s):\n"
    "                pass\n        return Inner\n",
    "def make():\n    def inner():\n        class Deep:\n            def \\\n                "
    "__getstate__(self):\n                return {}\n    return inner\n",
    "def make():\n    class Job:\n        async def __getstate__(self):\n            return {}\n",
    "class Job:\n    def __getstate__(self):\n        return {}\n",  # not local
    'def doc():\n    """\n    def __getstate__(self):\n    """\n    class Quiet:\n        pass\n',
    "def a():\n    pass\n\ndef b():\n    if True:\n        class J:\n"
    "            def get_state_for_child_job_pickling(self):\n                return {}\n",
    # lone "\r" line ends, which ast counts as lines too
    "# one\r# two\r# three\r\ndef make():\r    class Local:\r        def __getstate__(self):\r"
    "            return {}\r",
]
EXPECTED = [[("Job", "make")], [("Inner", "build")], [("Deep", "make")], [("Job", "make")],
            [], [], [("J", "b")], [("Local", "make")]]


@pytest.mark.parametrize("text, expected", list(zip(CASES, EXPECTED)))
def test_local_classes_from_ast_match_the_libcst_walk(text, expected):
    methods = ("get_state_for_child_job_pickling",)
    module = cst.parse_module(text)
    found = _local_classes(module, parse_or_none(text), text, methods)
    assert found == _local_classes_with_libcst(module, methods)
    assert [(c.name, c.function) for c in found] == expected
