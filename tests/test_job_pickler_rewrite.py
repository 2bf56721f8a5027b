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


# Which pickler becomes a JobPickler: the one the going entries are set on, found
# through the scope analysis (the name's bindings), wherever the function is.

def test_a_pickler_of_the_same_name_in_another_function_stays(tmp_path):
    code = rewrite(tmp_path, PICKLER + "\n\nclass Snapshot:\n    def pickle_job(self, out):\n"
                   "        pickler = pickle.Pickler(out)\n        pickler.dump(self)\n")
    assert "    pickler = JobPickler(data)\n" in code
    assert "        pickler = pickle.Pickler(out)\n" in code and "import pickle\n" in code


def test_a_pickler_built_in_a_method_or_a_nested_block_becomes_a_job_pickler(tmp_path):
    body = ("    pickler = pickle.Pickler(data)\n    pickler.dispatch_table[Job] = _reduce\n"
            "    pickler.dump(job)\n")
    method = "class Jobs:\n    def pickle_job(self, job, data):\n" + body.replace("    ", "        ")
    guarded = "if True:\n    def pickle_job(job, data):\n" + body.replace("    ", "        ")
    for function in (method, guarded):
        source = PICKLER.replace("def pickle_job(job, data):\n" + body, function)
        assert source != PICKLER
        code = rewrite(tmp_path, source)
        assert "pickler = JobPickler(data)" in code and "dispatch_table" not in code, function
        assert "import pickle" not in code


def test_a_module_level_pickler_the_function_uses_becomes_a_job_pickler(tmp_path):
    source = PICKLER.replace("    pickler = pickle.Pickler(data)\n", "").replace(
        "def pickle_job", "pickler = pickle.Pickler(open('jobs.bin', 'wb'))\n\n\ndef pickle_job")
    code = rewrite(tmp_path, source)
    assert "pickler = JobPickler(open('jobs.bin', 'wb'))" in code and "dispatch_table" not in code


def _refused(tmp_path, source: str):
    package = tmp_path / "pkg"
    rewrite(tmp_path, source)  # writes the package
    parsed = parse(read_source(package / "pickler.py"))
    from codemods.parsing import metadata_wrapper, transform_fresh

    pickler = RewriteJobPickler(parsed.context(), {"pkg.jobs.Job"}, {"_reduce"})
    new = transform_fresh(pickler, parsed.module, metadata_wrapper(parsed.module, parsed.context()))
    return pickler, new.code == parsed.module.code


def test_a_pickler_bound_to_something_else_too_changes_nothing(tmp_path):
    rebound = PICKLER.replace("    pickler.dispatch_table[Job]",
                              "    pickler = wrap(pickler)\n    pickler.dispatch_table[Job]")
    parameter = PICKLER.replace("def pickle_job(job, data):\n    pickler = pickle.Pickler(data)\n",
                                "def pickle_job(job, pickler):\n")
    context = PICKLER.replace("    pickler = pickle.Pickler(data)\n    pickler.dispatch_table[Job] = _reduce\n",
                              "    with pickle.Pickler(data) as pickler:\n"
                              "        pickler.dispatch_table[Job] = _reduce\n")
    unbound = PICKLER.replace("    pickler = pickle.Pickler(data)\n", "")
    for source, why in ((rebound, "is bound to something besides"),
                        (parameter, "is bound to something besides"),
                        (context, "is bound to something besides"),
                        (unbound, "is bound nowhere")):
        assert source != PICKLER
        pickler, unchanged = _refused(tmp_path, source)
        assert unchanged and pickler.refusal is not None and why in pickler.refusal[2], source
        assert pickler.refusal[:2] == ("pickler", "Job")
        assert not pickler.entries and not pickler.unused_reducers and not pickler.made_job_pickler


def test_only_the_way_down_to_the_changes_is_rebuilt(tmp_path):
    source = PICKLER + "\n\ndef other(x):\n    if x:\n        return [y for y in x]\n"
    rewrite(tmp_path, source)
    parsed = parse(read_source(tmp_path / "pkg" / "pickler.py"))
    from codemods.parsing import metadata_wrapper, transform_fresh

    pickler = RewriteJobPickler(parsed.context(), {"pkg.jobs.Job"}, {"_reduce"})
    new = transform_fresh(pickler, parsed.module, metadata_wrapper(parsed.module, parsed.context()))
    old_body = {getattr(s, "name", None) and s.name.value: s for s in parsed.module.body}
    new_body = {getattr(s, "name", None) and s.name.value: s for s in new.body}
    assert new_body["other"] is old_body["other"]  # not walked, so not rebuilt
    assert new.body[0] is parsed.module.body[0]  # the import it keeps
    assert new_body["pickle_job"] is not old_body["pickle_job"] and "_reduce" not in new_body


def _every_node(module):
    import libcst as cst

    class Every(cst.CSTVisitor):
        def __init__(self):
            super().__init__()
            self.nodes = []

        def on_visit(self, node):
            self.nodes.append(node)
            return True

    every = Every()
    module.visit(every)
    return every.nodes


def test_names_asked_for_equal_libcsts_providers_for_every_node():
    """The rewrite computes the qualified names of the few nodes it asks about
    from the scope analysis; libcst's providers compute them for every node
    the same way: over every node of every snapshot module, they agree."""
    from pathlib import Path

    from codemods.parsing import metadata_wrapper
    from codemods.read.text_facts import parse_or_none, relative_imports_above
    from codemods.write.job_pickler import RewriteJobPicklerResolvingAll

    snapshots = Path(__file__).parent / "snapshots"
    compared = 0
    for path in sorted(snapshots.rglob("*.py")):
        parsed = parse(read_source(path))
        if not hasattr(parsed, "module"):
            continue  # a case that does not parse
        tree = parse_or_none(parsed.source.text)
        if tree is None or relative_imports_above(tree, parsed.package_name):
            continue  # libcst's providers raise there (CM012): the other class's case
        context = parsed.context()
        wrapper = metadata_wrapper(parsed.module, context)
        ours = RewriteJobPickler(context, (), ())
        theirs = RewriteJobPicklerResolvingAll(context, (), ())
        with ours.resolve(wrapper), theirs.resolve(wrapper):
            for node in _every_node(parsed.module)[1:]:  # not the Module: no key is one
                assert set(ours.qualified_names(node)) == set(theirs.qualified_names(node)), path
                assert ours.fully_qualified_names(node) == theirs.fully_qualified_names(node), path
                compared += 1
    assert compared > 50_000


def test_the_providers_resolve_the_names_where_a_relative_import_reaches_above(tmp_path):
    from codemods.write.job_pickler import RewriteJobPicklerResolvingAll, job_pickler_rewrite

    context = parse(read_source(_written(tmp_path, PICKLER))).context()
    assert type(job_pickler_rewrite(context, (), (), PICKLER)) is RewriteJobPickler
    above = PICKLER.replace("from .jobs import Job", "from ...outside import Job")
    assert type(job_pickler_rewrite(context, (), (), above)) is RewriteJobPicklerResolvingAll
    assert type(job_pickler_rewrite(context, (), (), "def (:\n")) is RewriteJobPicklerResolvingAll


def _written(tmp_path, source: str):
    rewrite(tmp_path, source)
    return tmp_path / "pkg" / "pickler.py"


def test_a_pickler_that_is_none_until_it_is_built_becomes_a_job_pickler(tmp_path):
    """``pickler = None`` cannot be what an entry is set on (``None`` has no
    dispatch table): a placeholder does not stop the rewrite."""
    source = PICKLER.replace(
        "    pickler = pickle.Pickler(data)\n    pickler.dispatch_table[Job] = _reduce\n"
        "    pickler.dump(job)\n",
        "    pickler = None\n    for chunk in data:\n        pickler = pickle.Pickler(chunk)\n"
        "        pickler.dispatch_table[Job] = _reduce\n        pickler.dump(job)\n")
    assert source != PICKLER
    code = rewrite(tmp_path, source)
    assert "pickler = None\n" in code and "pickler = JobPickler(chunk)" in code
    assert "dispatch_table" not in code and "def _reduce" not in code


def test_a_refused_entry_is_placed_without_ast_too(tmp_path):
    import libcst as cst

    from codemods.write.job_pickler import dispatch_entry_position

    source = PICKLER.replace("    pickler.dispatch_table[Job]",
                             "    pickler = wrap(pickler)\n    pickler.dispatch_table[Job]")
    module = cst.parse_module(source)
    line = source.splitlines().index("    pickler.dispatch_table[Job] = _reduce") + 1
    assert dispatch_entry_position(source, "pickler", module) == (line, 4)  # by ast
    assert dispatch_entry_position(None, "pickler", module) == (line, 4)  # by libcst
    assert dispatch_entry_position("def (:\n", "pickler", module) == (line, 4)
    assert dispatch_entry_position(None, "other", module) == (1, 0)
