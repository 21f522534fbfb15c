"""Helpers: write a small project to a temp folder and run a core on it."""

from __future__ import annotations

import asyncio
import importlib.util
import textwrap
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
