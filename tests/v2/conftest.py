"""Fixtures: nucleus lite's real daemons, components in their cgroups, awsiotsdk peers."""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from .nucleus_lite import HERE, NucleusLite, build, require


@pytest.fixture(scope="session")
def nucleus_bin() -> Path:
    require()
    return build()


@pytest.fixture
def nucleus(nucleus_bin):
    """A NucleusLite under a short /tmp folder (a Unix socket path has at most 107 bytes); call
    ``start(services)``; stopped at the end."""
    root = Path(tempfile.mkdtemp(prefix="ggl-nl-"))
    lite = NucleusLite(nucleus_bin, root / "gg")
    yield lite
    lite.stop()
    shutil.rmtree(root, ignore_errors=True)


class Lines:
    """A process whose stdout and stderr are read as they come: :meth:`line` waits (bounded)."""

    def __init__(self, proc: subprocess.Popen):
        self.proc = proc
        self.out: queue.Queue = queue.Queue()
        self.err: list[str] = []
        self.err_changed = threading.Condition()
        threading.Thread(target=self._pump, args=(proc.stdout, self.out.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(proc.stderr, self._add_err), daemon=True).start()

    @staticmethod
    def _pump(stream, put) -> None:
        for line in stream:
            put(line)

    def _add_err(self, line: str) -> None:
        with self.err_changed:
            self.err.append(line)
            self.err_changed.notify_all()

    def line(self, timeout: float = 90) -> str:
        try:
            return self.out.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output line in {timeout} s; stderr:\n{''.join(self.err)}") from None

    def wait_err(self, text: str, timeout: float = 90) -> None:
        """Wait until stderr has a line containing ``text``."""
        with self.err_changed:
            if not self.err_changed.wait_for(lambda: any(text in line for line in self.err), timeout):
                raise AssertionError(f"no {text!r} on stderr in {timeout} s:\n{''.join(self.err)}")


@pytest.fixture
def peers(nucleus):
    """``peers(component, mode, topic, *args)`` starts peer.py (awsiotsdk) as ``component``;
    a subscriber is returned once its subscription is in place."""
    started = []

    def start(component: str, mode: str, topic: str, *args: str) -> Lines:
        proc = Lines(nucleus.run_as(component, [sys.executable, str(HERE / "peer.py"), mode, topic, *args],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        started.append(proc.proc)
        if mode == "subscribe":
            assert proc.line() == "ready\n"
        return proc

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def svcuid(nucleus: NucleusLite, component: str) -> str:
    """An SVCUID for ``component``, obtained as nucleus lite's launcher obtains one."""
    done = nucleus.run_as(component, [sys.executable, "-c", "import os; print(os.environ['SVCUID'])"],
                          stdout=subprocess.PIPE, text=True)
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 0
    return out.strip()


def policy(component: str, service: str, operations: list[str], resources: list[str], n: int = 1) -> dict:
    return {service: {f"{component}:{service.rsplit('.', 1)[1]}:{n}": {
        "policyDescription": "test", "operations": [f"aws.greengrass#{op}" for op in operations], "resources": resources}}}
