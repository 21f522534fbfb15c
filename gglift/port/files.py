"""Which files a port run looks at.

Directories are walked recursively in sorted order (so output is stable) for ``*.py``, skipping
hidden folders, ``__pycache__``, ``site-packages`` and virtual environments (any folder with a
``pyvenv.cfg``); directory symlinks are not followed, so a link cycle cannot trap the walk.
Files named on the command line are always taken, whatever their suffix.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path
from typing import Iterable, Sequence

SKIPPED_DIRS = frozenset({"__pycache__", "site-packages", "node_modules"})


def is_excluded(relative: str, patterns: Sequence[str]) -> bool:
    """True if a POSIX relative path, or its last component, matches any --exclude GLOB.

    >>> is_excluded("pkg/tests/test_app.py", ["tests/*"])
    False
    >>> is_excluded("pkg/tests/test_app.py", ["*/tests/*"])
    True
    """
    name = relative.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def _skip_dir(directory: str, name: str) -> bool:
    return (
        name.startswith(".")
        or name in SKIPPED_DIRS
        or os.path.exists(os.path.join(directory, name, "pyvenv.cfg"))
    )


def discover(paths: Iterable[Path], exclude: Sequence[str] = ()) -> list[Path]:
    """The files to port, in a stable order and without duplicates.

    Directories are expanded; an explicit file path is kept even if it is a broken link or a
    link loop, so that the run reports it instead of silently skipping it.
    """
    found: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        if path not in seen:
            seen.add(path)
            found.append(path)

    for root in paths:
        if not root.is_dir():
            add(root)
            continue
        for directory, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not _skip_dir(directory, d))
            for filename in sorted(filenames):
                if not filename.endswith(".py"):
                    continue
                path = Path(directory, filename)
                if exclude and is_excluded(path.relative_to(root).as_posix(), exclude):
                    continue
                add(path)
    return found
