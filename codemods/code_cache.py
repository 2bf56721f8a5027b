"""What the workers compute the same way on every run, kept between runs in a
cache folder: the compiled code of the methods ``dataclasses`` writes for
libcst's classes (``reusing``, below), and what the read-only walk learns of
libcst's node types (read/walk.py, through ``read_table`` and ``write_table``).
Each is kept with what it depends on, and used only where that is unchanged.

``@dataclass`` writes each class's ``__init__``, ``__repr__``, ``__eq__`` and, for a
frozen class, ``__setattr__`` and ``__delattr__`` as source text and compiles it
(``exec``) every time the class is made: Python's bytecode cache holds a
module's own code, not this.  libcst defines some 400 dataclasses (its nodes and
its matchers), and compiling their methods is about half the time it takes to
import (0.15 to 0.25 s here), paid by every run before its first parse.

``reusing()`` gives the ``dataclasses`` module an ``exec`` of its own while
libcst loads.  It compiles a text as ``exec`` does (file name ``<string>``, no
``__future__`` flags) the first time, and afterwards takes the code object from
a file in the cache folder: the exact text is the key, and the file is one per
Python bytecode format and optimisation level, so a code object is only used
where compiling its text would give the same.  The file is written when a run
compiled something new (atomically: a file is replaced whole, never written in
place), and started afresh when it grows past ``_MAX_ENTRIES`` texts.

Where the cache folder is: ``$CODEMODS_CACHE_DIR``, else
``$XDG_CACHE_HOME/codemods``, else ``~/.cache/codemods``.  ``CODEMODS_NO_CACHE``
set to anything but empty or ``0`` turns it off.  A file that cannot be read or
written, or holds anything else than it should, only means computing as usual.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from types import CodeType
from typing import Dict, Iterator, Optional

_MAX_ENTRIES = 20_000  # a few libcst versions' worth (one holds about 1,200 texts)


def cache_folder() -> Optional[Path]:
    """Where the cache is kept, or None where it is turned off."""
    if os.environ.get("CODEMODS_NO_CACHE", "") not in ("", "0"):
        return None
    chosen = os.environ.get("CODEMODS_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "codemods"
    try:
        return Path.home() / ".cache" / "codemods"
    except (RuntimeError, KeyError, OSError):  # no home folder (3.9: a uid not in passwd)
        return None


def _table_path(folder: Path) -> Path:
    from importlib.util import MAGIC_NUMBER  # noqa: PLC0415

    return folder / (f"dataclass-code-{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}"
                     f"-O{sys.flags.optimize}.marshal")


# A file: this mark, the BLAKE2b digest of the rest, then the table as ``marshal``
# writes it.  A file changed in any byte (a disk error, a write cut short, another
# program) fails the digest and is not read: ``marshal`` would read many such files
# without an error, code objects included.
_MARK = b"codemods-cache-1\n"
_DIGEST_SIZE = 32


def _digest(payload: bytes) -> bytes:
    import hashlib  # noqa: PLC0415

    return hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest()


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as file:
            data = file.read()
        head = len(_MARK) + _DIGEST_SIZE
        payload = data[head:]
        if not data.startswith(_MARK) or data[len(_MARK):head] != _digest(payload):
            return {}
        table = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - marshal raises SystemError too; never ours to stop on
        return {}
    return table if type(table) is dict else {}


def read_table(name: str, folder: Optional[Path] = None) -> dict:
    """The table kept under ``name`` in the cache (``folder``, by default
    ``cache_folder()``); empty where there is none, or it cannot be read."""
    folder = folder if folder is not None else cache_folder()
    return _read(folder / name) if folder is not None else {}


def write_table(name: str, table: dict, folder: Optional[Path] = None) -> None:
    """Keep ``table`` (what ``marshal`` writes) under ``name`` in the cache."""
    folder = folder if folder is not None else cache_folder()
    if folder is not None:
        _write(folder / name, table)


def _write(path: Path, table: dict) -> None:
    """``table`` into ``path`` by replacing it whole; nothing where that fails."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(prefix=f".{path.stem}-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            payload = marshal.dumps(table)
            file.write(_MARK + _digest(payload) + payload)
        os.replace(scratch, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(scratch)


@contextlib.contextmanager
def reusing(folder: Optional[Path] = None) -> Iterator[None]:
    """Compiled dataclass methods from the cache in ``folder`` (by default
    ``cache_folder()``) for the dataclasses made inside the block."""
    import dataclasses  # noqa: PLC0415

    folder = folder if folder is not None else cache_folder()
    if folder is None or "exec" in vars(dataclasses):  # off, or someone else's exec is there
        yield
        return
    path = _table_path(folder)
    table = _read(path)
    compiled: Dict[str, CodeType] = {}
    builtin_exec = exec

    def cached_exec(source, globals=None, locals=None, /):  # noqa: A002 - exec's own names
        if type(source) is not str or type(globals) is not dict:
            return builtin_exec(source, globals, locals)
        code = table.get(source)
        if type(code) is not CodeType:
            code = compiled[source] = compile(source, "<string>", "exec", dont_inherit=True)
        return builtin_exec(code, globals, locals)

    dataclasses.exec = cached_exec  # type: ignore[attr-defined]
    try:
        yield
    finally:
        if vars(dataclasses).get("exec") is cached_exec:
            del dataclasses.exec  # type: ignore[attr-defined]
    if compiled:
        if len(table) + len(compiled) > _MAX_ENTRIES:
            table = {}
        table.update(compiled)
        _write(path, table)
