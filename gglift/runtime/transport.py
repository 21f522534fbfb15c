"""The HTTP IPC server workers talk to (the device's protocol), on 127.0.0.1 only.

Every request must carry the ``Authorization`` token of a live worker: a missing or unknown
token gets 403 before anything else happens. aiohttp does the HTTP; this module only maps
routes to :class:`~gglift.runtime.dispatch.Dispatcher` calls. It uses aiohttp's low-level
server: the two routes are told apart by a prefix test, which costs far less per request than
an application's URL router and middleware chain (every invocation is two requests).
"""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Optional

from aiohttp import web

from gglift.runtime.dispatch import Dispatcher, IpcError
from gglift.runtime.work import REQUEST_RESPONSE, Result

PREFIX = "/2016-11-01/functions/"
ACTIONS = ("work", "initialized")
MAX_BODY = 16 << 20
H_INVOCATION_ID = "X-Amz-InvocationId"
H_CLIENT_CONTEXT = "X-Amz-Client-Context"
H_INVOCATION_TYPE = "X-Amz-Invocation-Type"
H_FUNCTION_ERROR = "X-Amz-Function-Error"


class HttpTransport:
    """Serves the IPC routes for ``dispatcher`` on a free port of 127.0.0.1 (see :attr:`port`)."""

    def __init__(self, dispatcher: Dispatcher):
        self.dispatcher = dispatcher
        self.port = 0
        self._runner: Optional[web.ServerRunner] = None

    async def start(self) -> None:
        # Workers keep their connection for their whole life; don't close it under them.
        server = web.Server(self._route, request_factory=self._make_request, access_log=None, keepalive_timeout=3600)
        self._runner = web.ServerRunner(server, handle_signals=False)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    @staticmethod
    def _make_request(message, payload, protocol, writer, task) -> web.BaseRequest:
        # As the default factory, but with room for payloads up to MAX_BODY (413 past it).
        return web.BaseRequest(message, payload, protocol, writer, task, asyncio.get_running_loop(),
                               client_max_size=MAX_BODY)

    async def _route(self, request: web.BaseRequest) -> web.StreamResponse:
        """``PREFIX + ARN`` goes to :meth:`_function`, ``PREFIX + ARN/work|initialized`` to
        :meth:`_function_action`; any other path is 404."""
        path = request.path
        if path.startswith(PREFIX):
            arn, slash, action = path[len(PREFIX):].partition("/")
            if arn and not slash:
                return await self._function(request, arn)
            if arn and action in ACTIONS:
                return await self._function_action(request, arn, action)
        return web.Response(status=404, text="404: Not Found")

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _caller(self, request: web.BaseRequest):
        caller = self.dispatcher.authenticate(request.headers.get("Authorization"))
        if caller is None:
            raise IpcError(403, "missing or invalid Authorization token")
        return caller

    async def _function(self, request: web.BaseRequest, target: str) -> web.StreamResponse:
        """POST: invoke/publish/service call; GET: wait for a RequestResponse result."""
        try:
            caller = self._caller(request)
            if request.method == "POST":
                invocation_id = await self.dispatcher.post_work(
                    caller, target, await _body(request),
                    request.headers.get(H_CLIENT_CONTEXT, ""),
                    request.headers.get(H_INVOCATION_TYPE, REQUEST_RESPONSE),
                )
                return web.Response(status=202, headers={H_INVOCATION_ID: invocation_id})
            if request.method == "GET":
                result = await self.dispatcher.work_result(caller, target, request.headers.get(H_INVOCATION_ID, ""))
                return _result_response(result)
            raise IpcError(405, f"method {request.method} not allowed here")
        except IpcError as exc:
            return web.Response(status=exc.status, text=exc.message)

    async def _function_action(self, request: web.BaseRequest, target: str, action: str) -> web.StreamResponse:
        """The worker's own routes: ``/work`` (GET next item, POST result) and ``/initialized``."""
        try:
            caller = self._caller(request)
            if action == "work" and request.method == "GET":
                item = await self.dispatcher.next_work(caller, target)
                headers = {H_INVOCATION_ID: item.invocation_id, H_CLIENT_CONTEXT: item.context_header}
                return web.Response(body=item.payload, headers=headers)
            if action == "work" and request.method == "POST":
                result = Result(await _body(request), request.headers.get(H_FUNCTION_ERROR, ""))
                self.dispatcher.work_done(caller, target, request.headers.get(H_INVOCATION_ID, ""), result)
                return web.Response(status=202)
            if action == "initialized" and request.method == "PUT":
                try:
                    report = json.loads(await _body(request) or b"{}")
                except ValueError:
                    raise IpcError(400, "the initialization report must be JSON") from None
                self.dispatcher.initialized(caller, target, bool(report.get("Success")), str(report.get("Response") or ""))
                return web.Response(status=202)
            raise IpcError(405, f"method {request.method} not allowed on /{action}")
        except IpcError as exc:
            return web.Response(status=exc.status, text=exc.message)


async def _body(request: web.BaseRequest) -> bytes:
    """The request's body, up to MAX_BODY (413 past it)."""
    content = request.content
    if content.is_eof():  # the whole body is in already (a worker's small post): take it without a wait
        body = content.read_nowait()
        if len(body) > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(MAX_BODY, len(body))
        return body
    return await request.read()


def _result_response(result: Result) -> web.Response:
    headers = {H_FUNCTION_ERROR: result.error} if result.error else {}
    return web.Response(body=result.payload, headers=headers)

