"""The HTTP IPC server workers talk to (the device's protocol), on 127.0.0.1 only.

Every request must carry the ``Authorization`` token of a live worker: a missing or unknown
token gets 403 before anything else happens. httptools (llhttp, the parser uvicorn uses)
parses the requests; this module maps the two routes to
:class:`~gglift.runtime.dispatch.Dispatcher` calls and writes the answers. Each connection is
an :class:`asyncio.Protocol`: a request the dispatcher answers at once (a worker's result, its
init report, a refusal) is answered inside ``data_received``, without a task; only the ones
that wait (the long poll for work, an invoke or a result) get one. Every invocation is two
requests, so this per-request cost is most of the core's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections import deque
from typing import Awaitable, Optional

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
H_INVOCATION_ID = "X-Amz-InvocationId"
H_CLIENT_CONTEXT = "X-Amz-Client-Context"
H_INVOCATION_TYPE = "X-Amz-Invocation-Type"
H_FUNCTION_ERROR = "X-Amz-Function-Error"
# Request headers as the parser hands them over: lower-cased bytes.
_AUTHORIZATION, _INVOCATION_ID, _CLIENT_CONTEXT, _INVOCATION_TYPE, _FUNCTION_ERROR = (
    h.lower().encode() for h in ("Authorization", H_INVOCATION_ID, H_CLIENT_CONTEXT, H_INVOCATION_TYPE, H_FUNCTION_ERROR))
_REASONS = {200: "OK", 202: "Accepted", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}
_INTERNAL_ERROR = 500, (), b"internal error in the core; see its log"
BINARY, TEXT = "application/octet-stream", "text/plain; charset=utf-8"


class HttpTransport:
    """Serves the IPC routes for ``dispatcher`` on a free port of 127.0.0.1 (see :attr:`port`)."""

    def __init__(self, dispatcher: Dispatcher):
        self.dispatcher = dispatcher
        self.port = 0
        self._server: Optional[asyncio.AbstractServer] = None
        self.connections: set[_Connection] = set()  # open ones, closed at stop

    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.get_running_loop().create_server(lambda: _Connection(self), sock=sock)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for connection in list(self.connections):
                connection.close()
            await self._server.wait_closed()
            self._server = None

    # -- routes: each returns (status, headers, body) or an awaitable of it -----------------
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
            except ValueError:
                raise IpcError(400, "the initialization report must be JSON") from None
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


class _Connection(asyncio.Protocol):
    """One worker's keep-alive connection: parses requests and answers them in order."""

    def __init__(self, server: HttpTransport):
        self.server = server
        self.parser = httptools.HttpRequestParser(self)
        self.transport: Optional[asyncio.Transport] = None
        self.pending: deque = deque()  # parsed requests not yet answered (pipelining)
        self.task: Optional[asyncio.Task] = None  # the answer being awaited, if any
        self._begin()

    def _begin(self) -> None:
        self.url, self.headers, self.body, self.size = b"", {}, [], 0

    # -- asyncio.Protocol ----------------------------------------------------------------
    def connection_made(self, transport) -> None:
        self.transport = transport
        self.server.connections.add(self)

    def connection_lost(self, exc) -> None:
        self.server.connections.discard(self)
        self.pending.clear()
        if self.task is not None:  # e.g. a worker gone during its long poll: end the wait
            self.task.cancel()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:  # includes an upgrade request, which we do not serve
            self._write(400, (), f"bad request: {exc}".encode(), False)
            self.close()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # -- httptools callbacks -------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._begin()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

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
