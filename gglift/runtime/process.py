"""One worker OS process: start it, read its output by lines, learn when it exits, signal it.

A worker runs in a process group (and session) of its own, so everything a handler starts
can be signalled with it. Its exit is learnt from the process itself (a pidfd, or a waiting
thread where the kernel has none), never from its output pipe: a child that inherited the
pipe would keep it open long after the worker is gone. Once the worker has exited, what is
left of its group is killed and the worker is reaped, so no process or zombie stays behind.
The worker also gets ``SIGKILL`` if the core dies without stopping it (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import subprocess
import time
from typing import Callable, Optional

_PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
_PR_SET_PDEATHSIG = 1
LINE_LIMIT = 1 << 20  # longest output line kept whole; a longer one is cut into pieces
DRAIN_SECONDS = 1.0  # how long output is still read after the worker's group is gone
GROUP_SCAN_SECONDS = 1.0  # how often the members of worker process groups are looked up

# The process's own symbols, libc's among them: ctypes.util.find_library would run ldconfig
# and import shutil, subprocess helpers and tempfile to find the same library.
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent: int) -> Callable[[], None]:
    """What the child runs between fork and exec: SIGKILL when the core's thread dies."""

    def preexec() -> None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the core died before prctl took effect
            os._exit(1)

    return preexec


class WorkerProcess:
    """Runs ``argv``; ``on_line(text)`` gets each output line, ``on_exit(returncode)`` fires once
    (negative: ended by that signal), after the output has been read."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str,
                 on_line: Callable[[str], None], on_exit: Callable[[int], None]):
        self.argv, self.env, self.cwd = argv, env, cwd
        self.on_line, self.on_exit = on_line, on_exit
        self.proc: Optional[subprocess.Popen] = None
        self.returncode: Optional[int] = None

    @property
    def pid(self) -> int:
        return self.proc.pid if self.proc else 0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.returncode is None

    async def start(self) -> None:
        """Start the process (raises OSError if it cannot run) and watch it in the background."""
        loop = asyncio.get_running_loop()
        read_fd, write_fd = os.pipe()
        try:
            # A session of its own: Ctrl-C in the terminal reaches the core, which stops workers
            # in order, and the worker's group holds whatever its handler starts.
            self.proc = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=write_fd,
                stderr=write_fd, start_new_session=True, preexec_fn=_die_with_parent(os.getpid()),
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        reader = asyncio.StreamReader(limit=LINE_LIMIT)
        output, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader),
                                                 os.fdopen(read_fd, "rb", 0))
        exited = loop.create_future()
        self._watch_exit(loop, exited)
        loop.create_task(self._watch(reader, output, exited))

    def _watch_exit(self, loop: asyncio.AbstractEventLoop, exited: asyncio.Future) -> None:
        """Resolve ``exited`` with the return code once the process has ended (and is reaped)."""

        def reap() -> None:
            # While the worker is an unreaped zombie its pid, the group's id, cannot be reused:
            # kill what is left of the group first, then reap.
            self.kill_group()
            exited.set_result(self.proc.wait())

        try:
            pidfd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # Linux before 5.3: a thread waits (without reaping) instead
            waiting = loop.run_in_executor(None, os.waitid, os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
            waiting.add_done_callback(lambda _: reap())
            return

        def readable() -> None:
            loop.remove_reader(pidfd)
            os.close(pidfd)
            reap()

        loop.add_reader(pidfd, readable)

    async def _watch(self, reader: asyncio.StreamReader, output: asyncio.BaseTransport, exited: asyncio.Future) -> None:
        lines = asyncio.get_running_loop().create_task(self._read_lines(reader))
        returncode = await exited
        self.returncode = returncode
        try:
            await asyncio.wait_for(asyncio.shield(lines), DRAIN_SECONDS)
        except asyncio.TimeoutError:  # a process that left the group still holds the pipe
            lines.cancel()
        output.close()
        self.on_exit(returncode)

    async def _read_lines(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                line = await reader.readline()
            except ValueError:  # a line longer than the limit: take what is there
                line = await reader.read(LINE_LIMIT)
            if not line:
                return
            self.on_line(line.decode("utf-8", "replace").rstrip("\n"))

    def rss_kb(self) -> int:
        """Resident memory in KB of the worker and the processes of its group (0 once gone)."""
        if not self.alive:
            return 0
        return sum(_rss_kb(pid) for pid in {self.pid, *_group_members().get(self.pid, ())})

    def signal(self, signum: int = signal.SIGTERM) -> None:
        """Send ``signum`` to the worker's whole process group while the worker lives."""
        if self.alive:
            self._signal_group(signum)

    def kill_group(self) -> None:
        """SIGKILL every process left in the worker's group."""
        if self.proc is not None:
            self._signal_group(signal.SIGKILL)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


_groups: dict[int, list[int]] = {}
_groups_at = float("-inf")


def _group_members() -> dict[int, list[int]]:
    """Process group id -> its processes, from one pass over /proc at most every GROUP_SCAN_SECONDS.

    Shared by every worker: a child a handler starts counts toward its memory limit from the
    next pass on (the kernel here may lack /proc/PID/task/TID/children, so /proc is scanned).
    """
    global _groups, _groups_at
    now = time.monotonic()
    if now - _groups_at < GROUP_SCAN_SECONDS:
        return _groups
    groups: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                data = fh.read()
            pgrp = int(data[data.rfind(b")") + 2:].split()[2])
        except (OSError, IndexError, ValueError):
            continue
        groups.setdefault(pgrp, []).append(int(name))
    _groups, _groups_at = groups, now
    return groups
