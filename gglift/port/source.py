"""Reading Python source files and encoding the ported text back without losing a byte.

Decoding follows PEP 263 (a BOM, or a ``coding:`` comment on line 1 or 2, else UTF-8);
encoding re-uses the same encoding and BOM, and newlines are kept by libcst itself. Files
are replaced with :func:`gglift.storage.write_atomic`, so an interrupted run leaves either
the old file or the new one, never half of each.

Only regular files are read: a FIFO (which would block), a device such as ``/dev/zero``
(which never ends) or a socket is refused with the reason, as is a file over
:data:`MAX_SOURCE_BYTES`, since porting needs several hundred times a file's size in memory.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from gglift.storage import CHUNK

# The largest file gglift ports: libcst and the analysis need about 550 times a file's size in
# memory, so a 1 MiB file takes about 550 MB. Larger files are still scanned for MARKERS.
MAX_SOURCE_BYTES = 1024 * 1024

# A file mentioning none of these cannot hold a client we port, record or report: skip it
# unparsed. The service names catch a client created from a session passed in (GGL145).
MARKERS = (b"boto3", b"botocore", b"greengrasssdk", b"iot-data", b"secretsmanager", b"'lambda'", b'"lambda"')



class SourceError(Exception):
    """The file cannot be read or decoded; the message is the reason for GGL900."""


class TooLarge(SourceError):
    """A regular file over the size limit; ``size`` is its size in bytes."""

    def __init__(self, size: int, limit: int):
        super().__init__(
            f"the file is {size / 1048576:.1f} MiB, more than the {limit / 1048576:g} MiB gglift ports "
            f"(porting needs about 550 times a file's size in memory): port it by hand or split it"
        )
        self.size = size


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # codec name without the "-sig" suffix
    bom: bool


def decode_source(data: bytes) -> Decoded:
    """Decode source bytes the way the interpreter would.

    >>> decode_source(b"# -*- coding: latin-1 -*-\\nx = '\\xe9'\\n").encoding
    'iso-8859-1'
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # unknown codec, or a BOM that contradicts the coding line
        raise SourceError(str(exc)) from None
    bom = encoding == "utf-8-sig"
    body = data[len(codecs.BOM_UTF8):] if bom else data
    codec = "utf-8" if bom else encoding
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        declared = "declared" if _has_coding_line(data) else "default (no PEP 263 coding line)"
        line = body[: exc.start].count(b"\n") + 1
        raise SourceError(f"line {line}: invalid {codec} byte(s) for the {declared} encoding") from None
    return Decoded(text, codec, bom)


def encode_source(text: str, like: Decoded) -> bytes:
    """Encode ported text with the original file's encoding and BOM."""
    data = text.encode(like.encoding)
    return codecs.BOM_UTF8 + data if like.bom else data


def _has_coding_line(data: bytes) -> bool:
    return any(b"coding" in line and line.lstrip().startswith(b"#") for line in data.splitlines()[:2])


def read_source(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The file's bytes; SourceError with a readable reason when that fails, TooLarge for a
    file over ``limit`` bytes. Never blocks on a FIFO nor reads a device."""
    with _open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        data = handle.read(min(size, limit) + 1)  # +1: a file that grew since fstat
    if len(data) > limit:
        raise TooLarge(max(size, len(data)), limit)
    return data


def has_markers(data: bytes) -> bool:
    """True if ``data`` contains one of :data:`MARKERS`: only such files are parsed."""
    return any(marker in data for marker in MARKERS)


def mentions_markers(path: Path) -> bool:
    """True if the regular file ``path`` contains one of :data:`MARKERS`, read in chunks so
    a file of any size is checked in bounded memory."""
    overlap = max(len(m) for m in MARKERS) - 1
    tail = b""
    with _open_regular(path) as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            window = tail + chunk
            if has_markers(window):
                return True
            tail = window[-overlap:]
    return False


def _open_regular(path: Path):
    """``path`` opened for reading if it is a regular file (links followed), else SourceError."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise SourceError(_os_reason(exc, path)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SourceError(f"{special_kind(mode) or 'not a file'}, not a regular file: skipped")
    return os.fdopen(fd, "rb")


def special_kind(mode: int) -> Optional[str]:
    """What a file of ``mode`` (``st_mode``) is when it is neither a regular file nor a link."""
    for test, what in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return what
    return None


def _os_reason(exc: OSError, path: Path) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENXIO:  # what opening a UNIX socket gives
        try:
            if stat.S_ISSOCK(os.stat(path).st_mode):
                return "a socket, not a regular file: skipped"
        except OSError:
            pass
    return exc.strerror or str(exc)
