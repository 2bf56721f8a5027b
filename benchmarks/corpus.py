"""Run the codemods on real packages from PyPI and look for defects.

    .venv/bin/python benchmarks/corpus.py [--workdir DIR] [--jobs N] [--only NAME]
                                          [--json FILE] [--no-equivalence] [--tool-rev REV]

For each package pinned in ``corpus_packages.txt`` (``name==version`` a line) this script:

1. downloads its wheel for the running interpreter (``pip download --no-deps --only-binary
   :all:``; the sdist where there is no wheel) into ``<workdir>/cache`` (kept for later runs),
   and unpacks what it installs (its package directories and top-level modules, not its
   ``.dist-info``; for an sdist the package directories only, not a separate ``tests/``) into a
   fresh ``<workdir>/trees/<name>/original`` and ``.../migrated``;
2. counts the ground truth with the stdlib ``ast``, independently of the tool: every
   ``__getstate__``, ``__setstate__`` and job-state method defined in a class body, with line;
3. runs ``python -m codemods check --format json``, ``migrate --format json`` and then
   ``migrate --check --format json`` on the migrated copy (subprocesses, ``-j`` as given);
4. prints a table per package and totals (files, hooks found, hooks rewritten = hooks before
   minus hooks after by the ast count, findings by code and by normalised reason, wall time);
5. lists every DEFECT with file and line:
   crash       the tool exited other than 0/1/3, printed a Traceback, timed out or printed
               JSON that does not parse
   syntax      a file migrate wrote does not compile() any more
   pyflakes    a new ``ruff check --select F`` finding (rule and message, lines ignored)
   idempotence the second migrate run (``--check``) would change something
   comment     a ``#`` comment of a changed file is gone (except a banner block right above a
               removed method that names it, such as ``# __getstate__()``)
   import      an interface import written by migrate that cannot work: its module is not a
               file in the tree that defines the names, or lies outside the importing file's
               top-level package
   silent      a hook still there after migrate without a migrate finding inside its class
               (a file-level CM0xx/CM900 finding counts for every hook in its file)
   equivalence a migrated class that ``cls()`` can build pickles back (default protocol) to
               another type, other ``__dict__``/slot keys, value types or value reprs, or fails
               otherwise than before
   import-regression  a module migrate changed imports in the original copy, not in the
               migrated one
6. exits 0 when there is no defect, 1 otherwise (2: a package could not be had).

Equivalence and imports run in a corpus venv, ``<workdir>/venv``, into which pip installs the
listed packages with their dependencies (once; reused while the list is unchanged); the copy
under test comes first on ``sys.path``. Skip it with ``--no-equivalence``.

The tool is the checkout this script lives in (its ``codemods`` package, run with this
interpreter); ``--tool-rev REV`` runs a ``git archive`` snapshot of that revision instead, so
that a baseline is not disturbed by edits in the work tree. ``--self-test`` checks the
detectors offline in a few seconds. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import collections
import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tokenize
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
DEFAULT_LIST = HERE / "corpus_packages.txt"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "codemods-corpus"
STATE_HOOKS = ("__getstate__", "__setstate__")
JOB_METHODS = ("get_state_for_child_job_pickling", "_get_args_for_child_job_pickling")
INTERFACE_NAMES = frozenset({
    "ALWAYS", "JOB", "JobPickler", "JobSerializable", "JobUnserializable", "SerializationError",
    "UnserializableError", "clear", "custom", "job_state", "on_restore",
})
TOOL_TIMEOUT = 1800  # seconds, per tool run
EQUIV_TIMEOUT = 600  # seconds, per equivalence subprocess
ITEM_TIMEOUT = 20  # seconds, per import or per class inside it
SAFE_TAR = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
SKIP_DIRS = {"tests", "test", "testing", "docs", "doc", "examples", "benchmarks", "bench"}


# --- the package list and the downloads ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pin:
    name: str
    version: str

    @property
    def key(self) -> str:
        return normalise_name(self.name)


def normalise_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def read_pins(path: Path) -> list[Pin]:
    pins = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        if not sep or not name.strip() or not version.strip():
            raise SystemExit(f"{path}:{number}: expected name==version, got {raw!r}")
        pins.append(Pin(name.strip(), version.strip()))
    return pins


def download(pin: Pin, cache: Path, log) -> Path:
    """The wheel (or sdist) of ``pin`` in the cache, downloaded when not there yet."""
    folder = cache / f"{pin.key}-{pin.version}"
    found = sorted(folder.glob("*.whl")) + sorted(folder.glob("*.tar.gz")) + sorted(
        folder.glob("*.zip"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    python_version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    base = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder)]
    attempts = [
        base + ["--only-binary", ":all:", "--python-version", python_version,
                f"{pin.name}=={pin.version}"],
        base + ["--no-binary", ":all:", f"{pin.name}=={pin.version}"],
    ]
    errors = []
    for command in attempts:
        log(f"  downloading {pin.name}=={pin.version}")
        done = subprocess.run(command, capture_output=True, text=True)
        found = sorted(folder.glob("*.whl")) + sorted(folder.glob("*.tar.gz")) + sorted(
            folder.glob("*.zip"))
        if found:
            return found[0]
        errors.append(done.stderr.strip().splitlines()[-1:] or ["(no output)"])
    raise RuntimeError(f"pip download failed: {errors}")


def unpack(artifact: Path, into: Path) -> None:
    """What the wheel installs (no .dist-info/.data), or an sdist's package directories."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    if artifact.suffix == ".whl":
        with zipfile.ZipFile(artifact) as archive:
            for member in archive.infolist():
                top = member.filename.split("/", 1)[0]
                if top.endswith((".dist-info", ".data")) or member.is_dir():
                    continue
                target = into / member.filename
                if not target.resolve().is_relative_to(into.resolve()):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(member))
                mode = member.external_attr >> 16
                if mode & 0o111:
                    target.chmod(0o755)
        return
    with tempfile.TemporaryDirectory() as scratch:
        if artifact.suffix == ".zip":
            with zipfile.ZipFile(artifact) as archive:
                archive.extractall(scratch)
        else:
            with tarfile.open(artifact) as archive:
                archive.extractall(scratch, **SAFE_TAR)
        tops = [p for p in Path(scratch).iterdir() if p.is_dir()]
        source = tops[0] if len(tops) == 1 else Path(scratch)
        if (source / "src").is_dir():
            source = source / "src"
        for entry in sorted(source.iterdir()):
            if entry.is_dir() and (entry / "__init__.py").exists() and entry.name not in SKIP_DIRS:
                shutil.copytree(entry, into / entry.name)
            elif entry.suffix == ".py" and entry.name not in ("setup.py", "conftest.py"):
                shutil.copy2(entry, into / entry.name)


# --- ground truth with ast ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Hook:
    qualname: str  # of the class, "<locals>" for a function on the way
    method: str
    line: int
    class_start: int  # first decorator or the class line
    class_end: int
    calls_job_state: bool = False  # the kept form: ``return <expr>, job_state(self)``

    @property
    def in_function(self) -> bool:
        return "<locals>" in self.qualname


def read_source(path: Path) -> str | None:
    try:
        data = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


def parse(text: str | None) -> ast.Module | None:
    if text is None:
        return None
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def find_hooks(tree: ast.Module, names) -> list[Hook]:
    """Every method named in ``names`` defined in a class body (inside ``if``/``try`` of the
    body too), in classes at any depth, classes in functions included."""
    hooks = []

    def visit(node, qual, klass):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                start = min([d.lineno for d in child.decorator_list] + [child.lineno])
                visit(child, qual + [child.name], (qual + [child.name], start, child.end_lineno))
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if klass is not None and child.name in names:
                    calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                                and n.func.id == "job_state" for n in ast.walk(child))
                    hooks.append(Hook(".".join(klass[0]), child.name, child.lineno, klass[1],
                                      klass[2], calls))
                visit(child, qual + [child.name, "<locals>"], None)
            elif isinstance(child, ast.Lambda):
                visit(child, qual + ["<lambda>", "<locals>"], None)
            else:
                visit(child, qual, klass)

    visit(tree, [], None)
    return hooks


def class_dumps(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """qualname -> (ast.dump, line) of every class reachable by attribute access from its
    module."""
    found = {}

    def visit(body, qual):
        for node in body:
            if isinstance(node, ast.ClassDef):
                name = ".".join(qual + [node.name])
                found[name] = (ast.dump(node), node.lineno)
                visit(node.body, qual + [node.name])
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body + node.orelse + getattr(node, "finalbody", []), qual)

    visit(tree.body, [])
    return found


def comments(text: str) -> list[tuple[int, str]] | None:
    try:
        return [(t.start[0], t.string) for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def compiles(text: str, name: str) -> str | None:
    try:
        compile(text, name, "exec", dont_inherit=True)
        return None
    except (SyntaxError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    except RecursionError:
        return None  # too deep for this interpreter before and after; not the tool's doing


# --- normalising findings ----------------------------------------------------------------


KEPT_WORDS = INTERFACE_NAMES | set(JOB_METHODS) | {
    "self.__dict__", "self", "vars", "dispatch_table", "reducer_override", "libcst", "pickle",
    "copy.copy", "dict", "list", "set", "return", "del", "assert", "state", "raise", "cls",
    "Pickler", "pickle.Pickler", "collections.abc", "__init_subclass__", "Python"}
PROTECTED = ("self.__dict__.update(state)", "super().__setstate__(state)", "job_state(self)",
             "(s)", "vars(self)")


def normalise_reason(code: str, message: str) -> str:
    """A finding's message with class, member and other names taken out, so reasons group:
    the leading ``Class:``, quoted strings, non-empty parentheses, code after ``raises`` or
    ``returns``, and every identifier that is not a plain lower-case word, a dunder, an
    exception or a name of the interface (``…`` stands for each)."""
    text = message
    if code.startswith("CM1") or code in ("CM301", "CM900"):
        text = re.sub(r"^[\w.<>]+: ", "", text)
    text = re.sub(r"self\.__dict__\.update\(\w+\)", "self.__dict__.update(state)", text)
    text = re.sub(r"super\(\)\.__setstate__\(\w+\)", "super().__setstate__(state)", text)
    text = re.sub(r"(it starts with|before restoring the state|a copy of self\.__dict__): .*",
                  r"\1: …", text, flags=re.S)
    text = re.sub(r"(?<!\w)'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", "'…'", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\bclass (\S+) (defines|has|is)\b", r"class … \2", text)
    for number, phrase in enumerate(PROTECTED):
        text = text.replace(phrase, chr(0xE000 + number))
    text = text.replace("()", "\uE200")  # a call or a method name, not code to collapse
    previous, collapsed = None, {"(": "\uE100", "[": "\uE101", "{": "\uE102"}
    while previous != text:  # collapse brackets with code in them, innermost first
        previous = text
        text = re.sub(r"\(([^()]+)\)|\[([^\[\]]+)\]|\{([^{}]+)\}",
                      lambda m: collapsed[m.group(0)[0]], text)
    for opening, mark in collapsed.items():
        text = text.replace(mark, opening + "…" + {"(": ")", "[": "]", "{": "}"}[opening])
    text = text.replace("\uE200", "()")
    text = re.sub(r"(\w+\(\) raises) .*?; ", r"\1 …; ", text)
    text = re.sub(r"(\w+\(\) returns) (?!a tuple|nothing)(.+?)(: the other|, not the edited)",
                  r"\1 …\3", text)
    text = re.sub(r"(not a plain edit): .*", r"\1: …", text)

    def name(match):
        word = match.group(0)
        if (re.fullmatch(r"[a-z]+", word) or word in KEPT_WORDS or re.fullmatch(r"__\w+__", word)
                or word.endswith(("Error", "Exception")) or re.fullmatch(r"CM\d+", word)):
            return word
        return "…"

    text = re.sub(r"(?<![\w.@'])[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*", name, text)
    text = re.sub(r"…(?:, …)+", "…", text)
    text = re.sub(r"\b\d+\b", "N", text)
    for number, phrase in enumerate(PROTECTED):
        text = text.replace(chr(0xE000 + number), phrase)
    return text


def normalise_pyflakes(message: str) -> str:
    return re.sub(r"\bline \d+", "line N", message)


# --- one package -------------------------------------------------------------------------


@dataclasses.dataclass
class Defect:
    kind: str
    package: str
    path: str
    line: int
    detail: str

    def format(self) -> str:
        return f"{self.kind:17} {self.package}/{self.path}:{self.line}: {self.detail}"


@dataclasses.dataclass
class Result:
    name: str
    version: str
    artifact: str = ""
    files: int = 0
    hooks_before: int = 0
    hooks_after: int = 0
    hooks_in_functions: int = 0
    changed: int = 0
    new_files: list = dataclasses.field(default_factory=list)
    deleted_files: list = dataclasses.field(default_factory=list)
    check_codes: dict = dataclasses.field(default_factory=dict)
    migrate_codes: dict = dataclasses.field(default_factory=dict)
    check_reasons: dict = dataclasses.field(default_factory=dict)
    migrate_reasons: dict = dataclasses.field(default_factory=dict)
    exit_codes: dict = dataclasses.field(default_factory=dict)
    tool_seconds: float = 0.0
    seconds: float = 0.0
    equivalence: dict = dataclasses.field(default_factory=dict)
    equivalence_classes: list = dataclasses.field(default_factory=list)  # migrated ones
    check_findings: list = dataclasses.field(default_factory=list)  # [path, line, code, message]
    migrate_findings: list = dataclasses.field(default_factory=list)
    defects: list = dataclasses.field(default_factory=list)
    error: str = ""

    @property
    def rewritten(self) -> int:
        return self.hooks_before - self.hooks_after


class Tool:
    """How to run the codemods and ruff."""

    def __init__(self, python: str, source: Path | None, jobs: int | None, job_methods):
        self.python = python
        self.source = source
        self.jobs = jobs
        self.job_methods = list(job_methods)
        # The tool runs in the tree's root: keep the tree's packages off its sys.path (3.11+).
        self.env = dict(os.environ, PYTHONSAFEPATH="1")
        if source is not None:
            self.env["PYTHONPATH"] = os.pathsep.join(
                [str(source)] + ([self.env["PYTHONPATH"]] if self.env.get("PYTHONPATH") else []))
        ruff = Path(python).parent / "ruff"
        self.ruff = str(ruff) if ruff.exists() else shutil.which("ruff")

    def codemods(self, *arguments, cwd: Path):
        command = [self.python, "-m", "codemods", *arguments]
        if self.jobs:
            command += ["-j", str(self.jobs)]
        for name in self.job_methods:
            command += ["--job-method", name]
        started = time.perf_counter()
        try:
            done = subprocess.run(command + ["."], cwd=cwd, env=self.env, capture_output=True,
                                  text=True, timeout=TOOL_TIMEOUT, stdin=subprocess.DEVNULL)
            code, out, err = done.returncode, done.stdout, done.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = "timeout", exc.stdout or "", exc.stderr or ""
            out = out.decode() if isinstance(out, bytes) else out
            err = err.decode() if isinstance(err, bytes) else err
        return code, out, err, time.perf_counter() - started

    def pyflakes(self, root: Path, paths: list[str]) -> dict[str, list[tuple[str, str, int]]]:
        """rel path -> [(code, normalised message, line)]; {} without ruff."""
        found = collections.defaultdict(list)
        if not self.ruff or not paths:
            return found
        for start in range(0, len(paths), 200):
            chunk = paths[start:start + 200]
            done = subprocess.run(
                [self.ruff, "check", "--isolated", "--no-cache", "--select", "F",
                 "--target-version", f"py{sys.version_info[0]}{sys.version_info[1]}",
                 "--output-format", "json", "--exit-zero", *chunk],
                cwd=root, capture_output=True, text=True)
            for item in json.loads(done.stdout or "[]"):
                rel = os.path.relpath(item["filename"], root)
                found[rel].append((item.get("code") or "syntax",
                                   normalise_pyflakes(item["message"]),
                                   (item.get("location") or {}).get("row", 0)))
        return found


def tree_files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*"))
            if p.suffix in (".py", ".pyi") and p.is_file() and not p.is_symlink()}


def module_name(rel: str) -> str | None:
    if not rel.endswith(".py"):
        return None
    parts = rel[:-3].split(os.sep)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)


def tool_json(kind: str, code, out: str, err: str, result: Result, defects: list):
    """The parsed JSON of one tool run, and a crash defect when it crashed."""
    result.exit_codes[kind] = code
    problems = []
    if code == "timeout":
        problems.append(f"timed out after {TOOL_TIMEOUT}s")
    elif code not in (0, 1, 3):
        problems.append(f"exit code {code}")
    if "Traceback" in err:
        problems.append("Traceback on stderr")
    data = None
    try:
        data = json.loads(out)
    except json.JSONDecodeError:
        problems.append("stdout is not JSON")
    if problems:
        tail = " | ".join(line.strip() for line in err.strip().splitlines()[-4:])
        path, line = "", 0
        match = re.findall(r'File "([^"]+)", line (\d+)', err)
        if match:
            path, line = match[-1][0], int(match[-1][1])
        defects.append(Defect("crash", result.name, path or f"({kind})", line,
                              f"{kind}: {', '.join(problems)}: {tail[:400]}"))
    return data or {"files": []}


def findings_of(data: dict, root: Path) -> dict[str, list[dict]]:
    by_file = collections.defaultdict(list)
    # report version 1: a flat list; before (a --tool-rev run): findings per file
    found = data["findings"] if "version" in data else [
        finding for entry in data.get("files", []) for finding in entry.get("findings", [])]
    for finding in found:
        path = Path(finding["path"])
        rel = os.path.relpath(path if path.is_absolute() else root / path, root)
        by_file[rel].append(finding)
    return by_file


def process(pin: Pin, artifact: Path, workdir: Path, tool: Tool, corpus_python: str | None,
            log) -> Result:
    started = time.perf_counter()
    result = Result(pin.name, pin.version, artifact.name)
    defects: list[Defect] = []
    base = workdir / "trees" / pin.key
    original, migrated = base / "original", base / "migrated"
    unpack(artifact, original)
    if migrated.exists():
        shutil.rmtree(migrated)
    shutil.copytree(original, migrated, symlinks=True)

    hook_names = set(STATE_HOOKS) | set(JOB_METHODS) | set(tool.job_methods)
    before_files = tree_files(original)
    result.files = len(before_files)
    before = {}  # rel -> (text, tree, hooks)
    for rel, path in before_files.items():
        text = read_source(path)
        tree = parse(text)
        hooks = find_hooks(tree, hook_names) if tree else []
        before[rel] = (text, tree, hooks)
        result.hooks_before += len(hooks)
        result.hooks_in_functions += sum(h.in_function for h in hooks)

    code, out, err, seconds = tool.codemods("check", "--format", "json", cwd=migrated)
    result.tool_seconds += seconds
    check = findings_of(tool_json("check", code, out, err, result, defects), migrated)
    code, out, err, seconds = tool.codemods("migrate", "--format", "json", cwd=migrated)
    result.tool_seconds += seconds
    migrate_data = tool_json("migrate", code, out, err, result, defects)
    migrate = findings_of(migrate_data, migrated)
    failed_first = {os.path.relpath(Path(migrated, e["path"]), migrated)
                    for e in migrate_data.get("files", []) if e.get("status") == "failed"}
    code, out, err, seconds = tool.codemods("migrate", "--check", "--format", "json",
                                            cwd=migrated)
    result.tool_seconds += seconds
    second = tool_json("migrate --check", code, out, err, result, defects)

    for _, source, codes, reasons in (("check", check, "check_codes", "check_reasons"),
                                         ("migrate", migrate, "migrate_codes", "migrate_reasons")):
        code_count, reason_count = collections.Counter(), collections.Counter()
        for findings in source.values():
            for f in findings:
                code_count[f["code"]] += 1
                reason_count[f"{f['code']} {normalise_reason(f['code'], f['message'])}"] += 1
        setattr(result, codes, dict(code_count))
        setattr(result, reasons, dict(reason_count))
    result.check_findings, result.migrate_findings = (
        [[rel, f["line"], f["code"], f["message"]] for rel in sorted(source) for f in source[rel]]
        for source in (check, migrate))

    # What changed.
    after_files = tree_files(migrated)
    changed = [rel for rel in before_files if rel in after_files
               and before_files[rel].read_bytes() != after_files[rel].read_bytes()]
    result.changed = len(changed)
    result.new_files = sorted(set(after_files) - set(before_files))
    result.deleted_files = sorted(set(before_files) - set(after_files))
    after = {}
    for rel, path in after_files.items():
        if rel in before and rel not in changed:
            after[rel] = before[rel]
            continue
        text = read_source(path)
        tree = parse(text)
        after[rel] = (text, tree, find_hooks(tree, hook_names) if tree else [])
    # New files are the interface module migrate writes: its own hooks are not counted.
    result.hooks_after = sum(len(after[rel][2]) for rel in after if rel in before)

    # Second run: clean?
    would_change = [os.path.relpath(Path(migrated, e["path"]), migrated)
                    for e in second.get("files", []) if e.get("status") == "changed"]
    failed_second = {os.path.relpath(Path(migrated, e["path"]), migrated)
                     for e in second.get("files", []) if e.get("status") == "failed"}
    if would_change or result.exit_codes.get("migrate --check") == 1:
        lines = first_diff_lines(tool, migrated)
        for rel in would_change or ["."]:
            defects.append(Defect("idempotence", pin.name, rel, lines.get(rel, 0),
                                  "a second migrate run would change this file"))
    for rel in sorted(failed_second - failed_first):
        defects.append(Defect("idempotence", pin.name, rel, 0,
                              "fails in the second migrate run, not in the first"))

    for rel in changed + result.new_files:
        text = after[rel][0]
        if text is None:
            defects.append(Defect("syntax", pin.name, rel, 0, "written file cannot be decoded"))
            continue
        error = compiles(text, rel)
        if error and (rel not in before or compiles(before[rel][0] or "", rel) is None):
            match = re.search(r"line (\d+)", error)
            defects.append(Defect("syntax", pin.name, rel, int(match.group(1)) if match else 0,
                                  error))

    check_pyflakes(tool, original, migrated, changed, result.new_files, pin.name, defects)
    for rel in changed:
        check_comments(before[rel], after[rel], pin.name, rel, defects)
        check_interface_imports(migrated, rel, before[rel][1], after[rel][1], pin.name, defects)
    for rel in result.new_files:
        check_interface_imports(migrated, rel, None, after[rel][1], pin.name, defects)
    check_silence(before, after, migrate, check, pin.name, defects)

    if corpus_python:
        result.equivalence, result.equivalence_classes = check_equivalence(
            corpus_python, original, migrated, before, after, changed, pin.name, defects, log)
    result.defects = [dataclasses.asdict(d) for d in defects]
    result.seconds = time.perf_counter() - started
    return result


def first_diff_lines(tool: Tool, root: Path) -> dict[str, int]:
    """rel path -> first changed line, from ``migrate --diff``."""
    code, out, err, _ = tool.codemods("migrate", "--diff", cwd=root)
    lines, current = {}, None
    for line in out.splitlines():
        if line.startswith("+++ "):
            name = line[4:].split("\t")[0]
            name = name[2:] if name.startswith(("a/", "b/")) else name
            current = os.path.relpath(Path(root, name), root)
        elif line.startswith("@@") and current and current not in lines:
            match = re.match(r"@@ -(\d+)", line)
            lines[current] = int(match.group(1)) if match else 0
    return lines


def check_pyflakes(tool, original, migrated, changed, new_files, package, defects):
    before = tool.pyflakes(original, changed)
    after = tool.pyflakes(migrated, changed + new_files)
    for rel in changed + new_files:
        seen = collections.Counter((code, message) for code, message, _ in before.get(rel, []))
        for code, message, line in after.get(rel, []):
            if seen[(code, message)]:
                seen[(code, message)] -= 1
            else:
                defects.append(Defect("pyflakes", package, rel, line, f"{code} {message}"))


def check_comments(before, after, package, rel, defects):
    old_text, _, old_hooks = before
    new_text, _, new_hooks = after
    old, new = comments(old_text or ""), comments(new_text or "")
    if old is None or new is None:
        return
    # Banner blocks: the comment lines right above a removed method that name it.
    remaining = collections.Counter((h.qualname, h.method) for h in new_hooks)
    exempt = set()
    old_lines = (old_text or "").splitlines()
    for hook in sorted(old_hooks, key=lambda h: h.line):
        key = (hook.qualname, hook.method)
        if remaining[key]:
            remaining[key] -= 1
            continue
        start = decorated_start(old_text, hook.line)
        block = []
        number = start - 1
        while number >= 1 and old_lines[number - 1].lstrip().startswith("#"):
            block.append(number)
            number -= 1
        if any(hook.method in old_lines[n - 1] for n in block):
            exempt.update(block)
    available = collections.Counter(text for _, text in new)
    for line, text in old:
        if available[text]:
            available[text] -= 1
        elif line not in exempt:
            defects.append(Defect("comment", package, rel, line, f"lost: {text[:100]}"))


def decorated_start(text: str, line: int) -> int:
    """The line of the first decorator of the function defined at ``line``."""
    tree = parse(text)
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno == line:
            return min([d.lineno for d in node.decorator_list] + [line])
    return line


def top_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def check_interface_imports(root, rel, old_tree, new_tree, package, defects):
    """Every ``from X import <interface names>`` migrate added must resolve to a module file
    in the tree, inside the importing file's top-level package, that defines the names."""
    if new_tree is None or not rel.endswith(".py"):
        return

    def key(node):
        return (node.level, node.module, tuple(sorted(a.name for a in node.names)))

    existing = {key(n) for n in ast.walk(old_tree) if isinstance(n, ast.ImportFrom)} \
        if old_tree else set()
    parts = rel[:-3].split(os.sep)
    for node in ast.walk(new_tree):
        if not isinstance(node, ast.ImportFrom) or key(node) in existing:
            continue
        names = {a.name for a in node.names}
        if not names & INTERFACE_NAMES:
            continue
        where = f"from {'.' * node.level}{node.module or ''} import {', '.join(sorted(names))}"
        if node.level:
            package_parts = parts[:-1]
            if node.level - 1 >= len(package_parts):
                defects.append(Defect("import", package, rel, node.lineno,
                                      f"{where}: goes above the top of the tree"))
                continue
            module_parts = package_parts[:len(package_parts) - (node.level - 1)]
        else:
            module_parts = []
        module_parts += (node.module or "").split(".") if node.module else []
        target = None
        for candidate in (root.joinpath(*module_parts).with_suffix(".py") if module_parts else None,
                          root.joinpath(*module_parts, "__init__.py")):
            if candidate is not None and candidate.is_file():
                target = candidate
                break
        if target is None:
            defects.append(Defect("import", package, rel, node.lineno,
                                  f"{where}: no module {'.'.join(module_parts)} in the tree"))
            continue
        top = parts[0]
        if len(parts) == 1 or not (root / top).is_dir() or module_parts[:1] != [top]:
            defects.append(Defect("import", package, rel, node.lineno,
                                  f"{where}: {'.'.join(module_parts)} is not inside the "
                                  f"importing file's top-level package {top!r}"))
            continue
        defined = top_level_names(parse(read_source(target)) or ast.Module(body=[],
                                                                         type_ignores=[]))
        missing = sorted(n for n in names if n not in defined)
        if missing:
            defects.append(Defect("import", package, rel, node.lineno,
                                  f"{where}: {target.relative_to(root)} does not define "
                                  f"{', '.join(missing)}"))


def check_silence(before, after, migrate_findings, check_findings, package, defects):
    """A hook still there after migrate needs a migrate finding inside its class."""
    for rel, (_, _, hooks) in before.items():
        if not hooks:
            continue
        after_hooks = collections.Counter((h.qualname, h.method) for h in after.get(rel, (0, 0,
                                                                                          []))[2])
        kept_by_design = kept_methods(after.get(rel, (None, None, []))[1])
        findings = migrate_findings.get(rel, [])
        file_level = [f for f in findings if f["code"].startswith("CM0") or f["code"] == "CM900"]
        for hook in sorted(hooks, key=lambda h: h.line):
            key = (hook.qualname, hook.method)
            if not after_hooks[key]:
                continue
            after_hooks[key] -= 1
            if key in kept_by_design or file_level:
                continue
            if any(hook.class_start <= f["line"] <= hook.class_end for f in findings):
                continue
            said = [f["code"] for f in check_findings.get(rel, [])
                    if hook.class_start <= f["line"] <= hook.class_end]
            defects.append(Defect(
                "silent", package, rel, hook.line,
                f"{hook.qualname}.{hook.method} left without a migrate finding"
                + (" (class inside a function)" if hook.in_function else "")
                + (f"; check said {', '.join(sorted(set(said)))}" if said else
                   "; check said nothing either")))


def kept_methods(tree) -> set:
    """(class, method) of hooks that migrate keeps by design: they return job_state(self)."""
    if tree is None:
        return set()
    return {(h.qualname, h.method) for h in find_hooks(tree, set(JOB_METHODS) | set(STATE_HOOKS))
            if h.calls_job_state}


# --- equivalence in the corpus venv ------------------------------------------------------

RUNNER = r'''
import importlib, json, os, pickle, re, signal, sys
request = json.load(open(sys.argv[1]))
sys.path.insert(0, request["root"])
out = {"imports": {}, "classes": {}}

def save():
    with open(request["out"], "w") as stream:
        json.dump(out, stream)

class Timeout(BaseException):
    pass

def on_alarm(*_):
    raise Timeout("no answer within %ss" % request["timeout"])

signal.signal(signal.SIGALRM, on_alarm)

def clean(text):
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", text)

def error(exc):
    return {"type": type(exc).__name__, "mro": [c.__name__ for c in type(exc).__mro__],
            "message": clean(str(exc))[:200]}

def summary(obj):
    items = {}
    if isinstance(getattr(obj, "__dict__", None), dict):
        items.update(obj.__dict__)
    for klass in type(obj).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in [slots] if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            name = "_%s%s" % (klass.__name__.lstrip("_"), slot) if (
                slot.startswith("__") and not slot.endswith("__")) else slot
            try:
                items["slot:" + name] = getattr(obj, name)
            except AttributeError:
                pass
    state = {}
    for key in sorted(items, key=str):
        value = items[key]
        try:
            text = clean(repr(value))[:120]
        except BaseException as exc:
            text = "<repr raised %s>" % type(exc).__name__
        state[str(key)] = [type(value).__name__, text]
    return state

for module in request["modules"]:
    signal.alarm(request["timeout"])
    try:
        importlib.import_module(module)
        out["imports"][module] = None
    except BaseException as exc:
        out["imports"][module] = error(exc)
    finally:
        signal.alarm(0)
    save()

for module, qualname in request["classes"]:
    key = module + ":" + qualname
    signal.alarm(request["timeout"])
    try:
        target = importlib.import_module(module)
        for part in qualname.split("."):
            target = getattr(target, part)
        try:
            obj = target()
        except BaseException as exc:
            result = {"stage": "construct", "error": error(exc)}
        else:
            try:
                data = pickle.dumps(obj)
            except BaseException as exc:
                result = {"stage": "pickle", "error": error(exc)}
            else:
                try:
                    restored = pickle.loads(data)
                except BaseException as exc:
                    result = {"stage": "unpickle", "error": error(exc)}
                else:
                    result = {"stage": "ok", "type": type(restored).__qualname__,
                              "state": summary(restored)}
    except BaseException as exc:
        result = {"stage": "lookup", "error": error(exc)}
    finally:
        signal.alarm(0)
    out["classes"][key] = result
    save()
sys.stdout.flush()
os._exit(0)
'''


def ensure_venv(workdir: Path, pins: list[Pin], log) -> str | None:
    """The corpus venv's python, with every listed package installed; None when it fails."""
    venv = workdir / "venv"
    python = venv / "bin" / "python"
    wanted = "\n".join(f"{p.name}=={p.version}" for p in pins) + "\n"
    marker = venv / "corpus-installed.txt"
    if python.exists() and marker.exists():
        installed = set(marker.read_text().splitlines())
        if set(wanted.splitlines()) <= installed:
            return str(python)
    if not python.exists():
        log(f"creating the corpus venv {venv}")
        done = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True,
                              text=True)
        if done.returncode:
            log(f"  cannot create it: {done.stderr.strip()[-300:]}")
            return None
    requirements = workdir / "requirements.txt"
    requirements.write_text(wanted)
    log("installing the packages and their dependencies into the corpus venv (once)")
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                           str(requirements)], capture_output=True, text=True)
    installed = set(wanted.splitlines())
    if done.returncode:
        log("  all at once failed; one by one")
        installed = set()
        for pin in pins:
            one = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                                  f"{pin.name}=={pin.version}"], capture_output=True, text=True)
            if one.returncode == 0:
                installed.add(f"{pin.name}=={pin.version}")
            else:
                log(f"  {pin.name}: {one.stderr.strip().splitlines()[-1:]}")
    marker.write_text("\n".join(sorted(installed)) + "\n")
    return str(python)


def run_side(python: str, root: Path, modules, classes, scratch: Path, tag: str) -> dict:
    request = scratch / f"{tag}-request.json"
    output = scratch / f"{tag}-out.json"
    request.write_text(json.dumps({"root": str(root), "modules": modules, "classes": classes,
                                   "out": str(output), "timeout": ITEM_TIMEOUT}))
    script = scratch / "runner.py"
    script.write_text(RUNNER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONHASHSEED="0", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    status = "ok"
    try:
        done = subprocess.run([python, str(script), str(request)], cwd=scratch, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=EQUIV_TIMEOUT)
        if done.returncode:
            status = f"exit {done.returncode}: {done.stderr.strip()[-200:]}"
    except subprocess.TimeoutExpired:
        status = f"timed out after {EQUIV_TIMEOUT}s"
    data = json.loads(output.read_text()) if output.exists() else {"imports": {}, "classes": {}}
    data["status"] = status
    return data


def check_equivalence(python, original, migrated, before, after, changed, package, defects,
                      log) -> tuple[dict, list]:
    """Counts by outcome, and what became of each migrated class (or any that differs)."""
    modules, classes, where = [], [], {}
    for rel in changed:
        name = module_name(rel)
        if name is None:
            continue
        modules.append(name)
        old_tree, new_tree = before[rel][1], after[rel][1]
        if old_tree is None or new_tree is None:
            continue
        old, new = class_dumps(old_tree), class_dumps(new_tree)
        for qualname in sorted(old):
            if qualname in new:  # the migrated classes, and the others in the module
                classes.append([name, qualname])
                tag = "migrated" if old[qualname][0] != new[qualname][0] else "unchanged"
                where[f"{name}:{qualname}"] = (rel, old[qualname][1], tag)
    stats, details = collections.Counter(), []
    if not modules:
        return {}, []
    log(f"  equivalence: {len(modules)} module(s), {len(classes)} class(es)")
    # Classes that migrate did not touch are compared too: they may inherit a removed hook.
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        first = run_side(python, original, modules, classes, scratch, "original-1")
        second = run_side(python, original, modules, classes, scratch, "original-2")
        new = run_side(python, migrated, modules, classes, scratch, "migrated")
    for side, data in (("original", first), ("migrated", new)):
        if data["status"] != "ok":
            stats[f"{side} process: {data['status'][:80]}"] += 1
    for module in modules:
        old, mig = first["imports"].get(module, "missing"), new["imports"].get(module, "missing")
        if old is None and mig is None:
            stats["modules imported"] += 1
        elif old is not None:
            stats["modules not importable"] += 1
        else:
            rel = next(r for r in changed if module_name(r) == module)
            detail = mig if isinstance(mig, str) else f"{mig['type']}: {mig['message']}"
            defects.append(Defect("import-regression", package, rel, 0,
                                  f"import {module} fails after migrate: {detail}"))
            stats["modules import regressions"] += 1
    for module, qualname in classes:
        key = f"{module}:{qualname}"
        rel, line, tag = where[key]
        one, two, mig = (side["classes"].get(key) for side in (first, second, new))
        if tag == "migrated":
            details.append({"class": key, "path": rel, "line": line, "original": outcome(one),
                            "migrated": outcome(mig)})
        if one is None:
            stats[f"{tag} classes not run (process stopped)"] += 1
            continue
        if one["stage"] == "lookup":
            stats[f"{tag} classes not importable"] += 1
            continue
        if one["stage"] == "construct":
            stats[f"{tag} classes not constructible without arguments"] += 1
            continue
        problem = compare(one, two, mig)
        if problem and tag != "migrated":
            details.append({"class": key, "path": rel, "line": line, "original": outcome(one),
                            "migrated": outcome(mig)})
        if problem:
            details[-1]["problem"] = problem
            stats[f"{tag} classes that differ"] += 1
            defects.append(Defect("equivalence", package, rel, line,
                                  f"{qualname} ({tag}): {problem}"))
        else:
            how = "pickled" if one["stage"] == "ok" else "both raise"
            stats[f"{tag} classes equivalent ({how})"] += 1
    return dict(stats), details


def outcome(result) -> str:
    if result is None:
        return "no result"
    if result["stage"] == "ok":
        return f"pickled, restored {result['type']} with {len(result['state'])} attribute(s)"
    error = result["error"]
    return f"{result['stage']} raised {error['type']}: {error['message'][:100]}"


def compare(one, two, mig) -> str | None:
    if mig is None:
        return "no result in the migrated copy (process stopped)"
    if one["stage"] != "ok":
        if mig["stage"] != one["stage"]:
            return f"{one['stage']} raised {one['error']['type']} before; now {mig['stage']}: " \
                   f"{mig.get('error', {}).get('type', '')}"
        if one["error"]["type"] not in mig["error"]["mro"]:
            return f"{one['stage']} raised {one['error']['type']} before, " \
                   f"{mig['error']['type']} now"
        return None
    if mig["stage"] != "ok":
        error = mig.get("error", {})
        return f"{mig['stage']} now raises {error.get('type')}: {error.get('message', '')[:120]}"
    if one["type"] != mig["type"]:
        return f"restored type {one['type']} before, {mig['type']} now"
    old, new = one["state"], mig["state"]
    if set(old) != set(new):
        return f"keys only before: {sorted(set(old) - set(new))}, " \
               f"only now: {sorted(set(new) - set(old))}"
    stable = two is not None and two.get("state") or {}
    for key in sorted(old):
        if old[key][0] != new[key][0]:
            return f"{key}: type {old[key][0]} before, {new[key][0]} now"
        if stable.get(key) == old[key] and old[key][1] != new[key][1]:
            return f"{key}: {old[key][1]!r} before, {new[key][1]!r} now"
    return None


# --- report ------------------------------------------------------------------------------


def codes_text(codes: dict) -> str:
    return " ".join(f"{code}:{count}" for code, count in sorted(codes.items())) or "-"


def report(results: list[Result], skipped: dict, wall: float, out) -> None:
    header = (f"{'package':16} {'version':10} {'files':>6} {'hooks':>5} {'rewr':>5} {'chg':>4} "
              f"{'defects':>7} {'tool s':>7} {'total s':>7}  check findings / migrate findings")
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in results:
        print(f"{r.name[:16]:16} {r.version[:10]:10} {r.files:6} {r.hooks_before:5} "
              f"{r.rewritten:5} {r.changed:4} {len(r.defects):7} {r.tool_seconds:7.1f} "
              f"{r.seconds:7.1f}  {codes_text(r.check_codes)} / {codes_text(r.migrate_codes)}",
              file=out)
    for name, why in skipped.items():
        print(f"{name:16} (skipped: {why})", file=out)
    print("-" * len(header), file=out)
    total = lambda attr: sum(getattr(r, attr) for r in results)  # noqa: E731
    check_codes, migrate_codes = collections.Counter(), collections.Counter()
    check_reasons, migrate_reasons = collections.Counter(), collections.Counter()
    defects, equivalence = collections.Counter(), collections.Counter()
    for r in results:
        check_codes.update(r.check_codes)
        migrate_codes.update(r.migrate_codes)
        check_reasons.update(r.check_reasons)
        migrate_reasons.update(r.migrate_reasons)
        defects.update(d["kind"] for d in r.defects)
        equivalence.update(r.equivalence)
    print(f"{'TOTAL':27} {total('files'):6} {total('hooks_before'):5} {total('rewritten'):5} "
          f"{total('changed'):4} {sum(defects.values()):7} {total('tool_seconds'):7.1f} "
          f"{total('seconds'):7.1f}", file=out)
    print(f"\npackages: {len(results)}; files: {total('files')}; hooks found: "
          f"{total('hooks_before')} ({total('hooks_in_functions')} in classes inside functions);"
          f" hooks rewritten: {total('rewritten')}; hooks left: {total('hooks_after')}; "
          f"files changed: {total('changed')}; new files: "
          f"{sum(len(r.new_files) for r in results)}; deleted files: "
          f"{sum(len(r.deleted_files) for r in results)}", file=out)
    print(f"wall time: {wall:.1f}s (tool runs {total('tool_seconds'):.1f}s)", file=out)
    print(f"\ncheck findings by code:   {codes_text(dict(check_codes))}", file=out)
    print(f"migrate findings by code: {codes_text(dict(migrate_codes))}", file=out)
    for title, reasons in (("check findings by reason", check_reasons),
                           ("migrate findings by reason", migrate_reasons)):
        print(f"\n{title}:", file=out)
        for reason, count in reasons.most_common():
            print(f"  {count:5}  {reason}", file=out)
    if equivalence:
        print("\nequivalence and imports:", file=out)
        for what, count in sorted(equivalence.items()):
            print(f"  {count:5}  {what}", file=out)
    print(f"\nDEFECTS: {sum(defects.values())}"
          + (f" ({', '.join(f'{k} {v}' for k, v in defects.most_common())})" if defects else ""),
          file=out)
    for r in results:
        for d in r.defects:
            print("  " + Defect(**d).format(), file=out)


# --- self-test ---------------------------------------------------------------------------

SELF_TEST_SOURCE = '''\
class Plain:
    def __init__(self):
        self.keep = 1
        self.handle = None

    # __getstate__(): drop the handle
    def __getstate__(self):
        state = self.__dict__.copy()
        # The handle stays in this process.
        del state["handle"]
        return state


class Looping:
    def __init__(self):
        self.items = [1]

    def __getstate__(self):
        state = self.__dict__.copy()
        for key in list(state):  # a loop: left and reported
            pass
        return state


def factory():
    class Local:
        def __getstate__(self):
            state = self.__dict__.copy()
            del state["x"]
            return state
    return Local
'''


def check_detectors() -> None:
    """The detectors on small inputs (offline, no tool run; well under a second)."""
    tree = ast.parse(SELF_TEST_SOURCE)
    hooks = find_hooks(tree, set(STATE_HOOKS))
    assert [(h.qualname, h.line) for h in hooks] == [
        ("Plain", 7), ("Looping", 18), ("factory.<locals>.Local", 27)], hooks
    assert hooks[2].in_function and hooks[0].class_start == 1
    assert normalise_reason("CM101", "Foo: __getstate__() sets 'k' to a computed value (f(x))") \
        == "__getstate__() sets '…' to a computed value (…)"
    assert normalise_reason("CM102", "Bar: its base mod.Foo keeps a hand-written __getstate__") \
        == "its base … keeps a hand-written __getstate__"
    assert normalise_reason("CM101", "L: the class is defined inside function make_it(); so "
                            "its __getstate__, __setstate__ stay") == \
        "the class is defined inside function …(); so its __getstate__, __setstate__ stay"
    assert normalise_reason("CM301", "C: __getstate__; migrate: 2 member(s) declared with "
                            "@clear") == "__getstate__; migrate: N member(s) declared with @clear"
    assert normalise_reason("CM101", "B: __setstate__() does not restore the state with "
                            "self.__dict__.update(abstract) or super().__setstate__(abstract); "
                            "it starts with: self.abstract = abstract") == (
        "__setstate__() does not restore the state with self.__dict__.update(state) or "
        "super().__setstate__(state); it starts with: …")
    assert normalise_reason("CM102", "I: its hooks call the base's (super().__getstate__()), "
                            "which is not JobSerializable's") == \
        "its hooks call the base's (…), which is not JobSerializable's"
    assert normalise_pyflakes("Redefinition of unused `x` from line 12") == \
        "Redefinition of unused `x` from line N"
    defects: list[Defect] = []
    old = (SELF_TEST_SOURCE, tree, hooks)
    lines = SELF_TEST_SOURCE.splitlines(keepends=True)
    without = "".join(lines[:5] + lines[11:])  # Plain.__getstate__ and its comments gone
    new_tree = ast.parse(without)
    check_comments(old, (without, new_tree, find_hooks(new_tree, set(STATE_HOOKS))), "t", "m.py",
                   defects)
    assert [(d.kind, d.line) for d in defects] == [("comment", 9)], defects
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "pkg").mkdir()
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "mod.py").write_text("from .serialization import clear, Missing\n")
        (root / "pkg" / "serialization.py").write_text("def clear(): pass\n")
        (root / "side.py").write_text("from pkg.serialization import clear\n")
        defects = []
        for rel in ("pkg/mod.py", "side.py"):
            check_interface_imports(root, rel, None, ast.parse((root / rel).read_text()), "t",
                                    defects)
        assert [d.path for d in defects] == ["pkg/mod.py", "side.py"], defects
    # A hook left with no finding inside its class is silent; one with a finding is not.
    before = {"m.py": (SELF_TEST_SOURCE, tree, hooks)}
    findings = {"m.py": [{"code": "CM101", "line": 20, "message": "Looping: has a loop"}]}
    defects = []
    check_silence(before, before, findings, {}, "t", defects)
    assert [(d.kind, d.line) for d in defects] == [("silent", 7), ("silent", 27)], defects
    # Equivalence: same state; a key gone; an exception that is no longer of the old type.
    ok = {"stage": "ok", "type": "A", "state": {"x": ["int", "1"], "t": ["float", "2.5"]}}
    other_time = {"stage": "ok", "type": "A", "state": {"x": ["int", "1"], "t": ["float", "3"]}}
    assert compare(ok, other_time, other_time) is None  # t differs between original runs
    assert "keys only before: ['t']" in compare(ok, ok, {**ok, "state": {"x": ["int", "1"]}})
    refused = {"stage": "pickle", "error": {"type": "TypeError", "mro": ["TypeError"]}}
    assert compare(refused, refused, {"stage": "pickle", "error": {
        "type": "UnserializableError", "mro": ["UnserializableError", "TypeError"]}}) is None
    assert compare(refused, refused, {"stage": "pickle", "error": {
        "type": "KeyError", "mro": ["KeyError", "LookupError"]}})


def self_test() -> int:
    """Offline: the detectors, then the whole pipeline on a tiny package (a few seconds)."""
    check_detectors()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "pkg").mkdir()
        (root / "pkg" / "__init__.py").write_text("")
        (root / "pkg" / "mod.py").write_text(SELF_TEST_SOURCE)
        wheel = root / "tiny-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.write(root / "pkg" / "__init__.py", "pkg/__init__.py")
            archive.write(root / "pkg" / "mod.py", "pkg/mod.py")
            archive.writestr("tiny-1.0.dist-info/METADATA", "Name: tiny\n")
        tool = Tool(sys.executable, None, 1, ())
        result = process(Pin("tiny", "1.0"), wheel, root / "work", tool, None, lambda _: None)
        assert result.hooks_before == 3 and result.files == 2, result
        assert result.rewritten >= 1 and result.exit_codes == {
            "check": 0, "migrate": 0, "migrate --check": 0}, result
        kinds = {d["kind"] for d in result.defects}
        assert not kinds & {"crash", "syntax", "idempotence", "import"}, result.defects
        report([result], {}, 0.0, io.StringIO())
    print("self-test passed")
    return 0


# --- main --------------------------------------------------------------------------------


def tool_snapshot(rev: str, workdir: Path) -> Path:
    """``git archive`` of ``codemods/`` at ``rev`` under the workdir (the checkout untouched)."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=CHECKOUT,
                            capture_output=True, text=True, check=True).stdout.strip()
    target = workdir / "tool" / commit
    if not (target / "codemods" / "__main__.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", commit, "codemods"],
                                 cwd=CHECKOUT, capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, **SAFE_TAR)
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring (head of benchmarks/corpus.py) for what is checked.")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"cache, corpus venv and copies (default: {DEFAULT_WORKDIR})")
    parser.add_argument("--list", type=Path, default=DEFAULT_LIST,
                        help="the pinned package list (default: corpus_packages.txt beside this)")
    parser.add_argument("-j", "--jobs", type=int, default=None,
                        help="passed to the codemods as -j (default: theirs, the CPU count)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="only this package (repeatable, or comma-separated)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument("--no-equivalence", action="store_true",
                        help="skip the corpus venv, the pickling comparison and the imports")
    parser.add_argument("--tool-rev", metavar="REV",
                        help="run the codemods of this git revision (a git archive snapshot)")
    parser.add_argument("--job-method", action="append", default=[], metavar="NAME",
                        help="another job-state method name, counted and passed to the tool")
    parser.add_argument("--self-test", action="store_true", help="offline check of this script")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()

    started = time.perf_counter()

    def log(message):
        print(message, file=sys.stderr, flush=True)

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    pins = read_pins(args.list)
    only = {normalise_name(n) for item in args.only for n in item.split(",") if n.strip()}
    if only:
        unknown = only - {p.key for p in pins}
        if unknown:
            parser.error(f"not in {args.list.name}: {', '.join(sorted(unknown))}")
        pins = [p for p in pins if p.key in only]
    source = tool_snapshot(args.tool_rev, workdir) if args.tool_rev else CHECKOUT
    tool = Tool(sys.executable, source, args.jobs, args.job_method)
    log(f"tool: codemods from {source}; ruff: {tool.ruff or 'not found (pyflakes check off)'}")

    artifacts, skipped = {}, {}
    for pin in pins:
        try:
            artifacts[pin] = download(pin, workdir / "cache", log)
        except (RuntimeError, OSError) as exc:
            skipped[pin.name] = str(exc)
            log(f"  {pin.name}: {exc}")
    corpus_python = None
    if not args.no_equivalence:
        corpus_python = ensure_venv(workdir, [p for p in pins if p in artifacts], log)
    results = []
    for pin, artifact in artifacts.items():
        log(f"{pin.name}=={pin.version} ({artifact.name})")
        try:
            results.append(process(pin, artifact, workdir, tool, corpus_python, log))
        except Exception as exc:  # a bug here, or a bad archive: say so, go on
            skipped[pin.name] = f"{type(exc).__name__}: {exc}"
            log(f"  failed: {type(exc).__name__}: {exc}")
    wall = time.perf_counter() - started
    report(results, skipped, wall, sys.stdout)
    if args.json:
        args.json.write_text(json.dumps({
            "tool": str(source), "python": sys.version.split()[0], "wall_seconds": wall,
            "skipped": skipped, "packages": [
                {**dataclasses.asdict(r), "rewritten": r.rewritten} for r in results],
        }, indent=1))
    if any(r.defects for r in results):
        return 1
    return 2 if skipped else 0


if __name__ == "__main__":
    sys.exit(main())
