"""The strip codemod: its snapshot cases, and what only the command line shows
(a deletion in --diff, --check and --interactive)."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest
from click_compat import CliRunner

from codemods import cli
from codemods.parsing import parse
from codemods.runner import run
from codemods.settings import Settings
from codemods.sources import read_source
from codemods.strip import StripCodemod
from codemods.write.strip_module import StripCommand
import codemods.parsing
import libcst as cst
from libcst.metadata import PositionProvider
import codemods.read.start_method as start_method
from codemods.read.start_method import read_start_method
from snapshot_harness import SNAPSHOTS, cases

CASES = cases("strip")

command = cli.codemod_command("strip", lambda: StripCodemod, "Remove job pickling.")

PICKLER = """\
import io
import pickle


def pickle_job(job):
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer)
    pickler.dispatch_table[Job] = _reduce_job
    pickler.dump(job)
    return buffer


def _reduce_job(job):
    return Job, (), job.get_state_for_child_job_pickling()
"""

JOB = """\
from .pickler import pickle_job


class Job:
    def start(self, platform):
        if platform.does_multiprocessing_start_require_pickling():
            return pickle_job(self)
        return self

    def get_state_for_child_job_pickling(self):
        return self.__dict__.copy()
"""

STRIPPED_JOB = """\
class Job:
    def start(self, platform):
        return self
"""


def test_cases_exist():
    assert (SNAPSHOTS / "strip").is_dir() and CASES


@pytest.fixture
def tree(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "pickler.py").write_text(PICKLER)
    (package / "job.py").write_text(JOB)
    return tmp_path


def invoke(*args, input=None):
    return CliRunner().invoke(command, [str(a) for a in args], input=input,
                              catch_exceptions=False)


def test_diff_shows_the_pickler_deleted_and_writes_nothing(tree):
    result = invoke("--diff", tree)
    assert result.exit_code == cli.EXIT_OK
    pickler = (tree / "pkg" / "pickler.py").as_posix()
    assert f"--- {pickler}\n+++ /dev/null\n" in result.stdout
    assert "-def pickle_job(job):" in result.stdout
    assert "-from .pickler import pickle_job" in result.stdout
    assert (tree / "pkg" / "pickler.py").read_text() == PICKLER
    assert "2 files would change" in result.stderr


def test_check_exits_1_on_a_pending_deletion(tree):
    (tree / "pkg" / "job.py").write_text(STRIPPED_JOB)
    result = invoke("--check", tree)
    assert result.exit_code == cli.EXIT_PENDING
    assert "1 file would change" in result.stderr
    assert (tree / "pkg" / "pickler.py").exists()


def test_write_deletes_the_pickler_and_then_check_is_clean(tree):
    result = invoke(tree)
    assert result.exit_code == cli.EXIT_OK
    assert not (tree / "pkg" / "pickler.py").exists()
    assert (tree / "pkg" / "job.py").read_text() == STRIPPED_JOB
    assert invoke("--check", tree).exit_code == cli.EXIT_OK


@pytest.mark.parametrize("answer, deleted", [("y", True), ("n", False)])
def test_interactive_asks_before_deleting(tree, answer, deleted):
    # job.py comes first in the review, then the deletion of pickler.py.
    result = invoke("--interactive", tree, input=f"y\n{answer}\n")
    assert result.exit_code == cli.EXIT_OK
    pickler = tree / "pkg" / "pickler.py"
    assert f"Delete {pickler}? [y]es, [n]o, [a]ll, [q]uit" in result.stderr
    assert f"Apply {tree / 'pkg' / 'job.py'}?" in result.stderr
    assert pickler.exists() is not deleted
    if not deleted:
        assert "CM006 declined in review; not written" in result.stderr


def test_cython_hooks_are_reported_and_the_file_is_left_alone(tmp_path):
    source = "cdef class Node:\n    def __getstate__(self):\n        return self.x\n"
    (tmp_path / "node.pyx").write_text(source)
    result = invoke("--check", tmp_path)
    assert result.exit_code == cli.EXIT_OK
    assert "node.pyx:2:5: CM201 __getstate__() is a job-pickling hook in a Cython file" in \
        result.stderr
    assert "0 files would change, 0 unchanged, 1 skipped with findings" in result.stderr
    assert (tmp_path / "node.pyx").read_text() == source


def test_options_reach_the_settings(tmp_path):
    """--pickler-module, --pickling-predicate and --keep-guards as the lead wires
    them: extra click options named after the Settings fields."""
    import click

    extra = [
        click.option("--pickler-module", default=None),
        click.option("--pickling-predicate", "pickling_predicates", multiple=True),
        click.option("--keep-guards", is_flag=True, default=None),
    ]
    wired = cli.codemod_command("strip", lambda: StripCodemod, "Strip.", extra)
    (tmp_path / "mod.py").write_text(
        "class S:\n    def __getstate__(self):\n        raise TypeError('no')\n\n\n"
        "def f(p):\n    if p.spawns():\n        return 1\n    return 2\n")
    result = CliRunner().invoke(wired, ["--diff", "--keep-guards", "--pickling-predicate",
                                        "spawns", str(tmp_path)])
    assert result.exit_code == cli.EXIT_OK
    assert "-    if p.spawns():" in result.stdout
    assert "__getstate__" not in result.stdout


def test_the_libcst_command_runs_alone_on_one_file(tmp_path):
    """StripCommand is a plain libcst codemod command: without the tree's plan it
    still strips the file, knowing only the configured job pickler."""
    path = tmp_path / "job.py"
    path.write_text("import app.spawner\n\n\n" + JOB.replace("from .pickler import pickle_job\n\n\n", ""))
    parsed = parse(read_source(path))
    stripped = StripCommand(parsed.context(), Settings(pickler_module="app.spawner"))
    result = stripped.transform_module(parsed.module).code
    assert result == STRIPPED_JOB
    assert [f.code for f in stripped.findings] == []


def test_a_module_that_an_unrewritten_file_mentions_is_not_deleted(tree):
    (tree / "pkg" / "legacy.py").write_text("from .pickler import pickle_job\n")
    result = invoke("--exclude", "legacy.py", tree)
    assert result.exit_code == cli.EXIT_OK
    assert (tree / "pkg" / "pickler.py").exists()
    assert "CM208 not deleted: 1 file(s) that strip did not rewrite mention 'pickler'" in result.stderr


def test_no_deletion_once_a_rewrite_failed(tree):
    os.chmod(tree / "pkg" / "job.py", 0o444)
    result = invoke(tree)
    assert result.exit_code == cli.EXIT_FAILED
    assert "job.py:1:1: CM005 is read-only" in result.stderr
    # Known before any write: the read-only file still names the pickler.
    assert f"{tree / 'pkg' / 'pickler.py'}:1:1: CM208 not deleted: 1 file(s) that strip did " \
        "not rewrite mention 'pickler'" in result.stderr
    assert (tree / "pkg" / "pickler.py").read_text() == PICKLER


def test_interactive_offers_no_deletion_once_an_importer_was_declined(tree):
    result = invoke("--interactive", tree, input="n\n")
    assert result.exit_code == cli.EXIT_OK
    assert "Delete" not in result.stderr
    assert (tree / "pkg" / "pickler.py").exists()
    assert "CM007 not deleted: another change was declined" in result.stderr


# Start methods (CM209-CM211) ---------------------------------------------------------------

def _start_method_facts(source):
    return read_start_method(source, ast.parse(source),
                             ("does_multiprocessing_start_require_pickling",))


@pytest.mark.parametrize("source, forced", [
    ('import multiprocessing\nmultiprocessing.set_start_method(method="fork")\n', True),
    ("from multiprocessing import set_start_method as ssm\nssm('fork', True)\n", True),
    ('import multiprocessing.context as c\nc._default_context.set_start_method("fork")\n', True),
    ('def set_start_method(m): pass\nset_start_method("spawn")\n', False),  # not multiprocessing's
])
def test_what_forces_fork(source, forced):
    facts = _start_method_facts(source)
    assert facts.sets_fork is forced
    assert facts.selections == ()


@pytest.mark.parametrize("source, starts, selections", [
    # the default context, by name or by default
    ("import multiprocessing as mp\nmp.get_context().Process()\n", 1, []),
    ("import multiprocessing as mp\nmp.Pool(2, None, (), None, mp.get_context(None))\n", 1, []),
    ("import multiprocessing as mp\nmp.Pool(context=mp)\n", 1, []),
    # a context from elsewhere, in a file that uses multiprocessing: counted as a start
    ("import multiprocessing\n\ndef run(ctx):\n    ctx.Process().start()\n", 1, []),
    ("def run(ctx):\n    ctx.Process().start()\n", 0, []),  # without multiprocessing: not
    # a context passed to a pool that this file does not make: reported
    ("import multiprocessing\n\ndef run(ctx):\n    multiprocessing.Pool(2, context=ctx)\n", 0,
     ["CM210 context=ctx can select"]),
    # contexts followed through names and attributes
    ("import multiprocessing as mp\nCTX = mp.get_context('fork')\nCTX.Pool()\n", 0, []),
    ("from multiprocessing import context\nctx = context.SpawnContext()\nctx.Process()\n", 0,
     ["CM210 context.SpawnContext() selects the spawn start method"]),
    ("from multiprocessing.context import ForkServerProcess\nForkServerProcess()\n", 0,
     ["CM210 ForkServerProcess() starts with the forkserver start method"]),
    # not processes: threads, and other libraries' Process
    ("from multiprocessing.pool import ThreadPool\nThreadPool(2)\n", 0, []),
    ("import psutil\nimport multiprocessing\npsutil.Process(1)\n", 0, []),
    # what strip removes with a predicate's if arm is not read
    ("import multiprocessing as mp\n\ndef f(p):\n"
     "    if p.does_multiprocessing_start_require_pickling():\n"
     "        mp.set_start_method('spawn')\n        mp.Process().start()\n", 0, []),
])
def test_process_starts_and_selections(source, starts, selections):
    facts = _start_method_facts(source)
    assert len(facts.default_starts) == starts
    assert [f"{p.code} {p.message}"[:len(expected)] for p, expected in
            zip(facts.selections, selections)] == selections
    assert len(facts.selections) == len(selections)


@pytest.mark.parametrize("source, read", [
    # flows into get_context through assignments in the same function
    ("import os, multiprocessing\n\ndef f():\n    a = os.environ['MP']\n    b = a or 'fork'\n"
     "    return multiprocessing.get_context(b)\n", True),
    ("from os import environ\nimport multiprocessing\n"
     "multiprocessing.set_start_method(environ.get('X'))\n", True),
    # named for it, even where it flows nowhere
    ("import os\nMETHOD = os.environ.setdefault('JOBS_START_METHOD', 'fork')\n", True),
    # another function's variable of the same name is not followed
    ("import os, multiprocessing\n\ndef f():\n    m = os.getenv('MP')\n\n"
     "def g(m):\n    multiprocessing.set_start_method(m)\n", False),
    ("import os\nos.environ['JOBS_START_METHOD'] = 'fork'\n", False),  # a write
    ("import os\nhome = os.environ.get('HOME')\n", False),
])
def test_environment_reads_for_the_start_method(source, read):
    facts = _start_method_facts(source)
    assert any(p.code == "CM211" for p in facts.selections) is read


def test_only_files_that_mention_start_methods_are_read(tmp_path, monkeypatch):
    """The closer look costs: a file without the words gets none, even where strip
    rewrites it; and a file that only may select a start method is read with
    ``ast`` alone, never parsed with libcst."""
    read, parsed = [], []
    original, original_parse = start_method.read_start_method, codemods.parsing.parse

    def recording(text, tree, predicates=()):
        read.append(text.splitlines()[0])
        return original(text, tree, predicates)

    def parse_recording(source, *rest):
        parsed.append(source.path.name)
        return original_parse(source, *rest)

    monkeypatch.setattr(start_method, "read_start_method", recording)
    monkeypatch.setattr(codemods.parsing, "parse", parse_recording)
    (tmp_path / "hooks.py").write_text(
        "# hooks\nclass A:\n    def __getstate__(self):\n        return {}\n")
    (tmp_path / "words.py").write_text("# words\ndef Process(): pass\n")  # no multiprocessing
    (tmp_path / "starts.py").write_text("# starts\nimport multiprocessing\n"
                                        "multiprocessing.Process().start()\n")
    result = run(StripCodemod(Settings()), [tmp_path], jobs=0)
    assert read == ["# starts"]
    assert parsed == ["hooks.py"]
    codes = {f.code for outcome in result.outcomes for f in outcome.findings}
    assert codes == {"CM209"}
    starts = next(o for o in result.outcomes if o.path.name == "starts.py")
    assert starts.status.name == "SKIPPED" and starts.old is not None


def test_a_file_read_from_its_text_is_parsed_when_it_names_a_job_pickler(tmp_path):
    """A job pickler found by its shape is known only to the plan: a file read with
    ``ast`` alone that imports it is parsed and rewritten after all, its
    start-method findings kept."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "jobs.py").write_text(
        "import copyreg\n\n\nclass Job:\n"
        "    def get_state_for_child_job_pickling(self):\n        return {}\n")
    (package / "packer.py").write_text(
        "import copyreg\nimport io\nimport pickle\n\nfrom .jobs import Job\n\n\n"
        "def _reduce_job(job):\n    return Job, (), job.get_state_for_child_job_pickling()\n\n\n"
        "def pack(job):\n    data = io.BytesIO()\n    pickler = pickle.Pickler(data)\n"
        "    pickler.dispatch_table = copyreg.dispatch_table.copy()\n"
        "    pickler.dispatch_table[Job] = _reduce_job\n    pickler.dump(job)\n"
        "    return data.getvalue()\n")
    (package / "run.py").write_text(
        "import multiprocessing\n\nfrom . import packer  # noqa: F401\n\n\ndef start(job):\n"
        "    multiprocessing.Process(target=print).start()\n")
    for jobs in (0, 2):
        result = run(StripCodemod(Settings()), [tmp_path], jobs=jobs)
        by_name = {o.path.name: o for o in result.outcomes}
        assert by_name["packer.py"].status.name == "CHANGED" and by_name["packer.py"].new is None
        run_outcome = by_name["run.py"]
        assert run_outcome.status.name == "CHANGED", run_outcome.findings
        assert "from . import packer" not in run_outcome.new
        assert any(f.code == "CM209" for f in run_outcome.findings), jobs


def test_a_file_ast_cannot_read_is_reported_for_start_methods():
    facts = read_start_method("import multiprocessing\nmultiprocessing.Process()\n", None)
    assert [p.code for p in facts.selections] == ["CM210"]
    assert "not read for start methods" in facts.selections[0].message
    assert not facts.sets_fork and not facts.default_starts


def test_start_method_findings_leave_exit_codes_alone(tmp_path):
    """Findings only: --check still exits 0 on a tree with nothing to rewrite, and
    the file that starts processes is reported, unchanged."""
    (tmp_path / "run.py").write_text(
        "import multiprocessing\n\n\ndef run(f):\n"
        "    multiprocessing.set_start_method('forkserver')\n"
        "    multiprocessing.Process(target=f).start()\n")
    result = invoke("--check", tmp_path)
    assert result.exit_code == cli.EXIT_OK
    assert "run.py:5:5: CM210 multiprocessing.set_start_method('forkserver') selects a start " \
        "method other than fork" in result.stderr
    assert "write multiprocessing.set_start_method('fork')" in result.stderr
    assert "CM209" not in result.stderr  # the fix of CM210 forces fork
    assert "0 files would change, 0 unchanged, 1 skipped with findings" in result.stderr


def test_a_link_to_nothing_does_not_stop_the_pickler_deletion(tree):
    (tree / "pkg" / "gone.py").symlink_to(tree / "pkg" / "nowhere.py")
    result = invoke(tree)
    assert "Traceback" not in result.stderr
    assert "gone.py:1:1: CM001 is a symbolic link to" in result.stderr
    assert not (tree / "pkg" / "pickler.py").exists()


@pytest.mark.parametrize("source, named", [
    ("# the jobpickler's protocol does not fit here\nx = 1\n", False),
    ("HELP = 'see jobpickler'\n", False),
    ("from .jobs.jobpickler import pickle_job\n", True),
    ("from .jobs import jobpickler as jp\n", True),
    ("import pkg.jobpickler\n", True),
    ("def f(jobpickler=None):\n    pass\n", True),
    ("x.jobpickler.pickle_job()\n", True),
])
def test_a_name_only_in_a_comment_or_string_is_no_use_of_it(source, named):
    """Which files strip reads with fully qualified names (a scope analysis):
    those whose code, not only a comment or a string, names the job pickler."""
    from codemods.read.text_facts import mentions_in_code

    assert mentions_in_code(source, ["jobpickler"]) is named
    assert mentions_in_code("def f(:\n  jobpickler", ["jobpickler"])  # ast cannot read it


def test_a_file_that_only_calls_hooks_is_parsed_only_when_the_plan_removes_them(
        tmp_path, monkeypatch):
    """A file whose ast shows nothing to remove (a hook called, the interface named
    in a comment) is not parsed while no file defines that hook; once one does,
    the call is reported (CM202), as a full read would."""
    parsed, original_parse = [], codemods.parsing.parse

    def parse_recording(source, *rest):
        parsed.append(source.path.name)
        return original_parse(source, *rest)

    monkeypatch.setattr(codemods.parsing, "parse", parse_recording)
    (tmp_path / "calls.py").write_text(
        "# no serialization here\n\ndef copy_state(thing):\n    return thing.__getstate__()\n")
    result = run(StripCodemod(Settings()), [tmp_path], jobs=0)
    assert parsed == []
    assert [o.status.name for o in result.outcomes] == ["UNCHANGED"]

    (tmp_path / "hooks.py").write_text(
        "class Thing:\n    def __getstate__(self):\n        return {}\n")
    parsed.clear()
    result = run(StripCodemod(Settings()), [tmp_path], jobs=0)
    assert sorted(parsed) == ["calls.py", "hooks.py"]
    calls = next(o for o in result.outcomes if o.path.name == "calls.py")
    assert [f.code for f in calls.findings] == ["CM202"]


@pytest.mark.parametrize("source", [
    "from .serialization import JobPickler\n\ndef pack(job):\n    return JobPickler(job)\n",
    "from . import serialization as s\n\nclass P(s.JobPickler):\n    pass\ns.JobPickler()\n",
    "import pkg.serialization\npkg.serialization.JobPickler()\n",
    "from .other import JobPickler\nJobPickler()\n",  # not the interface's
    "from .serialization import JobPickler\n\ndef f(JobPickler):\n    JobPickler()\n",
    "def f(job):\n    if x:\n        pass\n    elif not job.does_multiprocessing_start_require_pickling():\n"
    "        pass\n    if does_multiprocessing_start_require_pickling():\n        pass\n",
    "if not not does_multiprocessing_start_require_pickling():\n    pass\n",
])
def test_pickling_facts_from_ast_are_those_of_the_scope_analysis(source):
    """read/strip_facts.py against the libcst scanner it stands in for (which
    still reads the files this Python's ast cannot)."""
    from codemods.read.strip_facts import pickling_facts
    from codemods.write.strip_module import _Scanner

    predicates = ("does_multiprocessing_start_require_pickling",)
    tree = ast.parse(source)
    constructs, test = pickling_facts(tree, "pkg.serialization", "pkg", predicates)
    scanner = _Scanner("pkg.serialization", predicates)
    wrapper = cst.MetadataWrapper(cst.parse_module(source), cache=_full_names(source))
    wrapper.visit(scanner)
    expected_test = None
    if scanner.pickling_test is not None:
        start = wrapper.resolve(PositionProvider)[scanner.pickling_test].start
        expected_test = (start.line, start.column)
    assert constructs is scanner.constructs_job_pickler
    assert ((test.lineno, test.col_offset) if test is not None else None) == expected_test


def _full_names(source):
    """A fully qualified name cache for ``source`` as pkg/mod.py."""
    import tempfile
    from pathlib import Path

    from libcst.metadata import FullRepoManager, FullyQualifiedNameProvider

    root = Path(tempfile.mkdtemp())
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    path = root / "pkg" / "mod.py"
    path.write_text(source)
    manager = FullRepoManager(str(root), [str(path)], providers={FullyQualifiedNameProvider})
    return manager.get_cache_for_path(str(path))


PICKLER_PACKAGE = (
    "import io\nimport pickle\n\nfrom ..loader import Loader\n\n\ndef pickle_job(job):\n"
    "    buffer = io.BytesIO()\n    pickler = pickle.Pickler(buffer)\n"
    "    pickler.dispatch_table = {}\n    pickler.dispatch_table[Loader] = _reduce\n"
    "    pickler.dump(job)\n    return buffer\n\n\ndef _reduce(instance):\n"
    "    return type(instance), (), instance.get_state_for_child_job_pickling()\n")
LOADER = ("class Loader:\n    def __init__(self, fetch):\n        self._fetch = fetch\n\n"
          "    def get_state_for_child_job_pickling(self):\n        state = self.__dict__.copy()\n"
          "        del state['_fetch']\n        return state\n")


@pytest.mark.parametrize("user", [
    "from . import pickle_job\n\n\ndef run(job):\n    return pickle_job(job)\n",
    "from .. import jobs as j\n\n\ndef run(job):\n    return j.pickle_job(job)\n",
])
def test_a_use_of_the_job_pickler_through_a_relative_import_keeps_it(tmp_path, user):
    """The job pickler is a package's __init__; a module of that package uses it
    through ``from . import ...``, which names neither the pickler nor its package:
    still a use (CM204), and the pickler stays."""
    package = tmp_path / "pkg"
    (package / "jobs").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "loader.py").write_text(LOADER)
    (package / "jobs" / "__init__.py").write_text(PICKLER_PACKAGE)
    (package / "jobs" / "job.py").write_text(user)
    for jobs in (0, 1):
        result = run(StripCodemod(Settings()), [tmp_path], jobs=jobs)
        by_name = {o.path.name: o for o in result.outcomes}
        assert [f.code for f in by_name["job.py"].findings] == ["CM204"]
        assert by_name["job.py"].status.name == "SKIPPED"
        pickler = next(o for o in result.outcomes if o.path == package / "jobs" / "__init__.py")
        assert pickler.status.name == "SKIPPED"  # it stays


def test_messages_have_one_kind_of_line_end_and_ast_warnings_stay_quiet(tmp_path):
    source = ('import os, multiprocessing, re\r\n\r\nPATTERN = re.compile("\\d+")\r\n\r\n'
              'def main():\r\n    method = os.environ[\r\n        "APP_START_METHOD"]\r\n'
              '    multiprocessing.set_start_method(method)\r\n')
    (tmp_path / "app.py").write_bytes(source.encode())
    result = CliRunner().invoke(cli.main, ["strip", "--diff", str(tmp_path)],
                                catch_exceptions=False)
    assert "CM211" in result.output and "\r" not in result.output
    assert "os.environ[\n" in result.output
    assert "Warning" not in result.output


def test_a_file_not_read_for_start_methods_keeps_the_tree_from_a_guess():
    from codemods.start_method_facts import start_method_findings

    unread = read_start_method("multiprocessing.set_start_method('fork')\n", None)
    starts = read_start_method("import multiprocessing\nmultiprocessing.Process()\n",
                               ast.parse("import multiprocessing\nmultiprocessing.Process()\n"))
    found = start_method_findings({Path("a.py"): unread, Path("b.py"): starts}, [])
    codes = sorted(f.code for findings in found.values() for f in findings)
    assert codes == ["CM210"]  # "not read"; no CM209 that the unread file may belie


def test_names_bound_to_the_pickler_are_found_in_every_kind_of_block():
    from codemods.read.strip_facts import names_bound_to

    source = (
        "import os\n"
        "from .jobs import jobpickler as top\n"
        "def f():\n    from .jobs.jobpickler import pickle_job\n"
        "class C:\n    import pkg.jobs.jobpickler\n"
        "try:\n    pass\nexcept ImportError:\n    from .jobs import jobpickler as handler\n"
        "else:\n    from .jobs.jobpickler import other as orelse\n"
        "finally:\n    from . import jobs\n"
        "with open(x) as y:\n    if y:\n        for z in y:\n"
        "            while z:\n                from .jobs.jobpickler import deep\n"
        "value = (lambda: __import__('pkg.jobs.jobpickler'))\n")
    expected = {"top", "pickle_job", "pkg", "handler", "orelse", "jobs", "deep"}
    if sys.version_info >= (3, 10):
        source += "match x:\n    case 1:\n        from .jobs.jobpickler import in_case\n"
        expected.add("in_case")
    assert names_bound_to(ast.parse(source), "pkg", ["pkg.jobs.jobpickler"]) == expected


def _namespace_tree(tmp_path, import_line="from .. import tools"):
    """A package whose folder above has no __init__.py (a namespace package), with
    a file that uses the interface and imports from above its top package."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    text = ("from .serialization import JobSerializable, clear\n\n\n"
            f"def helper():\n    {import_line}\n    return tools\n\n\n"
            "@clear(\"lock\")\nclass Job(JobSerializable):\n    pass\n")
    (package / "mod.py").write_text(text)
    return package / "mod.py", text


def test_a_relative_import_above_the_top_package_is_reported_not_an_internal_error(tmp_path):
    path, text = _namespace_tree(tmp_path)
    result = run(StripCodemod(Settings()), [tmp_path], jobs=0)
    outcome = next(o for o in result.outcomes if o.path == path)
    assert outcome.status.value == "failed" and outcome.new is None
    assert [f.format() for f in outcome.findings] == [
        f"{path}:5:5: CM012 the relative import `from .. import ...` reaches above pkg, the "
        "file's top package (the folder above it has no __init__.py): its names cannot be "
        "resolved; left as it was"]
    assert path.read_text() == text


def test_an_import_within_the_top_package_is_rewritten(tmp_path):
    path, _ = _namespace_tree(tmp_path, "from . import tools")
    result = run(StripCodemod(Settings()), [tmp_path], jobs=0)
    outcome = next(o for o in result.outcomes if o.path == path)
    assert outcome.status.value == "changed" and "@clear" not in outcome.new


def test_other_import_errors_stay_internal_errors(tmp_path, monkeypatch):
    import codemods.write.strip_module as strip_module  # noqa: PLC0415

    path, _ = _namespace_tree(tmp_path, "from . import tools")

    def broken(*args, **kwargs):
        raise ImportError("attempted relative import beyond top-level package")

    monkeypatch.setattr(strip_module, "strip_file", broken)
    result = run(StripCodemod(Settings()), [tmp_path], jobs=0)
    outcome = next(o for o in result.outcomes if o.path == path)
    assert [f.code for f in outcome.findings] == ["CM900"]


@pytest.mark.parametrize("package", ["", "pkg", "a.b", "a.b.c"])
def test_relative_imports_above_the_package_are_those_libcst_cannot_qualify(package):
    from libcst.metadata.name_provider import FullyQualifiedNameVisitor

    from codemods.read.text_facts import relative_imports_above

    for level in range(1, 6):
        source = f"def f():\n    from {'.' * level}x import y\n"
        found = relative_imports_above(ast.parse(source), package)
        try:
            FullyQualifiedNameVisitor._fully_qualify_local(package or "m", package,
                                                           "." * level + "x.y")
            raises = False
        except ImportError:
            raises = True
        assert bool(found) == raises, (package, level)
        if found:
            assert found == [(2, 4, f"from {'.' * level}x import ...")]


def test_a_sigterm_of_an_earlier_run_in_the_process_does_not_end_this_one(tree):
    # The command line run twice in one process (as the tests do): a SIGTERM the
    # first run received does not make the second's review end as interrupted.
    cli._TERMINATED.append(15)
    result = invoke("--interactive", tree, input="y\ny\n")
    assert result.exit_code == cli.EXIT_OK, result.output
    assert not cli._TERMINATED
