"""One worker OS process: start it, read its output by lines, learn when it exits, signal it.

asyncio's subprocess support reaps every child as it exits, so no zombie is left behind.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Callable, Optional

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


class WorkerProcess:
    """Runs ``argv``; ``on_line(text)`` gets each output line, ``on_exit(returncode)`` fires once."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str,
                 on_line: Callable[[str], None], on_exit: Callable[[int], None]):
        self.argv, self.env, self.cwd = argv, env, cwd
        self.on_line, self.on_exit = on_line, on_exit
        self.proc: Optional[asyncio.subprocess.Process] = None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self) -> None:
        """Start the process (raises OSError if it cannot run) and watch it in the background."""
        # A session of its own: Ctrl-C in the terminal reaches the core, which stops workers in order.
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, env=self.env, cwd=self.cwd, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            start_new_session=True, limit=1 << 20,
        )
        asyncio.get_running_loop().create_task(self._watch())

    def rss_kb(self) -> int:
        """Resident memory in KB (0 once gone)."""
        try:
            with open(f"/proc/{self.pid}/statm") as fh:
                return int(fh.read().split()[1]) * _PAGE_KB
        except (OSError, IndexError, ValueError):
            return 0

    def signal(self, signum: int = signal.SIGTERM) -> None:
        if self.alive:
            try:
                self.proc.send_signal(signum)
            except ProcessLookupError:
                pass

    async def _watch(self) -> None:
        reader = self.proc.stdout
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # a line longer than the limit: take what is there
                line = await reader.read(1 << 20)
            if not line:
                break
            self.on_line(line.decode("utf-8", "replace").rstrip("\n"))
        self.on_exit(await self.proc.wait())
