"""The policy: for one class, what pickling does to its members.

Readers turn old hand-written hooks into a policy; writers turn a policy into
declarations; the self-check reads the declarations back into a policy and
compares.  Values are kept as source text (``"None"``, ``"0"``), since the
codemods never evaluate the code they read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

ALWAYS = "ALWAYS"
JOB = "JOB"


def mangle(name: str, class_name: str) -> str:
    """``__x`` as Python mangles it inside ``class_name``."""
    if not name.startswith("__") or name.endswith("__"):
        return name
    stripped = class_name.lstrip("_")
    return f"_{stripped}{name}" if stripped else name


def demangle(name: str, class_name: str) -> str:
    """The form a member is written in inside its class body (``__x``), when
    ``name`` is a private name mangled against ``class_name``."""
    prefix = "_" + class_name.lstrip("_")
    if name.startswith(prefix + "__") and not name.endswith("__") and len(name) > len(prefix) + 2:
        return name[len(prefix):]
    return name


@dataclass(frozen=True)
class Clear:
    """A member that is not pickled as it is.

    ``member`` is the attribute's real (mangled) name.  With neither ``value``
    nor ``factory`` the member is left out of the state.
    """

    member: str
    scope: str = ALWAYS
    value: Optional[str] = None  # source text of a constant
    factory: Optional[str] = None  # "dict", "list" or "set"
    missing_ok: bool = False

    def options(self) -> Tuple:
        """What two clears must share to be written as one decorator."""
        return (self.scope, self.value, self.factory, self.missing_ok)


@dataclass
class ClassPolicy:
    name: str
    clears: list = field(default_factory=list)  # [Clear], in the order of the old code
    restore_methods: list = field(default_factory=list)  # names, run after restore
    unserializable_reason: Optional[str] = None  # source text of the message
    unserializable: bool = False

    def comparable(self):
        """The policy as a value, for the self-check (order of clears kept per member)."""
        return (
            tuple(sorted(self.clears, key=lambda c: (c.scope, c.member))),
            tuple(self.restore_methods),
            self.unserializable,
            self.unserializable_reason,
        )

    @property
    def empty(self) -> bool:
        return not (self.clears or self.restore_methods or self.unserializable)
