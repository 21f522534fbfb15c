"""Helpers: write a small project to a temp folder and run a core on it."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import socket
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from gglift.config import load_project
from gglift.runtime import Core


@pytest.fixture
def make_project(tmp_path: Path):
    """``make_project(toml, **files)`` writes gglift.toml and source files, returns the loaded Project."""

    def make(toml: str, **files: str):
        (tmp_path / "gglift.toml").write_text(textwrap.dedent(toml))
        for name, text in files.items():
            (tmp_path / f"{name}.py").write_text(textwrap.dedent(text))
        return load_project(tmp_path)

    return make


@pytest.fixture
def mosquitto(tmp_path):
    """A real mosquitto broker on a free port of 127.0.0.1; yields its mqtt:// URL."""
    binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)
    if binary is None:
        pytest.skip("mosquitto is not installed (tools/system-packages.txt)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n")
    broker = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        broker.terminate()
        broker.wait(5)


def run_core(project, body, **options):
    """Run ``await body(core, records)`` inside a started core; returns body's value."""

    async def main():
        seen = []
        options.setdefault("mqtt", None)
        async with Core(project, **options) as core:
            core.add_observer(seen.append)
            return await asyncio.wait_for(body(core, seen), 60)

    return asyncio.run(main())


# The embedded broker (amqtt) needs Python 3.10+; on 3.9 IOT_CORE needs --mqtt.
needs_embedded_broker = pytest.mark.skipif(importlib.util.find_spec("amqtt") is None, reason="amqtt is not installed (Python < 3.10)")


def kinds(records, kind):
    return [r for r in records if r.kind == kind]
