"""The worker's HTTP connection and IPC client against a scripted server on a real loopback socket."""

from __future__ import annotations

import importlib
import socket
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gglift.runner import SHIMS_DIR
from gglift.runner.http_connection import LoopbackConnection
from gglift.runner.http_response import ConnectionClosed, ProtocolError

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
ACCEPTED = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"


class ScriptedServer:
    """Answers each request it reads with the next ``(reply bytes, close the connection after)``.

    Once the script is used up it stops listening, so a client's unexpected extra attempt is
    refused rather than left waiting.
    """

    def __init__(self, *script):
        self.script = list(script)
        self.requests = []
        self.connections = 0
        self.closed = threading.Semaphore(0)  # released each time the server closes a connection
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        with self.listener:
            while self.script:
                try:
                    conn, _ = self.listener.accept()
                except OSError:
                    return
                self.connections += 1
                with conn:
                    while self.script:
                        request = _read_request(conn)
                        if request is None:
                            break
                        self.requests.append(request)
                        reply, close = self.script.pop(0)
                        conn.sendall(reply)
                        if close:
                            break
                self.closed.release()

    def stop(self):
        self.script.clear()
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept()
        except OSError:
            pass  # already closed: the script was used up
        self.thread.join(5)


def _read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:]).get(b"Content-Length", b"0"))
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


@pytest.fixture
def serve():
    servers = []

    def start(*script):
        servers.append(ScriptedServer(*script))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def test_requests_go_out_as_written_and_share_one_connection(serve):
    server = serve((ACCEPTED, False), (OK, False))
    conn = LoopbackConnection("localhost", server.port)
    assert conn.request("POST", "/2016-11-01/functions/arn:f/work", b"hello", {"Authorization": "tok"}).status == 202
    response = conn.request("GET", "/x", b"", {})
    assert (response.status, response.body) == (200, b"ok")
    assert server.requests == [
        b"POST /2016-11-01/functions/arn:f/work HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 5\r\n"
        b"Authorization: tok\r\n\r\nhello" % server.port,
        b"GET /x HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 0\r\n\r\n" % server.port,
    ]
    assert server.connections == 1


def test_a_kept_alive_connection_the_server_closed_is_reopened_once(serve):
    server = serve((OK, True), (ACCEPTED, False))  # answers as keep-alive, then closes anyway
    conn = LoopbackConnection("127.0.0.1", server.port)
    assert conn.request("GET", "/1", b"", {}).status == 200
    assert server.closed.acquire(timeout=5)
    assert conn.request("GET", "/2", b"", {}).status == 202
    assert server.connections == 2 and len(server.requests) == 2


def test_a_connection_close_answer_makes_the_next_request_open_a_new_connection(serve):
    server = serve((b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", True), (OK, False))
    conn = LoopbackConnection("127.0.0.1", server.port)
    assert conn.request("GET", "/1", b"", {}).keep_alive is False
    assert conn.request("GET", "/2", b"", {}).body == b"ok"
    assert server.connections == 2


def test_a_new_connection_closed_without_an_answer_is_not_retried(serve):
    server = serve((b"", True))
    with pytest.raises(ConnectionClosed):
        LoopbackConnection("127.0.0.1", server.port).request("POST", "/work", b"result", {})
    assert server.connections == 1 and len(server.requests) == 1


def test_a_connection_closed_mid_body_is_an_error_and_not_retried(serve):
    server = serve((OK, False), (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", True))
    conn = LoopbackConnection("127.0.0.1", server.port)
    conn.request("GET", "/1", b"", {})
    with pytest.raises(ProtocolError, match="closed after 3 of 10 body bytes"):
        conn.request("GET", "/2", b"", {})
    assert server.connections == 1 and len(server.requests) == 2


def test_bytes_past_a_response_make_the_connection_be_replaced(serve):
    server = serve((OK + b"HTTP/1.1 200 stray", False), (ACCEPTED, False))
    conn = LoopbackConnection("127.0.0.1", server.port)
    assert conn.request("GET", "/1", b"", {}).body == b"ok"
    assert conn.request("GET", "/2", b"", {}).status == 202  # not the stray bytes
    assert server.connections == 2


@pytest.mark.parametrize("target, headers, message", [
    ("/functions/my func", {}, "printable ASCII"),
    ("/functions/caf\u00e9", {}, "printable ASCII"),
    ("/functions/a\tb", {}, "printable ASCII"),
    ("/functions/a\x7fb", {}, "printable ASCII"),
    ("/x", {"X-Amz-Client-Context": "a\r\nInjected: 1"}, "must not contain a line break"),
    ("/x", {"X-Amz-Client-Context": "\u2603"}, "latin-1"),
])
def test_a_request_that_cannot_be_framed_is_refused_before_sending(serve, target, headers, message):
    server = serve((OK, False))
    with pytest.raises(ValueError, match=message):
        LoopbackConnection("127.0.0.1", server.port).request("GET", target, b"", headers)
    assert server.connections == 0


# -- the IPC client greengrasssdk uses ---------------------------------------------------------
@pytest.fixture
def ipc_client(monkeypatch):
    """The worker's greengrass_ipc_python_sdk.ipc_client module, imported as a worker would."""
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok")
    monkeypatch.syspath_prepend(SHIMS_DIR)
    names = ("greengrass_common", "greengrass_common.env_vars", "greengrass_ipc_python_sdk",
             "greengrass_ipc_python_sdk.ipc_client")
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    module = importlib.import_module("greengrass_ipc_python_sdk.ipc_client")
    yield module
    for name in names:  # leave no shim module behind for other tests
        sys.modules.pop(name, None)


def test_ipc_client_reads_work_items_whatever_the_header_case(serve, ipc_client):
    server = serve((b"HTTP/1.1 200 OK\r\nx-amz-invocationid: id-1\r\nX-AMZ-CLIENT-CONTEXT: e30=\r\n"
                    b"content-length: 2\r\n\r\n{}", False))
    item = ipc_client.IPCClient(port=server.port).get_work("arn:aws:lambda:::function:f")
    assert (item.invocation_id, item.payload, item.client_context) == ("id-1", b"{}", "e30=")
    assert server.requests == [b"GET /2016-11-01/functions/arn:aws:lambda:::function:f/work HTTP/1.1\r\n"
                               b"Host: 127.0.0.1:%d\r\nContent-Length: 0\r\nAuthorization: tok\r\n\r\n" % server.port]


@pytest.mark.parametrize("reply, message", [
    (b"HTTP/1.1 OK\r\n\r\n", "malformed answer from the core: malformed status line b'HTTP/1.1 OK'"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "malformed answer from the core: invalid Content-Length 'x'"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc",
     "malformed answer from the core: the connection closed after 3 of 9 body bytes"),
    (b"", "lost the connection to the core: the connection closed before a response arrived"),
])
def test_ipc_client_turns_bad_answers_into_ipc_exceptions(serve, ipc_client, reply, message):
    server = serve((reply, True))
    with pytest.raises(ipc_client.IPCException) as caught:
        ipc_client.IPCClient(port=server.port).get_work("arn:aws:lambda:::function:f")
    assert (str(caught.value), caught.value.status) == (message, 0)


def test_ipc_client_reports_refusals_with_their_status_and_text(serve, ipc_client):
    server = serve((b"HTTP/1.1 400 Bad Request\r\nContent-Length: 22\r\n\r\nNo subscription exists", False))
    with pytest.raises(ipc_client.IPCException) as caught:
        ipc_client.IPCClient(port=server.port).post_work("arn:aws:lambda:::function:GGRouter", b"{}", "")
    assert (str(caught.value), caught.value.status) == ("No subscription exists", 400)


def test_ipc_client_reports_a_core_that_is_not_listening(ipc_client):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(ipc_client.IPCException, match="cannot reach the core on port {}: ".format(port)):
        ipc_client.IPCClient(port=port).get_work("arn:aws:lambda:::function:f")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reply=st.binary(max_size=200))
def test_arbitrary_answers_raise_only_ipc_exception(serve, ipc_client, reply):
    server = serve((reply, True))
    try:
        ipc_client.IPCClient(port=server.port).get_work("arn:aws:lambda:::function:f")
    except ipc_client.IPCException:
        pass
