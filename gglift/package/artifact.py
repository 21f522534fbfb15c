"""Deterministic zip artifacts: the same input files give a byte-identical zip.

Entries are sorted by name and carry a fixed timestamp, fixed permissions and zlib's default
compression level, so the artifact's SHA-256 (the recipe's ``Digest`` and Lambda's
``CodeSha256``) changes only when the code or its dependencies do. Files are streamed into
the zip and the zip is streamed to disk, so memory does not grow with the artifact.

Only regular files go in, and every entry name is a plain relative path (no ``..``, no
leading ``/``, no backslash): an artifact can always be unzipped safely on the device.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional

from gglift.port.source import special_kind
from gglift.storage import CHUNK, atomic_file

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FILE_MODE = 0o644
EXEC_MODE = 0o755


class UnsafeEntry(ValueError):
    """An archive name that could write outside the folder the artifact is unzipped into."""


@dataclass(frozen=True)
class Skipped:
    """A file left out of an artifact, and why (shown in the package report)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Written:
    sha256: str  # hex
    size: int


def unsafe_name(name: str) -> Optional[str]:
    """Why ``name`` is not a safe archive name (None when it is).

    >>> unsafe_name("pkg/../../etc/passwd")
    "'..' in the path"
    >>> unsafe_name("pkg/mod.py") is None
    True
    """
    if not name or "\x00" in name:
        return "an empty name or a NUL character"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if "\\" in name:
        return "a backslash in the path"
    if ".." in name.split("/"):
        return "'..' in the path"
    if posixpath.normpath(name) != name:
        return "not a normalised path"
    return None


def write_zip(path: Path, entries: Mapping[str, Path], executables: Iterable[str] = ()) -> Written:
    """Write the zip of ``entries`` (archive name -> file on disk) to ``path`` atomically,
    leaving an identical existing file in place; return its digest and size.

    Names in ``executables`` get mode 755, every other entry 644. Raises :class:`UnsafeEntry`
    for a name :func:`unsafe_name` refuses.
    """
    executables = set(executables)
    for name in entries:
        reason = unsafe_name(name)
        if reason:
            raise UnsafeEntry(f"{name!r} is not a safe archive name: {reason}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, keep_identical=True) as handle:
        with zipfile.ZipFile(handle, "w") as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so external_attr holds a mode
                info.external_attr = ((EXEC_MODE if name in executables else FILE_MODE) | 0o100000) << 16
                with open(entries[name], "rb") as src:
                    info.file_size = os.fstat(src.fileno()).st_size  # decides zip64 up front
                    with zf.open(info, "w") as dest:
                        shutil.copyfileobj(src, dest, CHUNK)
        handle.seek(0)
        digest, size = hashlib.sha256(), 0
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    return Written(digest.hexdigest(), size)


def special_file(path: Path) -> Optional[str]:
    """Why ``path`` cannot go into an artifact when it is a symlink (never followed), a FIFO,
    a socket or a device (which would hang or fail a build), else None; one ``lstat``."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(mode):
        return "a symlink (links are not followed)"
    kind = special_kind(mode)
    return f"{kind}, not a regular file" if kind else None


def collect(root: Path, prefix: str = "", skip_dirs: frozenset = frozenset(), skip=lambda rel: False
            ) -> tuple[dict[str, Path], list[Skipped]]:
    """Every regular file under ``root`` as archive name -> path, skipping ``skip_dirs``
    anywhere, caches, and paths ``skip`` refuses (given the POSIX path relative to ``root``).

    Symlinks, FIFOs, sockets, devices and files whose names cannot be archived safely are
    left out and returned with the reason, for the report.
    """
    found: dict[str, Path] = {}
    skipped: list[Skipped] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs and d != "__pycache__")
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if name.endswith((".pyc", ".pyo")) or skip(rel):
                continue
            reason = special_file(path) or unsafe_name(rel)
            if reason:
                skipped.append(Skipped(path, reason))
                continue
            found[prefix + rel] = path
    return found, skipped
