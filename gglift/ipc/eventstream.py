"""Eventstream framing, the wire format of Greengrass V2 IPC (stdlib only: it runs on devices).

A message: total length and headers length (4-byte big-endian each), the CRC32 of those 8
bytes, the headers, the payload, and the CRC32 of everything before it. A header: 1-byte name
length, name, 1-byte type, value (bytes and strings with a 2-byte length).
"""

from __future__ import annotations

import struct
import sys
import zlib
from dataclasses import dataclass, field
from typing import Any, Optional

# :message-type values
APPLICATION_MESSAGE, APPLICATION_ERROR, PING, PING_RESPONSE, CONNECT, CONNECT_ACK, PROTOCOL_ERROR, SERVER_ERROR = range(8)
# :message-flags bits
CONNECTION_ACCEPTED, TERMINATE_STREAM = 1, 2

_PRELUDE = struct.Struct(">II")
_MIN_LENGTH = 16  # prelude, its CRC and the message CRC
# Header value types
_TRUE, _FALSE, _BYTE, _INT16, _INT32, _INT64, _BYTES, _STRING, _TIMESTAMP, _UUID = range(10)
_FIXED = {_BYTE: struct.Struct(">b"), _INT16: struct.Struct(">h"), _INT32: struct.Struct(">i"),
          _INT64: struct.Struct(">q"), _TIMESTAMP: struct.Struct(">q")}


class FramingError(Exception):
    """Bytes that are not a valid eventstream message (bad length or CRC)."""


@dataclass
class Message:
    """One eventstream message; ``headers`` maps names to str, bytes, int or bool values."""

    headers: dict[str, Any] = field(default_factory=dict)
    payload: bytes = b""

    @property
    def message_type(self) -> int:
        return int(self.headers.get(":message-type", APPLICATION_MESSAGE))

    @property
    def flags(self) -> int:
        return int(self.headers.get(":message-flags", 0))

    @property
    def stream_id(self) -> int:
        return int(self.headers.get(":stream-id", 0))


def _header(name: str, value: Any) -> bytes:
    key = name.encode()
    if isinstance(value, bool):
        body = bytes((_TRUE if value else _FALSE,))
    elif isinstance(value, int):  # every integer header of the IPC protocol is an int32
        body = bytes((_INT32,)) + _FIXED[_INT32].pack(value)
    elif isinstance(value, (bytes, bytearray)):
        body = bytes((_BYTES,)) + struct.pack(">H", len(value)) + bytes(value)
    elif "uuid" in sys.modules and isinstance(value, sys.modules["uuid"].UUID):  # only a caller's UUID can be one
        body = bytes((_UUID,)) + value.bytes
    else:
        text = str(value).encode()
        body = bytes((_STRING,)) + struct.pack(">H", len(text)) + text
    return bytes((len(key),)) + key + body


def encode(message: Message) -> bytes:
    """The wire bytes of ``message``."""
    headers = b"".join(_header(name, value) for name, value in message.headers.items())
    total = _MIN_LENGTH + len(headers) + len(message.payload)
    prelude = _PRELUDE.pack(total, len(headers))
    head = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + message.payload
    return head + struct.pack(">I", zlib.crc32(head))


def _decode_headers(data: bytes) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    pos = 0
    try:
        while pos < len(data):
            size = data[pos]
            name = data[pos + 1:pos + 1 + size].decode()
            pos += 1 + size
            kind = data[pos]
            pos += 1
            if kind in (_TRUE, _FALSE):
                value: Any = kind == _TRUE
            elif kind in _FIXED:
                value = _FIXED[kind].unpack_from(data, pos)[0]
                pos += _FIXED[kind].size
            elif kind in (_BYTES, _STRING):
                (length,) = struct.unpack_from(">H", data, pos)
                value = data[pos + 2:pos + 2 + length]
                value = value.decode() if kind == _STRING else bytes(value)
                pos += 2 + length
            elif kind == _UUID:
                import uuid  # here only: no IPC operation the host uses sends one

                value = uuid.UUID(bytes=bytes(data[pos:pos + 16]))
                pos += 16
            else:
                raise FramingError(f"unknown header value type {kind} in header {name!r}")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise FramingError(f"malformed headers: {exc}") from None
    return headers


class Decoder:
    """Turns a byte stream into messages: :meth:`feed` bytes, get the complete messages back."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages = []
        while True:
            message = self._next()
            if message is None:
                return messages
            messages.append(message)

    def _next(self) -> Optional[Message]:
        buf = self._buffer
        if len(buf) < 12:
            return None
        total, headers_length = _PRELUDE.unpack_from(buf, 0)
        if struct.unpack_from(">I", buf, 8)[0] != zlib.crc32(bytes(buf[:8])):
            raise FramingError("prelude CRC mismatch")
        if total < _MIN_LENGTH or headers_length > total - _MIN_LENGTH:
            raise FramingError(f"impossible lengths: total {total}, headers {headers_length}")
        if len(buf) < total:
            return None
        frame = bytes(buf[:total])
        del buf[:total]
        if struct.unpack_from(">I", frame, total - 4)[0] != zlib.crc32(frame[:total - 4]):
            raise FramingError("message CRC mismatch")
        headers = _decode_headers(frame[12:12 + headers_length])
        return Message(headers, frame[12 + headers_length:total - 4])
