"""Every finding code: what it means, an example, and the fix a person makes.

One table for all of them: ``python -m codemods rules`` prints it, the SARIF
report takes its rule descriptions from it, and a test requires that every code
the package can emit is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # a short slug, as SARIF's `name` and ruff's rule names
    summary: str  # one line
    explanation: str  # what it means, and why the tool stops there
    example: str  # a finding as the tool prints it
    fix: str  # what a person does about it
    level: str  # the default severity: "error", "warning" or "info"


_RULES = [
    # CM0xx: files that could not be processed.
    Rule("CM001", "unreadable-file", "The file cannot be read, or is not text.",
         "The file could not be opened, or its bytes are not text in the encoding it declares "
         "(PEP 263 cookie or BOM; UTF-8 otherwise). Nothing in it was looked at.",
         "src/pkg/data.py:1:1: CM001 is not valid utf-8 text, and declares no other encoding",
         "Fix the file's encoding or permissions, or exclude it (`--exclude`).", "error"),
    Rule("CM002", "does-not-parse", "The file does not parse as Python.",
         "libcst could not parse the file (a syntax error, or syntax newer than the installed "
         "libcst understands). The file is left as it was; the run goes on.",
         "src/pkg/broken.py:3:9: CM002 does not parse: expected ':'",
         "Fix the syntax error, or upgrade libcst for newer syntax.", "error"),
    Rule("CM003", "too-deeply-nested", "The file nests too deeply for the parser.",
         "The parser or printer ran out of recursion depth (or crashed) on deeply nested "
         "brackets or expressions. Such files run in a process of their own, and the file is "
         "left as it was.",
         "src/pkg/table.py:1:1: CM003 nests too deeply for the parser (RecursionError)",
         "Rewrite the hooks of that file by hand, or flatten the nested expression.", "error"),
    Rule("CM004", "misprinted-line", "The rewrite touches a line libcst does not print back.",
         "libcst does not reproduce a few lines byte for byte (a known libcst bug); the tool "
         "then applies only its rewrite to the original text, and refuses a rewrite that would "
         "touch such a line.",
         ('src/pkg/job.py:40:1: CM004 libcst does not print this line back unchanged (a known libcst round-trip bug) and the rewrite touches it; left as it was'),
         "Rewrite that class by hand, or reformat the named line and run again.", "warning"),
    Rule("CM005", "cannot-write", "The new text could not be written.",
         "The file is read-only or the write failed; writes are atomic, so the file is as it "
         "was.",
         "src/pkg/job.py:1:1: CM005 is read-only; left as it was",
         "Make the file writable and run again.", "error"),
    Rule("CM006", "declined", "The change was declined in `--interactive` review.",
         "You answered no (or quit) for this file; nothing was written to it.",
         "src/pkg/job.py:1:1: CM006 declined in review; not written",
         "Nothing to fix; run again to review it once more.", "info"),
    Rule("CM007", "deletion-held-back", "A file deletion was held back.",
         "A module is deleted only once every file that imported it changed too; another "
         "change was declined or could not be written, so the module stays.",
         "src/pkg/jobpickler.py:1:1: CM007 not deleted: another change was declined or could "
         "not be written",
         "Resolve the other file's finding, then run again.", "warning"),
    Rule(
        "CM008",
        "time-limit",
        "The file took longer than the per-file time limit.",
        "Parsing or rewriting one file took longer than `--timeout` seconds (60 by default); "
        "the worker process working on it was stopped, and the run went on without it. "
        "libcst's parser can spin for minutes on a pathological file (an expression of "
        "thousands of terms).",
        "src/pkg/table.py:1:1: CM008 took longer than 60 s to parse or rewrite (the per-file "
        "time limit, --timeout); left as it was",
        "Rewrite that file's hooks by hand, or raise `--timeout`.",
        "error",
    ),
    Rule(
        "CM009",
        "changed-on-disk",
        "The file changed on disk while the tool ran.",
        "Between reading the file and writing the rewrite, another process (an editor, a "
        "formatter, a checkout) changed, removed or created it. The tool never overwrites "
        "such a file: it keeps the other process's content.",
        "src/pkg/job.py:1:1: CM009 changed on disk since it was read (another process or "
        "editor?); left with its new content: run again",
        "Run the command again on the new content.",
        "error",
    ),
    Rule(
        "CM010",
        "link-not-followed",
        "A symbolic link was not followed.",
        "Discovery does not follow a symbolic link that leaves the tree given, or that "
        "leads back into a folder already walked (a loop): what it points to is not part of "
        "this run.",
        "src/pkg/vendored:1:1: CM010 is a symbolic link out of the tree (to /opt/lib/vendored); "
        "not followed",
        "Nothing to fix; give the link's target as a path of its own to include it.",
        "info",
    ),
    Rule("CM011", "would-change", "The command would change the file (SARIF, dry run).",
         "In a dry run (`--check`), the SARIF report gives each file the command would "
         "rewrite, create or delete a result of its own, so that a code-scanning view shows "
         "what a run without `--check` would do.",
         "src/pkg/job.py:1:1: CM011 migrate would change this file (a dry run: nothing was "
         "written)",
         "Run the command without `--check`, review the diff, and commit it.", "warning"),
    Rule("CM012", "relative-import-above-package",
         "A relative import reaches above the file's top package.",
         "Names are resolved (libcst's fully qualified names) from the file's top package: "
         "going up from the file, the last folder that holds an `__init__.py`. A relative import with "
         "more dots than that package has levels (`from .. import x` in `pkg/mod.py`, often "
         "below a namespace package, whose folder has no `__init__.py`) names a module no "
         "name resolution can place, and the rewrite needs those names to be sure of what it "
         "removes. The file is left as it was.",
         "src/pkg/job.py:5:5: CM012 the relative import `from .. import ...` reaches above "
         "pkg, the file's top package (the folder above it has no __init__.py): its names "
         "cannot be resolved; left as it was",
         "Run the command on the folder that holds the whole package, add the missing "
         "`__init__.py`, or make the import absolute.", "error"),
    # CM1xx: hooks migrate leaves.
    Rule("CM101", "unsupported-shape", "A hook whose shape migrate does not rewrite.",
         "The hook does something the declarations cannot say exactly (a condition, a "
         "computed value, a tuple or hand-picked state, `__slots__`, a class inside a "
         "function, ...). The class is left byte for byte; the message names the statement.",
         ('src/pkg/job.py:12:9: CM101 Job: __getstate__() has a condition; only straight-line edits (and deletions guarded by `if k in state` or `except KeyError`) are migrated'),
         "Keep the hook, or rewrite it by hand with `@custom` for the computed member.",
         "warning"),
    Rule("CM102", "hierarchy-blocks", "The class's hierarchy does not let it drop its hooks.",
         "A base cannot be resolved, comes from outside the tree, defines `__reduce__` or "
         "keeps hand-written hooks, or a subclass's own hook keeps a member the new "
         "declarations would clear. Migrating the class alone could change what its "
         "subclasses or bases pickle.",
         ('src/pkg/job.py:8:1: CM102 Job: its base thirdparty.widgets.Widget is outside the tree; migrate cannot see whether it takes part in pickling'),
         "Migrate the named base first (or together), or keep the hooks.", "warning"),
    Rule("CM103", "interface-renamed", "The interface module went to another name.",
         "The package has a module of the default name (`serialization`) of its own, so "
         "migrate wrote the interface under the first free name.",
         "src/pkg/job_serialization.py:1:1: CM103 the project has a module pkg.serialization "
         "of its own, so the interface goes to pkg.job_serialization",
         "Nothing to fix; pass `--interface-module` to choose the name.", "info"),
    Rule("CM104", "withheld-with-failed-file", "A change withheld because a file it goes with failed.",
         "Some rewrites go together: for migrate, a class and its bases or subclasses with "
         "hooks, and a job pickler with the classes whose entries it drops; for strip, a file "
         "that still names a job-state method or predicate, and the file that defines it. When "
         "one of those files cannot be rewritten or written (it took too long, crashed the "
         "parser, is read-only, ...), the others are left as they were, so that nothing loses "
         "a method the unchanged file still calls.",
         "src/pkg/job.py:1:1: CM104 left as it was: its rewrite goes with that of "
         "src/pkg/jobpickler.py (CM005), which failed; fix that file and run again",
         "Fix the named file (see its own finding) and run again.", "warning"),
    # CM2xx: what strip cannot do safely.
    Rule("CM201", "cython-hook", "A job-pickling hook in a Cython file.",
         "strip rewrites Python files only; a hook in a `.pyx` file is reported.",
         "src/pkg/node.pyx:40:5: CM201 __getstate__() is a job-pickling hook in a Cython "
         "file, which strip does not rewrite: remove it by hand",
         "Remove the hook by hand.", "warning"),
    Rule("CM202", "removed-method-called", "A call of a method strip removed.",
         "Code outside what strip removes calls a hook or job-state method strip removes. The "
         "call is left as it was; a job-state method's definitions then stay too (their files "
         "are held back, CM104) until the call goes.",
         ('src/pkg/app.py:30:5: CM202 calls get_state_for_child_job_pickling(), which strip removes; left as it was'),
         "Remove or rewrite the call.", "warning"),
    Rule("CM203", "predicate-used", "A pickling predicate used other than as an `if` test.",
         "strip takes the predicate as always false only where it is the test of an `if`; "
         "elsewhere (stored, passed, combined) it cannot tell what the code means.",
         ('src/pkg/app.py:18:12: CM203 does_multiprocessing_start_require_pickling() is used other than as the test of an if; strip takes it as always false only there: left as it was'),
         "Rewrite the use as if it returned False, then run again.", "warning"),
    Rule("CM204", "pickler-used", "A use of the job pickler strip deletes.",
         "Something other than an import uses a name the deleted job-pickler module defined.",
         ('src/pkg/job.py:70:9: CM204 uses unpickle_job (pkg.jobs.pickler.unpickle_job) of the job pickler; left as it was, with its import, and the job pickler stays'),
         "Replace the use (start the job with fork, without pickling) and run again.",
         "warning"),
    Rule("CM205", "interface-used", "A use of the interface no rule removes.",
         "A name from the migrate interface is used in a way strip does not rewrite (not a "
         "decorator, base or import).",
         ('src/pkg/job.py:9:5: CM205 uses SerializationError (pkg.serialization.SerializationError) of the serialization interface other than in a declaration strip removes; left as it was, and the interface module stays'),
         "Remove the use by hand.", "warning"),
    Rule("CM206", "pickler-only-function", "A function only the deleted job pickler called.",
         "The job pickler called this function; with the pickler gone it may be unused.",
         ('src/pkg/node.pyx:16:1: CM206 restore_counters() (Cython, which strip does not rewrite) was called by the job pickler pkg.jobs.pickler, which strip deletes, and may be unused now: remove it if nothing else uses it'),
         "Remove it if nothing else uses it.", "warning"),
    Rule("CM207", "restore-method-uncalled", "An `@on_restore` method nothing calls any more.",
         "With the decorator gone nothing runs the method after unpickling; it may be dead "
         "code now, or needed elsewhere.",
         ('src/pkg/job.py:20:5: CM207 _on_restore() ran only after unpickling (@on_restore) and nothing in this file calls it; remove it if nothing else does'),
         "Remove it, or call it where it is needed.", "warning"),
    Rule("CM208", "module-kept", "A module strip would delete is kept.",
         "Files strip did not rewrite mention the module (the job pickler or the interface), "
         "so deleting it could break them.",
         "src/pkg/jobpickler.py:1:1: CM208 not deleted: 1 file(s) that strip did not rewrite "
         "mention 'jobpickler' (first: tests/test_jobs.py)",
         "Remove the mentions, then delete the module.", "warning"),
    Rule("CM209", "fork-not-forced", "Nothing in the tree forces the `fork` start method.",
         "After strip nothing is pickled to start a process, so processes must start with "
         "`fork`; Python 3.14 made `forkserver` the Linux default, and macOS uses `spawn`.",
         ('src/pkg/scheduler.py:30:9: CM209 starts a process, and nothing in the tree forces fork: the default start method (forkserver on Linux since Python 3.14, spawn on macOS) would pickle the job; call multiprocessing.set_start_method("fork") at the program\'s start'),
         "Call `multiprocessing.set_start_method(\"fork\")` at the program's start, or use "
         "`multiprocessing.get_context(\"fork\")` where processes are made.", "warning"),
    Rule("CM210", "other-start-method", "Code that selects (or can select) another start method.",
         "A `set_start_method(...)`, `get_context(...)` or `mp_context=` that is not `fork`, "
         "or not known to be; or a file this Python's `ast` cannot parse (newer syntax), "
         "whose start methods were not read.",
         ('src/pkg/app.py:5:11: CM210 mp.get_context("spawn") selects a start method other than fork, which would pickle the job: write mp.get_context("fork")'),
         "Make it select \"fork\".", "warning"),
    Rule("CM211", "start-method-from-env", "An environment variable chooses the start method.",
         "The start method is read from the environment, so a user can choose one that "
         "pickles.",
         ('src/pkg/app.py:4:14: CM211 os.environ.get("JOBS_MP", "spawn") lets the environment choose the start method, which must be fork (the others would pickle the job): drop the read and use "fork"'),
         "Always use \"fork\"; drop the variable.", "warning"),
    # CM3xx: what check reports.
    Rule("CM301", "hook", "A pickling hook (check).",
         "A class with hooks, and what migrate and strip would do with it.",
         "src/pkg/job.py:8:1: CM301 pkg.job.Job: __getstate__; migrate: 1 member(s) declared "
         "with @clear; strip: removed",
         "Run `migrate` or `strip`.", "info"),
    Rule("CM302", "job-pickler-entries", "A job pickler's per-class entries (check).",
         "migrate removes the job pickler's per-class `dispatch_table` entries.",
         "src/pkg/jobpickler.py:1:1: CM302 migrate: the job pickler's per-class entries are "
         "removed",
         "Run `migrate` or `strip`.", "info"),
    # CM9xx: internal errors.
    Rule("CM900", "internal-error", "An internal error; the file is left as it was.",
         "A rule crashed, or the self-check found that the declarations written do not say "
         "what the old hooks did. The file is not changed.",
         "src/pkg/job.py:1:1: CM900 internal error: the self-check failed for class Job; file "
         "left as it was (please report this)",
         "Please report it, with the class's hooks; rewrite that class by hand meanwhile.",
         "error"),
]

RULES: Dict[str, Rule] = {rule.code: rule for rule in _RULES}


def describe(rule: Rule) -> str:
    """The rule as ``python -m codemods rules CODE`` prints it."""
    return (f"{rule.code} ({rule.name}, {rule.level})\n\n{rule.summary}\n\n{rule.explanation}\n\n"
            f"Example:\n    {rule.example}\n\nFix: {rule.fix}\n")
