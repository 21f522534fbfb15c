"""Reading Python source files and encoding the ported text back without losing a byte.

Decoding follows PEP 263 (a BOM, or a ``coding:`` comment on line 1 or 2, else UTF-8);
encoding re-uses the same encoding and BOM, and newlines are kept by libcst itself. Files
are replaced with :func:`gglift.storage.write_atomic`, so an interrupted run leaves either
the old file or the new one, never half of each.
"""

from __future__ import annotations

import codecs
import errno
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceError(Exception):
    """The file cannot be read or decoded; the message is the reason for GGL900."""


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


def read_source(path: Path) -> bytes:
    """The file's bytes; SourceError with a readable reason when that fails."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(_os_reason(exc)) from None


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    return exc.strerror or str(exc)


