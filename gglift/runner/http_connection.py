"""A kept-alive HTTP/1.1 connection from a worker to the local core on the loopback interface.

Requests carry ``Content-Length`` bodies; responses are read by
:class:`~gglift.runner.http_response.ResponseReader`. The connection opens on first use and
reopens after the core closes it; a request that finds an idle connection closed by the core
is sent once more on a new connection.

It uses the ``_socket`` extension directly: the ``socket`` module wraps it in enums and
``selectors`` a worker never needs, about 0.3 MB of its memory limit.
"""

import _socket

from gglift.runner.http_response import ConnectionClosed, ResponseReader


class LoopbackConnection(object):
    """Sends requests to ``host:port``; ``host`` is an IP address, or ``localhost`` for 127.0.0.1.

    Not thread-safe: use one connection per thread.

    >>> conn = LoopbackConnection("localhost", port)  # doctest: +SKIP
    >>> conn.request("GET", "/", b"", {"Authorization": token}).status  # doctest: +SKIP
    200
    """

    def __init__(self, host, port):
        # By address, not by name: resolving a name pulls in the idna codec and unicodedata
        # (about 1 MB), and the core only ever listens on the loopback address.
        self.address = ("127.0.0.1" if host == "localhost" else host, int(port))
        self._sock = None
        self._reader = None

    def request(self, method, target, body, headers):
        """Send one request and return its :class:`~gglift.runner.http_response.Response`.

        Raises ``ValueError`` for a target or header that cannot go on the wire,
        :class:`~gglift.runner.http_response.ProtocolError` for a malformed or cut-off answer
        and ``OSError`` when the core cannot be reached.
        """
        message = _encode_request(method, target, self.address, body, headers)
        for attempt in (1, 2):
            reused = self._sock is not None
            if not reused:
                self._open()
            try:
                self._sock.sendall(message)
                response = self._reader.read_response()
            except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
                # An idle connection the core has closed fails like this before any answer:
                # the request never reached the core, so sending it again is safe.
                retry = reused and attempt == 1 and not self._reader.started
                self.close()
                if retry:
                    continue
                raise
            except BaseException:
                self.close()  # a half-read answer would be taken for the next one
                raise
            if not response.keep_alive or self._reader.buffered:
                self.close()  # bytes past the response: the connection can no longer be trusted
            return response

    def close(self):
        """Close the connection; the next request opens a new one."""
        if self._sock is not None:
            self._sock.close()
        self._sock = self._reader = None

    def _open(self):
        sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        try:
            sock.connect(self.address)
            sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self._reader = ResponseReader(sock.recv)


def _encode_request(method, target, address, body, headers):
    """The request's bytes; ValueError for a target or header value that would break framing."""
    # Printable ASCII but space (33-126); the str methods check in C, a Python loop per
    # character cost more than the rest of the encoding for every request.
    if not (target.isascii() and target.isprintable()) or " " in target:
        raise ValueError("cannot send {!r}: a request target must be printable ASCII without spaces".format(target))
    lines = ["{} {} HTTP/1.1".format(method, target), "Host: {}:{}".format(*address),
             "Content-Length: {}".format(len(body))]
    for name, value in headers.items():
        value = str(value)
        if "\r" in value or "\n" in value or "\0" in value:
            raise ValueError("header {} must not contain a line break: {!r}".format(name, value))
        lines.append("{}: {}".format(name, value))
    lines.append("\r\n")
    return "\r\n".join(lines).encode("latin-1") + body
