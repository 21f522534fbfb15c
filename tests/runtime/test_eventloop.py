"""The core runs on uvloop where it is installed and on asyncio's own loop where it is not."""

from __future__ import annotations

import asyncio
import sys

import pytest

from gglift.runtime import eventloop


async def loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uvloop is a dependency on Linux only")
def test_uvloop_runs_the_core_where_installed():
    assert eventloop.run(loop_module()).startswith("uvloop")


def test_asyncio_runs_it_without_uvloop(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvloop", None)  # makes `import uvloop` raise ImportError
    assert eventloop.run(loop_module()).startswith("asyncio")
