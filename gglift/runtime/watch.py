"""``gglift run --watch``: notice when a Python function's source files change.

Polling the modification times of the ``*.py`` files under each function's source folder,
twice a second, rather than inotify: the standard library has no inotify binding, polling
sees the same changes on every file system (bind mounts, network shares, editors that save by
renaming a new file over the old one), and a project's few source files cost microseconds to
stat. Only ``*.py`` files count, so the state folder, ``--record`` files and logs written
under the project never trigger a reload.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Callable, Iterable

from gglift.config import Function

INTERVAL = 0.5  # seconds between two looks at the files

Snapshot = dict[str, tuple[int, int]]  # relative path -> (mtime_ns, size)


def snapshot(source: Path) -> Snapshot:
    """The ``*.py`` files under ``source`` (hidden folders and ``__pycache__`` left out)."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:  # removed while we looked: the next look sees it gone
                    continue
                found[os.path.relpath(path, source)] = (stat.st_mtime_ns, stat.st_size)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """The files added, removed or modified between two snapshots, sorted."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


class SourceWatcher:
    """Calls ``changed(function_name, files)`` when files of a Python function's source change.

    Functions sharing a source folder all reload when it changes: each imports from all of it.
    """

    def __init__(self, functions: Iterable[Function], changed: Callable[[str, list[str]], None],
                 interval: float = INTERVAL):
        self.functions = [fn for fn in functions if not fn.is_executable]
        self.changed = changed
        self.interval = interval
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Take the first snapshots and begin polling on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._poll(self._look()))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _look(self) -> dict[Path, Snapshot]:
        """One snapshot per source folder, however many functions share it."""
        return {source: snapshot(source) for source in dict.fromkeys(fn.source for fn in self.functions)}

    async def _poll(self, seen: dict[Path, Snapshot]) -> None:
        while True:
            await asyncio.sleep(self.interval)
            now = self._look()
            for fn in self.functions:
                changed = changes(seen[fn.source], now[fn.source])
                if changed:
                    self.changed(fn.name, changed)
            seen = now
