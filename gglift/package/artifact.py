"""Deterministic zip artifacts: the same input files give a byte-identical zip.

Entries are sorted by name and carry a fixed timestamp, fixed permissions and a fixed
compression level, so the artifact's SHA-256 (the recipe's ``Digest`` and Lambda's
``CodeSha256``) changes only when the code or its dependencies do.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Iterable, Mapping

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FILE_MODE = 0o644
EXEC_MODE = 0o755


def zip_bytes(entries: Mapping[str, Path], executables: Iterable[str] = ()) -> bytes:
    """The zip of ``entries`` (archive name -> file on disk), built in memory so the caller
    can hash it and write it atomically without reading it back.

    Names in ``executables`` get mode 755, every other entry 644.
    """
    executables = set(executables)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so external_attr holds a mode
            info.external_attr = ((EXEC_MODE if name in executables else FILE_MODE) | 0o100000) << 16
            zf.writestr(info, entries[name].read_bytes(), compresslevel=6)
    return buffer.getvalue()


def collect(root: Path, prefix: str = "", skip_dirs: frozenset = frozenset(), skip=lambda rel: False) -> dict[str, Path]:
    """Every file under ``root`` as archive name -> path, skipping ``skip_dirs`` anywhere,
    caches, and paths ``skip`` refuses (given the POSIX path relative to ``root``)."""
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs and d != "__pycache__")
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if name.endswith((".pyc", ".pyo")) or path.is_symlink() or skip(rel):
                continue
            found[prefix + rel] = path
    return found
