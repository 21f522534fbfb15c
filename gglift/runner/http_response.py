"""Read the HTTP/1.1 responses the local core sends a worker, one after another on one connection.

The worker's IPC client talks only to gglift's own core over loopback, so this reads exactly
what an HTTP/1.1 server may answer: a status line, headers (names compared without case),
then a body framed by ``Content-Length``, by chunked transfer coding, or by the server closing
the connection; interim ``1xx`` answers are skipped. Anything else (a malformed status line or
header, a bad length, the connection ending part-way) raises :class:`ProtocolError` and
nothing else. The standard ``http.client`` would do the same job, but it imports the ``email``
package: about 1.5 MB of a worker's 16 MB memory limit.

>>> parts = [b"HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nhi"]
>>> response = ResponseReader(lambda size: parts.pop(0) if parts else b"").read_response()
>>> response.status, response.headers, response.body, response.keep_alive
(200, {'content-length': '2'}, b'hi', True)
"""

MAX_HEAD = 65536  # bytes of status line and headers (or of chunk trailers) accepted per response
MAX_HEADERS = 100
_RECV_SIZE = 65536

_TOKEN = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_HEX = b"0123456789abcdefABCDEF"


class ProtocolError(Exception):
    """The bytes received are not a complete, well-formed HTTP/1.x response."""


class ConnectionClosed(ProtocolError):
    """The server closed the connection before sending any byte of the response.

    On a kept-alive connection this is the normal end of an idle connection, so the request
    may be sent again on a new one.
    """


class Response(object):
    """One response: ``headers`` maps lower-case names to values (repeated headers joined by ", ")."""

    __slots__ = ("status", "reason", "headers", "body", "keep_alive")

    def __init__(self, status, reason, headers, body, keep_alive):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.keep_alive = keep_alive  # False: the server ends the connection after this response


class ResponseReader(object):
    """Reads responses from ``recv(size)``, which returns ``b""`` once the server has closed.

    Bytes past the end of one response stay buffered for the next (see :attr:`buffered`).
    """

    def __init__(self, recv):
        self._recv = recv
        self._buffer = bytearray()
        self._eof = False
        self.started = False  # whether any byte of the response being read has arrived

    @property
    def buffered(self):
        """How many received bytes have not been consumed by a response yet."""
        return len(self._buffer)

    def read_response(self):
        """Read the next complete response; raises :class:`ProtocolError` for anything else."""
        self.started = bool(self._buffer)
        if not self._buffer and not self._fill():
            raise ConnectionClosed("the connection closed before a response arrived")
        while True:
            version, status, reason = self._status_line()
            headers = self._headers()
            if status == 101:
                raise ProtocolError("unexpected 101 Switching Protocols")
            if status >= 200:
                break  # 1xx answers are interim: the real response follows
        keep_alive = version == "HTTP/1.1"
        connection = [token.strip() for token in headers.get("connection", "").lower().split(",")]
        if "close" in connection:
            keep_alive = False
        elif "keep-alive" in connection:
            keep_alive = True
        if status in (204, 304):
            body = b""
        elif "transfer-encoding" in headers:
            if headers["transfer-encoding"].strip().lower() != "chunked":
                raise ProtocolError("unsupported Transfer-Encoding {!r}".format(headers["transfer-encoding"]))
            body = self._chunked_body()
        elif "content-length" in headers:
            body = self._exactly(_content_length(headers["content-length"]), "body")
        else:
            body = self._until_close()
            keep_alive = False
        return Response(status, reason, headers, body, keep_alive)

    # -- framing -----------------------------------------------------------------------------
    def _status_line(self):
        line = self._line("status line", MAX_HEAD)
        version, _, rest = line.partition(b" ")
        code, _, reason = rest.partition(b" ")
        if version not in (b"HTTP/1.0", b"HTTP/1.1") or len(code) != 3 or not code.isdigit() or code[:1] == b"0":
            raise ProtocolError("malformed status line {!r}".format(bytes(line[:80])))
        return version.decode("ascii"), int(code), reason.strip().decode("latin-1")

    def _headers(self):
        headers = {}
        budget = MAX_HEAD
        while True:
            line = self._line("header", budget)
            budget -= len(line) + 2
            if not line:
                return headers
            name, colon, value = line.partition(b":")
            if not colon or not name or name.translate(None, _TOKEN):
                raise ProtocolError("malformed header line {!r}".format(bytes(line[:80])))
            if len(headers) >= MAX_HEADERS:
                raise ProtocolError("more than {} headers".format(MAX_HEADERS))
            key = name.decode("ascii").lower()
            text = value.strip(b" \t").decode("latin-1")
            headers[key] = headers[key] + ", " + text if key in headers else text

    def _chunked_body(self):
        parts = []
        while True:
            line = self._line("chunk size", 1024)
            size = line.split(b";", 1)[0].strip(b" \t")
            if not size or len(size) > 16 or size.translate(None, _HEX):
                raise ProtocolError("malformed chunk size line {!r}".format(bytes(line[:80])))
            if int(size, 16) == 0:
                break
            parts.append(self._exactly(int(size, 16), "chunk"))
            if self._line("chunk end", 2):
                raise ProtocolError("a chunk is not followed by CRLF")
        budget = MAX_HEAD
        while True:  # trailer fields: read and ignored, the body ends at the empty line
            line = self._line("trailer", budget)
            budget -= len(line) + 2
            if not line:
                return b"".join(parts)

    def _exactly(self, size, what):
        while len(self._buffer) < size:
            if not self._fill():
                raise ProtocolError("the connection closed after {} of {} {} bytes".format(
                    len(self._buffer), size, what))
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _until_close(self):
        while self._fill():
            pass
        data = bytes(self._buffer)
        del self._buffer[:]
        return data

    # -- bytes -------------------------------------------------------------------------------
    def _line(self, what, limit):
        """The next line without its CRLF (a bare LF is accepted too), at most ``limit`` bytes."""
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched)
            if end >= 0:
                break
            searched = len(self._buffer)
            if searched > limit:
                raise ProtocolError("{} longer than {} bytes".format(what, limit))
            if not self._fill():
                raise ProtocolError("the connection closed in the middle of a {}".format(what))
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        if line.endswith(b"\r"):
            line = line[:-1]
        if len(line) > limit:
            raise ProtocolError("{} longer than {} bytes".format(what, limit))
        return line

    def _fill(self):
        """Receive more bytes into the buffer; False once the server has closed the connection."""
        if self._eof:
            return False
        data = self._recv(_RECV_SIZE)
        if not data:
            self._eof = True
            return False
        self.started = True
        self._buffer += data
        return True


def _content_length(value):
    """The length a ``Content-Length`` value gives (repeats must agree), else ProtocolError."""
    values = {part.strip(" \t") for part in value.split(",")}
    length = values.pop() if len(values) == 1 else ""
    if not length or len(length) > 18 or not (length.isascii() and length.isdigit()):
        raise ProtocolError("invalid Content-Length {!r}".format(value))
    return int(length)
