"""The HTTP IPC server workers talk to (the device's protocol), on 127.0.0.1 only.

Every request must carry the ``Authorization`` token of a live worker: a missing or unknown
token gets 403 before anything else happens. httptools (llhttp, the parser uvicorn uses)
parses the requests; this module maps the two routes to
:class:`~gglift.runtime.dispatch.Dispatcher` calls and writes the answers. Each connection is
an :class:`asyncio.Protocol`: a request the dispatcher answers at once (a worker's result, its
init report, a refusal) is answered inside ``data_received``, without a task; only the ones
that wait (the long poll for work, an invoke or a result) get one. Every invocation is two
requests, so this per-request cost is most of the core's.

Limits, so that whatever reaches the port cannot exhaust the core (docs/run.md lists them with
the answer each gives): a request head (request line and headers) of at most :data:`MAX_HEAD`
bytes and :data:`MAX_HEADERS` headers (431), a body of at most :data:`MAX_BODY` (413), a
request completed within :data:`REQUEST_SECONDS` of its first byte (408), a connection that
never presented a valid token closed after :data:`IDLE_SECONDS` without a request, at most
:data:`MAX_CONNECTIONS` open connections (the oldest one that never presented a valid token
makes room, else the new one is closed), and backpressure: a client that does not read its
answers stops being read, so its requests wait in its own socket buffer, not in the core.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections import deque
from typing import Awaitable, Iterable, Optional

try:
    import httptools
except ImportError:  # the device host, with only the standard library
    from gglift.runtime import httpparse as httptools

from gglift.runtime.dispatch import Dispatcher, IpcError
from gglift.runtime.work import REQUEST_RESPONSE, Result

log = logging.getLogger("gglift.runtime")

PREFIX = "/2016-11-01/functions/"
ACTIONS = ("work", "initialized")
MAX_BODY = 16 << 20
MAX_HEAD = 64 << 10  # request line and headers, as a worker's client limits the answers it reads
MAX_HEADERS = 100
REQUEST_SECONDS = 10.0  # from a request's first byte to its last
IDLE_SECONDS = 10.0  # a connection that never presented a valid token, between requests
MAX_CONNECTIONS = 512
MAX_PIPELINED = 64  # parsed requests waiting for an answer on one connection before reading pauses
H_INVOCATION_ID = "X-Amz-InvocationId"
H_CLIENT_CONTEXT = "X-Amz-Client-Context"
H_INVOCATION_TYPE = "X-Amz-Invocation-Type"
H_FUNCTION_ERROR = "X-Amz-Function-Error"
# Request headers as the parser hands them over: lower-cased bytes.
_AUTHORIZATION, _INVOCATION_ID, _CLIENT_CONTEXT, _INVOCATION_TYPE, _FUNCTION_ERROR = (
    h.lower().encode() for h in ("Authorization", H_INVOCATION_ID, H_CLIENT_CONTEXT, H_INVOCATION_TYPE, H_FUNCTION_ERROR))
_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict", 413: "Payload Too Large",
            429: "Too Many Requests", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 503: "Service Unavailable"}
_INTERNAL_ERROR = 500, (), b"internal error in the core; see its log"
BINARY, TEXT = "application/octet-stream", "text/plain; charset=utf-8"


class HttpTransport:
    """Serves the IPC routes for ``dispatcher`` on a free port of 127.0.0.1 (see :attr:`port`)."""

    def __init__(self, dispatcher: Dispatcher):
        self.dispatcher = dispatcher
        self.port = 0
        self._server: Optional[asyncio.AbstractServer] = None
        self.connections: dict[_Connection, None] = {}  # open ones, oldest first; closed at stop

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.get_running_loop().create_server(lambda: _Connection(self), sock=sock)

    async def stop(self) -> None:
        if self._server is not None:
            await close_server(self._server, self.connections)
            self._server = None

    # -- routes: each returns (status, headers, body) or an awaitable of it -----------------
    def admit(self, connection: "_Connection") -> bool:
        """Count a new connection in; False when it must be closed (too many open)."""
        if len(self.connections) >= MAX_CONNECTIONS:
            stranger = next((c for c in self.connections if not c.trusted), None)
            if stranger is None:
                return False
            log.warning("%d connections open to the IPC port: closing the oldest that never presented a "
                        "valid token", MAX_CONNECTIONS)
            stranger.close()
            self.connections.pop(stranger, None)
        self.connections[connection] = None
        return True

    def route(self, method: str, path: str, headers: dict, body: bytes):
        """``PREFIX + ARN`` goes to :meth:`_function`, ``PREFIX + ARN/work|initialized`` to
        :meth:`_function_action`; any other path is 404."""
        if path.startswith(PREFIX):
            arn, slash, action = path[len(PREFIX):].partition("/")
            if arn and (not slash or action in ACTIONS):
                try:
                    caller = self.dispatcher.authenticate(_text(headers.get(_AUTHORIZATION)) or None)
                    if caller is None:
                        raise IpcError(403, "missing or invalid Authorization token")
                    if not slash:
                        return self._function(caller, method, arn, headers, body)
                    return self._function_action(caller, method, arn, action, headers, body)
                except IpcError as exc:
                    return _refusal(exc)
        return 404, (), b"404: Not Found"

    def _function(self, caller, method: str, target: str, headers: dict, body: bytes):
        """POST: invoke/publish/service call; GET: wait for a RequestResponse result."""
        if method == "POST":
            return _answer(self._invoke(caller, target, headers, body))
        if method == "GET":
            return _answer(self._result(caller, target, _text(headers.get(_INVOCATION_ID))))
        raise IpcError(405, f"method {method} not allowed here")

    async def _invoke(self, caller, target: str, headers: dict, body: bytes):
        invocation_id = await self.dispatcher.post_work(
            caller, target, body, _text(headers.get(_CLIENT_CONTEXT)),
            _text(headers.get(_INVOCATION_TYPE)) or REQUEST_RESPONSE)
        return 202, ((H_INVOCATION_ID, invocation_id),), b""

    async def _result(self, caller, target: str, invocation_id: str):
        result = await self.dispatcher.work_result(caller, target, invocation_id)
        return 200, ((H_FUNCTION_ERROR, result.error),) if result.error else (), result.payload

    def _function_action(self, caller, method: str, target: str, action: str, headers: dict, body: bytes):
        """The worker's own routes: ``/work`` (GET next item, POST result) and ``/initialized``."""
        if action == "work" and method == "GET":
            return _answer(self._next(caller, target))
        if action == "work" and method == "POST":
            result = Result(body, _text(headers.get(_FUNCTION_ERROR)))
            self.dispatcher.work_done(caller, target, _text(headers.get(_INVOCATION_ID)), result)
            return 202, (), b""
        if action == "initialized" and method == "PUT":
            try:
                report = json.loads(body or b"{}")
            except (ValueError, RecursionError):
                report = None
            if not isinstance(report, dict):
                raise IpcError(400, "the initialization report must be a JSON object")
            self.dispatcher.initialized(caller, target, bool(report.get("Success")), str(report.get("Response") or ""))
            return 202, (), b""
        raise IpcError(405, f"method {method} not allowed on /{action}")

    async def _next(self, caller, target: str):
        item = await self.dispatcher.next_work(caller, target)
        return 200, ((H_INVOCATION_ID, item.invocation_id), (H_CLIENT_CONTEXT, item.context_header)), item.payload


async def _answer(answer: Awaitable):
    """Await a route's answer, turning a refusal into its status and message."""
    try:
        return await answer
    except IpcError as exc:
        return _refusal(exc)


def _refusal(exc: IpcError):
    return exc.status, (), exc.message.encode()


def _text(value: Optional[bytes]) -> str:
    return value.decode("latin-1") if value else ""


class _TooLarge(Exception):
    """A request head over the limits: answered 431, then the connection closes."""


class _Connection(asyncio.Protocol):
    """One worker's keep-alive connection: parses requests and answers them in order.

    ``trusted`` once a request on it carried a valid token: only such connections may stay
    open and idle (a worker's, between its requests).
    """

    def __init__(self, server: HttpTransport):
        self.server = server
        self.parser = httptools.HttpRequestParser(self)
        self.transport: Optional[asyncio.Transport] = None
        self.pending: deque = deque()  # parsed requests not yet answered (pipelining)
        self.task: Optional[asyncio.Task] = None  # the answer being awaited, if any
        self.trusted = False
        self.in_request = False
        self._timer: Optional[asyncio.TimerHandle] = None
        self._write_paused = False
        self._read_paused = False
        self._begin()

    def _begin(self) -> None:
        self.url, self.headers, self.body, self.size, self.head_size = b"", {}, [], 0, 0

    # -- asyncio.Protocol ----------------------------------------------------------------
    def connection_made(self, transport) -> None:
        self.transport = transport
        if not self.server.admit(self):
            transport.close()
            return
        self._wait_for_client()

    def connection_lost(self, exc) -> None:
        self.server.connections.pop(self, None)
        self._cancel_timer()
        self.pending.clear()
        if self.task is not None:  # e.g. a worker gone during its long poll: end the wait
            self.task.cancel()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except _TooLarge as exc:
            self._refuse(431, str(exc))
        except httptools.HttpParserError as exc:  # includes an upgrade request, which we do not serve
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, _TooLarge):  # raised in a callback, wrapped by the parser
                self._refuse(431, str(cause))
            else:
                self._refuse(400, f"bad request: {exc}")
            return
        if self.in_request and self._timer is None:  # part of a request came: the rest must follow in time
            self._timer = asyncio.get_running_loop().call_later(REQUEST_SECONDS, self._expire_request)
        self._flow()

    def pause_writing(self) -> None:
        self._write_paused = True
        self._flow()

    def resume_writing(self) -> None:
        self._write_paused = False
        self._flow()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, status: int, message: str) -> None:
        self.pending.clear()
        self._write(status, (), message.encode(), False)
        self.close()

    def _flow(self) -> None:
        """Read from the client only while it reads our answers and few of its requests wait."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        stop = self._write_paused or len(self.pending) >= MAX_PIPELINED
        if stop != self._read_paused:
            self._read_paused = stop
            (transport.pause_reading if stop else transport.resume_reading)()

    # -- time limits ---------------------------------------------------------------------
    def _wait_for_client(self) -> None:
        """Between requests: a connection without a valid token must send one within IDLE_SECONDS."""
        self._cancel_timer()
        if not self.trusted:
            self._timer = asyncio.get_running_loop().call_later(IDLE_SECONDS, self.close)

    def _expire_request(self) -> None:
        self._timer = None
        self._refuse(408, f"the request was not complete within {REQUEST_SECONDS:g} s")

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- httptools callbacks -------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._begin()
        self.in_request = True
        self._cancel_timer()  # the request's own timer starts if it is not complete in this read

    def on_url(self, url: bytes) -> None:
        self.url += url
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        if len(self.headers) >= MAX_HEADERS:
            raise _TooLarge(f"more than {MAX_HEADERS} request headers")
        self.headers[name.lower()] = value

    def _count_head(self, size: int) -> None:
        self.head_size += size
        if self.head_size > MAX_HEAD:
            raise _TooLarge(f"the request line and headers are over the limit of {MAX_HEAD} bytes")

    def on_headers_complete(self) -> None:
        # A client that waits before sending its body (curl does past 1 MB) may go on at once,
        # unless an earlier answer on this connection is still to come (it would go first).
        if self.headers.get(b"expect", b"").lower() == b"100-continue" and self.task is None and not self.pending:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size <= MAX_BODY:  # past it the body is dropped as it comes and the request refused
            self.body.append(body)

    def on_message_complete(self) -> None:
        self.in_request = False
        self._cancel_timer()
        self.pending.append((self.parser.get_method().decode(), httptools.parse_url(self.url).path.decode("latin-1"),
                             self.headers, b"".join(self.body), self.size, self.parser.should_keep_alive()))
        if self.task is None:
            self._serve()

    # -- answering -----------------------------------------------------------------------
    def _serve(self) -> None:
        """Answer pending requests in order until one has to wait (it gets a task) or none is left."""
        while self.pending and self.task is None:
            method, path, headers, body, size, keep_alive = self.pending.popleft()
            if size > MAX_BODY:
                answer = 413, (), f"request body of {size} bytes is over the limit of {MAX_BODY}".encode()
            else:
                if not self.trusted:
                    self.trusted = self.server.dispatcher.authenticate(_text(headers.get(_AUTHORIZATION)) or None) is not None
                try:
                    answer = self.server.route(method, path, headers, body)
                except Exception:  # a fault of the core's: the worker gets a 500, the core goes on
                    log.exception("error answering %s %s", method, path)
                    answer = _INTERNAL_ERROR
            if isinstance(answer, tuple):
                self._write(*answer, keep_alive)
            else:
                self.task = asyncio.get_running_loop().create_task(answer)
                self.task.add_done_callback(lambda task, keep=keep_alive: self._answered(task, keep))
        if not self.pending and self.task is None and not self.in_request:
            self._wait_for_client()
        self._flow()

    def _answered(self, task: asyncio.Task, keep_alive: bool) -> None:
        self.task = None
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("error answering a request", exc_info=task.exception())
            self._write(*_INTERNAL_ERROR, keep_alive)
        else:
            self._write(*task.result(), keep_alive)
        self._serve()

    def _write(self, status: int, headers, body: bytes, keep_alive: bool) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n"
                 f"Content-Type: {BINARY if status < 300 else TEXT}\r\nContent-Length: {len(body)}\r\n"]
        lines.extend(f"{name}: {value}\r\n" for name, value in headers)
        if not keep_alive:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        transport.write("".join(lines).encode("latin-1") + body)
        if not keep_alive:
            transport.close()


async def close_server(server: asyncio.AbstractServer, connections: Iterable) -> None:
    """Stop accepting, close every open connection (a worker's long poll would otherwise stay
    open), then wait for the server to close."""
    server.close()
    for connection in list(connections):
        connection.close()
    await server.wait_closed()
