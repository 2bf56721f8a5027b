"""The contract between the runner and a codemod.

A codemod runs in up to two passes over the tree:

1. ``scan`` (optional): read one parsed file, return picklable facts;
2. ``plan`` (once, in the main process): combine every file's facts, and the
   tree index (index.py), into a plan, e.g. which classes are migrated;
3. ``rewrite``: rewrite one parsed file with the plan's help, from the tree its
   scan used (each file is parsed once; see workers.py);
4. ``tree_changes`` (once): files added or deleted as a whole.

Which files are parsed at all is decided on their text first (``wants``, and
``rewrite_wants`` once the plan is known).  This module does not import libcst:
a run that parses nothing never loads it.  Nothing is imported or executed
from the code being read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, List, Mapping, Optional, Sequence, Tuple

from .index import PackageRoots
from .report import FileOutcome, Finding, Severity, Status
from .settings import Settings
from .sources import SourceFile

if TYPE_CHECKING:  # libcst stays unloaded until a file is parsed
    from .parsing import ParsedFile

DELETE = object()  # a rewrite result: the file goes
# A rewrite result: what was parsed was an outline of the file (``text_to_parse``), and
# the rewrite needs the whole text (it removed imports): parse it whole and rewrite again.
PARSE_WHOLE = object()


@dataclass
class Rewrite:
    """A codemod's answer for one file: new text, ``DELETE``, or None for no change."""

    text: Any = None
    findings: List[Finding] = field(default_factory=list)
    hooks: list = field(default_factory=list)  # `check`: HookReport of each class with hooks
    # The text is the source with only the rewrite's changes (write/reprint.py): no
    # splice is needed where libcst does not print the file back as it was.
    exact: bool = False


@dataclass
class ReadAhead:
    """What a codemod read of a file in the runner (``Codemod.read_ahead``), for
    the worker that scans it (sent as ``SourceFile.ahead``)."""

    facts: Any  # ``facts_from_text``'s answer; None: libcst reads the file
    outline: Optional[str] = None  # ``text_to_parse``'s, where it is not the text itself
    # Where ``ast`` reads the text (else None): the statements' layout (read/layout.py,
    # for the rewrite's print) and the tree index's facts of the module (for the plan).
    layout: Any = None
    index: Any = None


_ROOTS = PackageRoots()


def module_names(path: Path) -> Tuple[Path, str, str]:
    """(the folder above the file's top package, module name, package name)."""
    return _ROOTS.names(path)


class Codemod:
    """Base of every codemod the runner knows."""

    name: ClassVar[str]
    uses_scan: ClassVar[bool] = False
    # Whether ``plan`` asks the tree index for modules by name: their names are then
    # found while the scan runs (``TreeIndex.name_files``), not after it.
    uses_index: ClassVar[bool] = False
    read_only: ClassVar[bool] = False  # reports only, never rewrites
    suffixes: ClassVar[Tuple[str, ...]] = (".py", ".pyi")

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def prefilter(self) -> Sequence[str]:
        """Words one of which a file must contain to be parsed at all."""
        raise NotImplementedError

    def wants(self, path: Path, text: str) -> bool:
        """Whether a file is worth parsing (the cheap prefilter)."""
        return any(word in text for word in self.prefilter())

    def cost(self, source: SourceFile) -> int:
        """The file's expected work, in the units of its size, for placing files
        on workers: its size, unless the codemod knows better."""
        return len(source.text)

    def rewrite_wants(self, path: Path, text: str, plan: Any) -> bool:
        """Whether a file that ``wants`` passed over must be rewritten after all,
        now that the plan is known (e.g. it imports a module the plan deletes)."""
        return False

    def report_unparsed(self, source: SourceFile) -> List[Finding]:
        """Findings for a file of a kind we never rewrite (e.g. Cython)."""
        return []

    def prefetch(self, index: Any, wanted: Sequence[SourceFile]) -> None:
        """Read ahead, in the runner's process while the workers load libcst and
        scan, what the plan will ask the tree index for (``uses_index``); an
        error here is met again, and reported, where the plan asks."""

    def preload(self) -> None:
        """Import the modules the steps on a parsed file use (a worker does it
        before its first file, so that loading them is not counted in that
        file's time limit)."""

    def scan(self, parsed: ParsedFile) -> Any:
        return None

    def text_to_parse(self, source: SourceFile) -> str:
        """What libcst parses of a file: its text, or an outline of it that keeps
        every line's place (read/outline.py): ``check`` leaves out what it never
        reads, ``migrate`` the method bodies it never rewrites.  A rewrite of an
        outline is applied to the text as a change of lines (splice.py); where it
        does not apply cleanly, the file is parsed whole and rewritten again."""
        return source.text

    def facts_from_text(self, source: SourceFile) -> Any:
        """The file's scan facts when its text (and the stdlib ``ast``) tell them
        and its rewrite does nothing whatever the plan; None when it must be
        parsed with libcst.  A file answered here is never parsed."""
        return None

    def read_ahead(self, source: SourceFile) -> Any:
        """What the file's scan takes from its text and the stdlib ``ast`` alone,
        read by the runner while the workers load libcst and sent with the file
        (``SourceFile.ahead``), for the worker not to read it again; None where
        the codemod reads nothing ahead.  It must be what the worker would read."""
        return None

    def outcome_unparsed(self, source: SourceFile, plan: Any) -> Optional[FileOutcome]:
        """The rewrite's outcome for a file whose scan found it has nothing to
        rewrite (``facts_from_text``, ``rewrites_nothing``), or None when the plan
        gives it work after all: it is then parsed (again) and rewritten."""
        return FileOutcome(source.path, Status.UNCHANGED)

    def facts_unread(self, source: SourceFile) -> Any:
        """The facts a file gives the plan when its scan failed (it did not parse,
        crashed the parser, took too long): what its text shows, read so that the
        plan errs on the side of leaving code alone; None for none."""
        return None

    def settle(self, plan: Any, outcomes: Sequence[FileOutcome]) -> Any:
        """After every rewrite: withhold (mark skipped, with a CM104 finding) the
        changes planned together with a file that does not change as planned (its
        rewrite failed or was refused, or it is read-only)."""

    def rewrites_nothing(self, parsed: ParsedFile) -> bool:
        """After its scan: True when the file's rewrite cannot change it or report
        anything, whatever the plan (its parsed tree is then not kept for it)."""
        return False

    def plan(self, facts: Mapping[Path, Any], index: Any = None) -> Any:
        """``index`` is the tree's ``TreeIndex`` (classes and bases of every file)."""
        return None

    def rewrite(self, parsed: ParsedFile, plan: Any) -> Rewrite:
        raise NotImplementedError

    def tree_changes(
        self, plan: Any, outcomes: Sequence[FileOutcome], roots: Sequence[Path]
    ) -> List[FileOutcome]:
        return []


def finding(path: Path, line: int, code: str, message: str, severity=Severity.WARNING, column=0):
    return Finding(str(path), line, code, message, severity, column)
