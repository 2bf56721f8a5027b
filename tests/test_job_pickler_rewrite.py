"""The job pickler's rewrite (write/job_pickler.py): a reducer goes with the
entries removed only when nothing else refers to it, decided from one scope
analysis of the file as it was given."""

from __future__ import annotations

from codemods.parsing import parse
from codemods.read.module_index import ModuleIndex
from codemods.sources import read_source
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


def rewrite(tmp_path, source: str) -> str:
    package = tmp_path / "pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "jobs.py").write_text("class Job:\n    pass\n")
    path = package / "pickler.py"
    path.write_text(source)
    parsed = parse(read_source(path))
    index = ModuleIndex.of(parsed.module, parsed.module_name, parsed.package_name)
    command = RewriteJobPickler(parsed.context(), {"pkg.jobs.Job"}, {"_reduce"},
                                index.import_items)
    return command.transform_module(parsed.module).code


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
