"""A stream manager server on a loop of its own, and the real SDK clients that talk to it."""

from __future__ import annotations

import asyncio
import importlib
import threading
from pathlib import Path

import pytest

from gglift.runtime.streams import StreamServer

TOKEN = "token-of-the-test-worker"
SDKS = ("stream_manager", "greengrasssdk.stream_manager")


class ServerThread:
    """A StreamServer serving from a thread; ``restart()`` stops it and opens the store again."""

    def __init__(self, folder: Path, exports_factory=None, clock=None):
        self.folder = folder
        self.exports_factory = exports_factory
        self.clock = clock
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = None
        self.port = 0

    def call(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        exports = self.exports_factory() if self.exports_factory else None
        self.server = StreamServer(self.folder, lambda token: "tester" if token == TOKEN else None,
                                   exports=exports, port=self.port, **({"clock": self.clock} if self.clock else {}))
        self.call(self.server.start())
        self.port = self.server.port

    def stop(self) -> None:
        if self.server is not None:
            self.call(self.server.stop())
            self.server = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        if self.thread.is_alive():
            self.stop()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


@pytest.fixture
def server(tmp_path):
    running = ServerThread(tmp_path / "streams")
    running.start()
    yield running
    running.close()


@pytest.fixture(params=SDKS)
def sdk(request, monkeypatch):
    """The SDK module (``stream_manager`` or ``greengrasssdk.stream_manager``), with the worker's token set."""
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", TOKEN)
    return importlib.import_module(request.param)


@pytest.fixture
def connect(server, sdk):
    """``connect(**options)``: a client of ``server``, closed after the test."""
    clients = []

    def make(**options):
        client = sdk.StreamManagerClient(port=server.port, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
