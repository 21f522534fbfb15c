"""Writing the migrated project: all of it or nothing, and never over a folder without ``--force``.

The project is written into a new folder beside ``--out`` (each file through
:func:`gglift.storage.write_bytes`), then renamed into place; with ``--force`` the old folder
is moved aside first and removed only once the new one is in place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from gglift.migrate.errors import MigrateError
from gglift.storage import write_bytes


def refuse_existing(out: Path, force: bool) -> None:
    """Raise GGM905 when ``out`` exists and ``force`` is not given."""
    if (out.exists() or out.is_symlink()) and not force:
        raise MigrateError("GGM905", str(out), "", "already exists; nothing was written",
                           "give another --out, or --force to replace it")


def write_project(out: Path, files: dict, force: bool = False) -> None:
    """Write ``files`` (relative path -> (bytes, mode)) as the folder ``out``."""
    refuse_existing(out, force)
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".gglift-tmp", dir=parent))
    old = None
    try:
        for rel, (data, mode) in sorted(files.items()):
            path = staging / rel
            write_bytes(path, data)
            os.chmod(path, mode)
        os.chmod(staging, 0o755)
        if out.exists() or out.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".gglift-old", dir=parent))
            os.replace(out, old / out.name)
        os.replace(staging, out)
    except BaseException:
        if old is not None and not (out.exists() or out.is_symlink()):
            os.replace(old / out.name, out)  # put the user's folder back
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
