"""A standard-library stand-in for the part of ``httptools`` the IPC transport uses.

On a device the host runs with only ``python3``; when ``httptools`` is missing the transport
parses requests with this: the same callbacks (``on_message_begin``, ``on_url``, ``on_header``,
``on_headers_complete``, ``on_body``, ``on_message_complete``), ``Content-Length`` and chunked
bodies, keep-alive. Upgrades and malformed requests raise :class:`HttpParserError`.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

_MAX_HEAD = 64 << 10


class HttpParserError(Exception):
    """The bytes are not an HTTP/1.x request this server accepts."""


class URL(NamedTuple):
    path: bytes
    query: Optional[bytes]


def parse_url(url: bytes) -> URL:
    path, _, query = url.partition(b"?")
    return URL(path, query or None)


class HttpRequestParser:
    """Feeds ``protocol``'s callbacks from the bytes given to :meth:`feed_data`."""

    def __init__(self, protocol):
        self._protocol = protocol
        self._buffer = bytearray()
        self._state = "head"  # head, body (length), chunk-size, chunk, chunk-end, trailer
        self._remaining = 0
        self._method = b""
        self._keep_alive = True

    def get_method(self) -> bytes:
        return self._method

    def should_keep_alive(self) -> bool:
        return self._keep_alive

    def feed_data(self, data: bytes) -> None:
        self._buffer += data
        while self._step():
            pass

    def _step(self) -> bool:
        buf = self._buffer
        if self._state == "head":
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > _MAX_HEAD:
                    raise HttpParserError("request head too long")
                return False
            head = bytes(buf[:end]).split(b"\r\n")
            del buf[:end + 4]
            self._head(head)
            return True
        if self._state in ("body", "chunk"):
            if not self._take_body():
                return False
            if self._state == "body":
                self._complete()
            else:
                self._state = "chunk-end"
            return True
        line_end = buf.find(b"\r\n")
        if line_end < 0:
            return False
        line = bytes(buf[:line_end])
        del buf[:line_end + 2]
        if self._state == "chunk-end":
            if line:
                raise HttpParserError("chunk not followed by CRLF")
            self._state = "chunk-size"
        elif self._state == "chunk-size":
            try:
                self._remaining = int(line.split(b";")[0], 16)
            except ValueError:
                raise HttpParserError(f"bad chunk size {line[:20]!r}") from None
            self._state = "chunk" if self._remaining else "trailer"
        elif self._state == "trailer" and not line:
            self._complete()
        return True

    def _take_body(self) -> bool:
        """Pass on what is buffered of the current body or chunk; True once all of it came."""
        take = min(self._remaining, len(self._buffer))
        if take:
            self._protocol.on_body(bytes(self._buffer[:take]))
            del self._buffer[:take]
            self._remaining -= take
        return self._remaining == 0

    def _head(self, lines: list[bytes]) -> None:
        try:
            method, url, version = lines[0].split(b" ")
        except ValueError:
            raise HttpParserError(f"bad request line {lines[0][:60]!r}") from None
        if not version.startswith(b"HTTP/1."):
            raise HttpParserError(f"unsupported protocol {version[:20]!r}")
        self._method = method
        self._protocol.on_message_begin()
        self._protocol.on_url(url)
        headers = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or name != name.strip():
                raise HttpParserError(f"bad header line {line[:60]!r}")
            value = value.strip()
            headers[name.lower()] = value
            self._protocol.on_header(name, value)
        if b"upgrade" in headers:
            raise HttpParserError("upgrade requests are not served")
        connection = headers.get(b"connection", b"").lower()
        self._keep_alive = connection != b"close" and (version == b"HTTP/1.1" or connection == b"keep-alive")
        self._protocol.on_headers_complete()
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            self._state = "chunk-size"
            return
        try:
            self._remaining = int(headers.get(b"content-length", b"0"))
        except ValueError:
            raise HttpParserError("bad Content-Length") from None
        if self._remaining < 0:
            raise HttpParserError("bad Content-Length")
        self._state = "body"

    def _complete(self) -> None:
        self._state = "head"
        self._protocol.on_message_complete()
