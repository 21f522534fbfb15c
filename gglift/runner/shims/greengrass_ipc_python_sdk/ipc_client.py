"""HTTP client for the core's local IPC (the protocol every Greengrass Lambda SDK speaks).

One keep-alive connection per thread, so a function may publish from its own threads while
the worker's main thread waits for work. The HTTP itself is gglift's small loopback client
(:mod:`gglift.runner.http_connection`); whatever goes wrong on the wire reaches callers, such
as ``greengrasssdk``, as :class:`IPCException`.
"""

import json
import threading

from greengrass_common.env_vars import AUTH_TOKEN, GG_DAEMON_PORT

from gglift.runner.http_connection import LoopbackConnection
from gglift.runner.http_response import ConnectionClosed, ProtocolError

API_VERSION = "2016-11-01"
HEADER_INVOCATION_ID = "X-Amz-InvocationId"
HEADER_CLIENT_CONTEXT = "X-Amz-Client-Context"
HEADER_INVOCATION_TYPE = "X-Amz-Invocation-Type"
HEADER_FUNCTION_ERROR = "X-Amz-Function-Error"
HEADER_AUTH_TOKEN = "Authorization"


class IPCException(Exception):
    """The core refused or failed a request; ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message, status=0):
        super(IPCException, self).__init__(message)
        self.status = status


class WorkItem(object):
    def __init__(self, invocation_id, payload, client_context):
        self.invocation_id = invocation_id
        self.payload = payload
        self.client_context = client_context


class GetWorkResultOutput(object):
    def __init__(self, payload, func_err):
        self.payload = payload
        self.func_err = func_err


def _as_bytes(value):
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if hasattr(value, "read"):
        return _as_bytes(value.read())
    raise TypeError("payload must be bytes, str or a readable file, not {}".format(type(value).__name__))


def _as_text(value):
    return value.decode("ascii") if isinstance(value, (bytes, bytearray)) else (value or "")


class IPCClient(object):
    """The worker side of the core's IPC; ``port`` defaults to ``GG_DAEMON_PORT``."""

    def __init__(self, endpoint="localhost", port=None):
        self.endpoint = endpoint
        self.port = int(port or GG_DAEMON_PORT)
        self.auth_token = AUTH_TOKEN
        self._local = threading.local()

    # -- calls -----------------------------------------------------------------------------
    def post_work(self, function_arn, payload, client_context, invocation_type="RequestResponse"):
        """Queue work for ``function_arn`` (a function, GGRouter, GGShadowService...); returns its invocation id."""
        headers = {HEADER_CLIENT_CONTEXT: _as_text(client_context), HEADER_INVOCATION_TYPE: invocation_type}
        _, response_headers = self._call("POST", self._url(function_arn), _as_bytes(payload), headers)
        return response_headers.get(HEADER_INVOCATION_ID.lower())

    def get_work_result(self, function_arn, invocation_id):
        """Wait for and return the result of a RequestResponse invocation."""
        body, headers = self._call("GET", self._url(function_arn), b"", {HEADER_INVOCATION_ID: invocation_id})
        return GetWorkResultOutput(body, headers.get(HEADER_FUNCTION_ERROR.lower(), ""))

    def get_work(self, function_arn):
        """Long-poll the core for this worker's next work item."""
        body, headers = self._call("GET", self._url(function_arn, "/work"), b"", {})
        return WorkItem(headers.get(HEADER_INVOCATION_ID.lower()), body, headers.get(HEADER_CLIENT_CONTEXT.lower(), ""))

    def post_work_result(self, function_arn, work_item):
        """Answer ``work_item.invocation_id`` with ``work_item.payload``."""
        headers = {HEADER_INVOCATION_ID: work_item.invocation_id}
        self._call("POST", self._url(function_arn, "/work"), _as_bytes(work_item.payload), headers)

    def post_handler_err(self, function_arn, invocation_id, handler_err):
        """Report that the handler raised; ``handler_err`` is a message or an error document."""
        document = handler_err if isinstance(handler_err, dict) else {"errorMessage": str(handler_err)}
        headers = {HEADER_INVOCATION_ID: invocation_id, HEADER_FUNCTION_ERROR: "Handled"}
        self._call("POST", self._url(function_arn, "/work"), json.dumps(document).encode("utf-8"), headers)

    def put_initialized(self, function_arn, success=True, response=""):
        """Tell the core whether the function's module loaded."""
        body = json.dumps({"Success": bool(success), "Response": response}).encode("utf-8")
        self._call("PUT", self._url(function_arn, "/initialized"), body, {})

    # -- transport -------------------------------------------------------------------------
    def _url(self, function_arn, suffix=""):
        return "/{}/functions/{}{}".format(API_VERSION, function_arn, suffix)

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = LoopbackConnection(self.endpoint, self.port)
        return conn

    def _call(self, method, url, body, headers):
        headers = dict(headers)
        headers[HEADER_AUTH_TOKEN] = self.auth_token or ""
        try:
            response = self._connection().request(method, url, body, headers)
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError) as exc:
            raise IPCException("lost the connection to the core: {}".format(exc)) from exc
        except ProtocolError as exc:
            raise IPCException("malformed answer from the core: {}".format(exc)) from exc
        except OSError as exc:
            raise IPCException("cannot reach the core on port {}: {}".format(self.port, exc)) from exc
        if response.status >= 400:
            raise IPCException(response.body.decode("utf-8", "replace") or response.reason, response.status)
        return response.body, response.headers
