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


def test_entries_and_picklers_in_nested_blocks_are_found(tmp_path):
    """The rewrite does not walk into expressions; statements in blocks it does."""
    source = PICKLER.replace(
        "    pickler = pickle.Pickler(data)\n    pickler.dispatch_table[Job] = _reduce\n",
        "    with open(data) as stream:\n        pickler = pickle.Pickler(stream)\n"
        "        if stream:\n            try:\n                pickler.dispatch_table[Job] = _reduce\n"
        "            finally:\n                pass\n")
    code = rewrite(tmp_path, source)
    assert "dispatch_table" not in code and "def _reduce" not in code
    assert "pickler = JobPickler(stream)" in code
    # and check counts the same entry, without the rewrite's walk
    parsed = parse(read_source(tmp_path / "pkg" / "pickler.py"))
    finder = RewriteJobPickler(parsed.context(), {"pkg.jobs.Job"}, {"_reduce"})
    from codemods.parsing import metadata_wrapper

    finder.find_entries(parsed.module, metadata_wrapper(parsed.module, parsed.context()))
    assert len(finder.entries) == 1 and finder.reducers == {"_reduce"}


def test_the_scan_resolves_the_picklers_names_and_its_rewrite_only_walks(tmp_path, monkeypatch):
    """The scope analysis is the scan's work (shared among workers); the rewrite,
    after the plan, resolves nothing, and writes what it wrote when it resolved
    the names itself."""
    import shutil
    from pathlib import Path

    from codemods import parsing, runner, workers
    from codemods.migrate import MigrateCodemod
    from codemods.settings import Settings

    tree = tmp_path / "tree"
    shutil.copytree(Path(__file__).parent / "snapshots" / "migrate" / "job_pickler_tree", tree)

    def migrated(keep_names: bool):
        codemod = MigrateCodemod(Settings())
        if not keep_names:
            def scan_without_names(parsed):
                facts = MigrateCodemod.scan(codemod, parsed)
                parsed.cache.pop("pickler_names", None)
                return facts

            codemod.scan = scan_without_names
        result = runner.run(codemod, [tree], jobs=0)
        return {o.path.name: o.new for o in result.outcomes}

    rewriting = []
    resolved_while_rewriting = []
    original_rewrite, original_wrapper = workers.FileWork.rewrite, parsing.metadata_wrapper

    def rewrite(self, source, plan):
        rewriting.append(source.path.name)
        try:
            return original_rewrite(self, source, plan)
        finally:
            rewriting.pop()

    def wrapper(tree, context):
        if rewriting:
            resolved_while_rewriting.append(rewriting[-1])
        return original_wrapper(tree, context)

    monkeypatch.setattr(workers.FileWork, "rewrite", rewrite)
    monkeypatch.setattr(parsing, "metadata_wrapper", wrapper)
    with_names = migrated(True)
    assert with_names["pickler.py"] is not None  # its entries went
    assert resolved_while_rewriting == []
    assert migrated(False) == with_names
    assert resolved_while_rewriting == ["pickler.py"]  # the same rewrite, resolving itself
