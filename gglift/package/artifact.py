"""Deterministic zip artifacts: the same input files give a byte-identical zip.

Entries are sorted by name and carry a fixed timestamp, fixed permissions and a fixed
compression level, so the artifact's SHA-256 (the recipe's ``Digest`` and Lambda's
``CodeSha256``) changes only when the code or its dependencies do.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable, Mapping

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
FILE_MODE = 0o644
EXEC_MODE = 0o755


def write_zip(dest: Path, entries: Mapping[str, Path], executables: Iterable[str] = ()) -> None:
    """Write ``entries`` (archive name -> file on disk) to ``dest`` atomically.

    Names in ``executables`` get mode 755, every other entry 644.
    """
    executables = set(executables)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so external_attr holds a mode
                info.external_attr = ((EXEC_MODE if name in executables else FILE_MODE) | 0o100000) << 16
                zf.writestr(info, entries[name].read_bytes(), compresslevel=6)
        os.replace(tmp, dest)
    except BaseException:
        os.unlink(tmp)
        raise


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
