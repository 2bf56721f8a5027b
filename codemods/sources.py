"""Reading and writing source files without changing what we did not mean to change.

A source file is read as bytes, decoded with the encoding Python itself would use
(BOM or PEP 263 cookie, UTF-8 otherwise), and written back with the same encoding,
BOM and file mode.  Line endings are kept by libcst itself: it preserves every
newline it parsed and uses the file's dominant one for new lines.  Writes are
atomic: the new text goes to a temporary file beside the target, which then
replaces it with ``os.replace``.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class SourceError(Exception):
    """A file that cannot be read as Python source text; the message says why."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str
    encoding: str  # as tokenize reports it: "utf-8-sig" means a BOM
    # The bytes as read, hashed: a file changed on disk since is not overwritten.
    digest: str = ""
    # What the runner read of the text for the file's scan while the workers loaded
    # libcst (Codemod.read_ahead), sent with the file to the worker; None otherwise.
    ahead: Any = field(default=None, compare=False, repr=False)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def read_source(path: Path) -> SourceFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot be read: {exc.strerror or exc}") from None
    return decode_source(path, data)


def decode_source(path: Path, data: bytes) -> SourceFile:
    if b"\0" in data:
        raise SourceError("is not text (it contains NUL bytes)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        if str(exc.msg).startswith("unknown encoding"):
            raise SourceError(f"has an invalid encoding declaration: {exc.msg}") from None
        raise SourceError("is not valid utf-8 text, and declares no other encoding") from None
    try:
        # bytes.decode keeps \r\n and \r as they are; "utf-8-sig" drops the BOM,
        # and encode() with the same codec writes it back.
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"is not valid {encoding} text: {exc}") from None
    return SourceFile(path=path, text=text, encoding=encoding, digest=digest_of(data))


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def changed_since_read(path: Path, digest: str) -> bool:
    """True when ``path`` no longer holds the bytes that were read (another
    process wrote it, or removed it)."""
    try:
        return digest_of(path.read_bytes()) != digest
    except FileNotFoundError:
        return True


def is_read_only(path: Path) -> bool:
    """True when the file's mode forbids writing (checked on the mode bits, since
    ``os.access`` says yes to everything when running as root)."""
    mode = path.stat().st_mode
    return not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` in one step, keeping its mode.

    ``mode`` is used for a new file; an existing file keeps its own.
    """
    try:
        current = path.stat().st_mode
    except FileNotFoundError:
        current = None
    if current is not None:
        mode = stat.S_IMODE(current)
    elif mode is None:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # noqa: PLC0415 - only where a file is written

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".codemods-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
