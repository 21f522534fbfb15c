"""The event loop the core runs on: uvloop where it is installed, asyncio's own otherwise."""

from __future__ import annotations

import asyncio
from typing import Any, Coroutine


def run(main: Coroutine[Any, Any, Any]) -> Any:
    """Run ``main`` to completion on a new event loop and return its value, as ``asyncio.run``.

    uvloop (libuv) wakes up and does socket I/O for less CPU than asyncio's own loop, and every
    invocation costs the core two requests; where uvloop is not installed (it is optional on
    non-Linux systems) asyncio's loop runs the same code.
    """
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)
