"""One stream manager client's connection: the connect handshake, then frames in and answers out.

Every whole frame that arrives in one read is handled before anything is written back, and the
answers go out in one write: a client that sends requests ahead (several threads of one
process, or a pipelining client) costs one system call per read, and appends to
``flush_on_write`` streams share one ``fdatasync`` (they are on the disk before any of them
is acknowledged).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Optional

import cbor2

from gglift.runtime.streams import framing
from gglift.runtime.streams.messages import Op, SERVER_VERSION, SUPPORTED_PROTOCOLS, Status, response

log = logging.getLogger("gglift.runtime.streams")


class Connection(asyncio.Protocol):
    """A client of ``server`` (a :class:`~gglift.runtime.streams.server.StreamServer`)."""

    def __init__(self, server):
        self.server = server
        self.client: Optional[str] = None  # the function the token was given to, once connected
        self.tasks: set[asyncio.Task] = set()  # reads waiting for messages
        self._buffer = bytearray()
        self._transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport) -> None:
        self._transport = transport
        self.server.connections.add(self)

    def connection_lost(self, exc) -> None:
        for task in self.tasks:
            task.cancel()
        self.server.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        try:
            if self.client is None and not self._handshake():
                return
            answers = [a for a in (self.server.answer(f, self) for f in framing.split(self._buffer)) if a]
        except (framing.FrameError, ValueError, cbor2.CBORDecodeError) as exc:
            log.warning("stream manager client sent a malformed frame: %s; connection closed", exc)
            self.close()
            return
        self.server.sync()
        if answers:
            self.send(b"".join(answers))

    def send(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    def _handshake(self) -> bool:
        """Answer the connect request once it is whole; True when the client is connected."""
        if len(self._buffer) < 6:
            return False
        version = self._buffer[0]
        rest = self._buffer[1:]
        frames = framing.split(rest)
        if not frames:
            return False
        frame, self._buffer = frames[0], rest
        request = map_of(frame.payload)
        theirs = [request.get("protocolVersion"), *(request.get("otherSupportedProtocolVersions") or [])]
        protocol = next((v for v in theirs if v in SUPPORTED_PROTOCOLS), None)
        error = None
        if version != framing.CONNECT_VERSION:
            status, error = Status.UNSUPPORTED_CONNECT_VERSION, f"connect version {version} is not supported"
        elif frame.operation != Op.CONNECT:
            status, error = Status.UNEXPECTED_OPERATION, "the first request must be Connect"
        elif protocol is None:
            status, error = Status.UNSUPPORTED_PROTOCOL_VERSION, (
                f"protocol versions {theirs} are not supported (supported: {', '.join(SUPPORTED_PROTOCOLS)})")
        else:
            self.client = self.server.authenticate(request.get("authToken"))
            status = Status.SUCCESS if self.client is not None else Status.UNAUTHORIZED
            error = None if self.client is not None else "invalid auth token"
        request_id = request.get("requestId")
        if self.client is None:
            log.warning("stream manager refused a client: %s", error)
            self.send(bytes((framing.CONNECT_VERSION,)) + encode(Op.CONNECT_RESPONSE, response(request_id, status, error)))
            self.close()
            return False
        self.send(bytes((framing.CONNECT_VERSION,)) + encode(Op.CONNECT_RESPONSE, response(
            request_id, protocolVersion=protocol, supportedProtocolVersions=list(SUPPORTED_PROTOCOLS),
            serverVersion=SERVER_VERSION, clientIdentifier=self.client)))
        return True


def encode(operation: int, data: dict) -> bytes:
    """A frame carrying ``data`` as CBOR."""
    return framing.encode(operation, cbor2.dumps(data))


def map_of(payload: bytes) -> dict:
    """A request's CBOR payload, which must be a map."""
    data = cbor2.loads(payload) if payload else {}
    if not isinstance(data, dict):
        raise ValueError("a request must be a CBOR map")
    return data
