"""Nucleus lite's real IPC daemons for tests: build (cached), start with a configuration, stop.

The daemons come from ``../shared/nucleus-lite`` beside the repository (override with
``GGLIFT_SHARED_DIR``); they need root. :func:`require` skips with the reason when either is
missing.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import pytest

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("GGLIFT_SHARED_DIR") or HERE.parents[1].parent / "shared")
SCRIPTS = SHARED / "nucleus-lite"
LAUNCHER = HERE / "launcher.py"
THING = "local-test-thing"


def require() -> None:
    """Skip unless nucleus lite's sources and root are available."""
    if not (SCRIPTS / "build.sh").is_file():
        pytest.skip(f"nucleus lite's sources are not at {SCRIPTS} (set GGLIFT_SHARED_DIR)")
    if os.geteuid() != 0:
        pytest.skip("nucleus lite's daemons and component cgroups need root")


def build() -> Path:
    """Build ggconfigd, ggpubsubd and ggipcd (once; build.sh caches them) and return their folder.
    A lock keeps two test workers from building into the same cache at once."""
    with open(Path(tempfile.gettempdir()) / "gglift-nucleus-lite.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run(["bash", str(SCRIPTS / "build.sh")], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        pytest.fail(f"nucleus lite did not build:\n{done.stderr}")
    return Path(done.stdout.strip().splitlines()[-1])


class NucleusLite:
    """The three daemons under ``root``, serving ``root/gg-ipc.socket``."""

    def __init__(self, bin_dir: Path, root: Path):
        self.bin_dir = bin_dir
        self.root = root
        self.socket = root / "gg-ipc.socket"
        self.services: dict = {}
        self.extra_pids: list[int] = []  # daemons restarted by restart_ipcd

    def config(self, services: dict) -> dict:
        return {"system": {"rootPath": str(self.root), "thingName": THING},
                "services": {"aws.greengrass.NucleusLite": {
                    "componentType": "NUCLEUS", "version": "2.6.0",
                    "configuration": {"runWithDefault": {"posixUser": "root:root"}}}, **services}}

    def start(self, services: Optional[dict] = None) -> None:
        """Start with ``services`` (component name -> {version, configuration}) in the config."""
        if services is not None:
            self.services = services
        path = self.root.parent / f"{self.root.name}-config.yaml"
        path.write_text(json.dumps(self.config(self.services), indent=1))  # JSON is YAML
        subprocess.run(["bash", str(SCRIPTS / "start.sh"), str(self.bin_dir), str(self.root), str(path)],
                       check=True, timeout=60)

    def restart_ipcd(self) -> None:
        """Kill ggipcd alone (SIGKILL, as a crash) and start a new one beside the other daemons,
        in their mount namespace; returns once the new one accepts connections."""
        leader = int((self.root / "daemons.pid").read_text())
        old = [pid for pid in _children(leader) if _name(pid) == "ggipcd"] + [pid for pid in self.extra_pids if _alive(pid)]
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in old) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.socket.unlink(missing_ok=True)
        log = open(self.root / "logs" / "ggipcd-restarted.log", "ab")
        proc = subprocess.Popen(["nsenter", "-t", str(leader), "-m", "--", str(self.bin_dir / "ggipcd")],
                                cwd=self.root, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        self.extra_pids.append(proc.pid)
        while time.monotonic() < deadline:
            if self.socket.exists():
                probe = socket.socket(socket.AF_UNIX)
                try:
                    probe.connect(str(self.socket))
                    return
                except OSError:
                    pass
                finally:
                    probe.close()
            time.sleep(0.05)
        raise AssertionError("ggipcd did not come back in 30 s")

    def stop(self) -> None:
        for pid in self.extra_pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.extra_pids.clear()
        pid_file = self.root / "daemons.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid_file.unlink()

    def component_env(self) -> dict:
        """The environment nucleus lite gives a component (the SVCUID comes from the launcher)."""
        return {**os.environ, "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT": str(self.socket),
                "AWS_IOT_THING_NAME": THING}

    def run_as(self, component: str, argv: list[str], **popen) -> subprocess.Popen:
        """Start ``argv`` as nucleus lite starts ``component``: in its cgroup, with its SVCUID."""
        command = ["sh", str(SCRIPTS / "as-component.sh"), component, sys.executable, str(LAUNCHER), component, *argv]
        popen.setdefault("env", self.component_env())
        return subprocess.Popen(command, **popen)


    def run_recipe(self, component: str, version: str, recipe: dict, artifact: Path, python: str = sys.executable,
                   **popen) -> subprocess.Popen:
        """Start ``component`` as nucleus lite does: its artifact unarchived where nucleus lite
        puts it, the lite manifest's run script with recipe-runner's variables filled in, in
        the component's cgroup with the launcher's SVCUID; ``python3`` is ``python``."""
        artifacts = self.root / "packages" / "artifacts-unarchived" / component / version
        if not artifacts.exists():
            unpacked = artifacts / artifact.stem
            unpacked.mkdir(parents=True)
            subprocess.run(["unzip", "-q", str(artifact), "-d", str(unpacked)], check=True)
        work = self.root / "work" / component
        work.mkdir(parents=True, exist_ok=True)
        manifest = next(m for m in recipe["Manifests"] if m["Platform"].get("runtime") == "aws_nucleus_lite")
        script = (manifest["Lifecycle"]["run"].replace("{artifacts:decompressedPath}", f"{artifacts}/")
                  .replace("{work:path}", f"{work}/"))
        env = self.component_env()
        device_bin = self.root / "device-bin"
        device_bin.mkdir(exist_ok=True)
        if not (device_bin / "python3").exists():
            (device_bin / "python3").symlink_to(python)
        env["PATH"] = f"{device_bin}{os.pathsep}{env['PATH']}"
        return self.run_as(component, ["sh", "-c", script], env=env, **popen)


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid``."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found += kids
        todo += kids
    return found


def _name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of ours counts as gone
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True
