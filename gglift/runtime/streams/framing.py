"""Stream manager frames on the wire, as the stream manager SDKs write and read them.

A connection opens with one byte, the connect version (1), in each direction. After it every
message is a frame: a 4-byte big-endian signed length (the payload's length + 1), a 1-byte
operation code, then the CBOR payload. A frame is at most ``1 << 30`` bytes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

CONNECT_VERSION = 1
MAX_FRAME = 1 << 30


class FrameError(Exception):
    """The peer sent something that is not a stream manager frame."""


@dataclass(frozen=True)
class Frame:
    operation: int
    payload: bytes


def encode(operation: int, payload: bytes) -> bytes:
    """The bytes of one frame."""
    return (len(payload) + 1).to_bytes(4, "big", signed=True) + bytes((operation,)) + payload


async def read_frame(reader: asyncio.StreamReader) -> Frame:
    """The next frame; ``asyncio.IncompleteReadError`` when the peer closed the connection."""
    head = await reader.readexactly(5)
    length = int.from_bytes(head[:4], "big", signed=True)
    if length < 1 or length > MAX_FRAME:
        raise FrameError(f"frame length {length} is outside 1..{MAX_FRAME}")
    payload = await reader.readexactly(length - 1) if length > 1 else b""
    return Frame(head[4], payload)
