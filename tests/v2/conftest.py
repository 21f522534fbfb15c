"""Fixtures: nucleus lite's real daemons, components in their cgroups, awsiotsdk peers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from nucleus_lite import HERE, NucleusLite, build, require


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


@pytest.fixture
def peers(nucleus):
    """``peers(component, mode, topic, *args)`` starts peer.py (awsiotsdk) as ``component``;
    a subscriber is returned once its subscription is in place."""
    started = []

    def start(component: str, mode: str, topic: str, *args: str) -> subprocess.Popen:
        proc = nucleus.run_as(component, [sys.executable, str(HERE / "peer.py"), mode, topic, *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(proc)
        if mode == "subscribe":
            line = proc.stdout.readline()
            assert line == "ready\n", proc.stderr.read() if proc.poll() is not None else line
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
