"""Stream manager frames on the wire, as the stream manager SDKs write and read them.

A connection opens with one byte, the connect version (1), in each direction. After it every
message is a frame: a 4-byte big-endian signed length (the payload's length + 1), a 1-byte
operation code, then the CBOR payload. A frame is at most ``1 << 30`` bytes.
"""

from __future__ import annotations

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


def split(buffer: bytearray) -> list[Frame]:
    """Take every whole frame off the front of ``buffer``; a partial one stays for more bytes."""
    frames, offset = [], 0
    while len(buffer) - offset >= 5:
        length = int.from_bytes(buffer[offset:offset + 4], "big", signed=True)
        if length < 1 or length > MAX_FRAME:
            raise FrameError(f"frame length {length} is outside 1..{MAX_FRAME}")
        end = offset + 4 + length
        if end > len(buffer):
            break
        frames.append(Frame(buffer[offset + 4], bytes(buffer[offset + 5:end])))
        offset = end
    del buffer[:offset]
    return frames
