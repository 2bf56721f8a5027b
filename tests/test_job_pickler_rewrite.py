"""The job pickler's rewrite (write/job_pickler.py): a reducer goes with the
entries removed only when nothing else refers to it, decided from one scope
analysis of the file as it was given."""

from __future__ import annotations

from codemods.parsing import parse
from codemods.sources import read_source
from codemods.write.imports import RemoveImportsKeepingComments
from codemods.write.job_pickler import RewriteJobPickler

PICKLER = '''\
import pickle

from .jobs import Job


def pickle_job(job, data):
    pickler = pickle.Pickler(data)
    pickler.dispatch_table[Job] = _reduce
    pickler.dump(job)


def _reduce(instance):
    return (type(instance), ())
'''


def rewrite(tmp_path, source: str, migrated=frozenset({"pkg.jobs.Job"})) -> str:
    package = tmp_path / "pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "jobs.py").write_text("class Job:\n    pass\n")
    path = package / "pickler.py"
    path.write_text(source)
    parsed = parse(read_source(path))
    context = parsed.context()
    tree = RewriteJobPickler(context, set(migrated), {"_reduce"}).transform_module(parsed.module)
    # the imports it scheduled for removal, removed where unused
    return RemoveImportsKeepingComments(context).transform_module(tree).code


def test_a_reducer_only_the_removed_entries_used_goes(tmp_path):
    code = rewrite(tmp_path, PICKLER)
    assert "dispatch_table" not in code and "def _reduce" not in code
    assert "pickler = JobPickler(data)" in code


def test_a_reducer_referred_to_elsewhere_stays(tmp_path):
    for elsewhere in ("\n\nFALLBACK = _reduce\n",
                      "\n\ndef other(x):\n    return _reduce(x)\n",
                      "\n\nclass Holder:\n    reduce = staticmethod(_reduce)\n"):
        code = rewrite(tmp_path, PICKLER + elsewhere)
        assert "dispatch_table" not in code and "def _reduce" in code, elsewhere


def test_a_local_name_that_shadows_the_reducer_does_not_keep_it(tmp_path):
    code = rewrite(tmp_path, PICKLER + "\n\ndef other(_reduce):\n    return _reduce\n")
    assert "def _reduce(instance)" not in code and "def other(_reduce)" in code


def test_imports_that_bind_one_name_each_go_with_their_own_entry(tmp_path):
    # `import pkg.courier` and `import pkg.van` both bind `pkg`: each goes only when
    # the entries that used it go (looked up by qualified name, not by the name bound).
    source = PICKLER.replace("from .jobs import Job\n", "import pkg.courier\nimport pkg.van\n")
    for name in ("courier", "van"):
        (tmp_path / "pkg").mkdir(exist_ok=True)
        (tmp_path / "pkg" / f"{name}.py").write_text(f"class {name.title()}:\n    pass\n")
    both = source.replace("    pickler.dispatch_table[Job] = _reduce\n",
                          "    pickler.dispatch_table[pkg.courier.Courier] = _reduce\n"
                          "    pickler.dispatch_table[pkg.van.Van] = _reduce\n")
    code = rewrite(tmp_path, both, {"pkg.courier.Courier", "pkg.van.Van"})
    assert "import pkg" not in code and "def _reduce" not in code
    one = source.replace("    pickler.dispatch_table[Job] = _reduce\n",
                         "    pickler.dispatch_table[pkg.courier.Courier] = _reduce\n")
    code = rewrite(tmp_path, one, {"pkg.courier.Courier"})
    assert "import pkg.courier\n" not in code and "import pkg.van\n" in code


def test_both_spellings_of_a_fallback_import_go(tmp_path):
    source = PICKLER.replace(
        "import pickle\n",
        "try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\n")
    code = rewrite(tmp_path, source)
    assert "import cPickle" not in code and "import pickle" not in code
