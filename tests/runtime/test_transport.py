"""The IPC server's HTTP handling on raw loopback sockets: pipelined requests answered in order
on one keep-alive connection, 413 past the body limit, 400 for what is not HTTP, and a worker
whose connection goes away during its long poll."""

from __future__ import annotations

import asyncio
import json
import socket
import stat
import sys

from gglift.runtime.transport import MAX_BODY

from .conftest import kinds, run_core

ARN = "arn:aws:lambda:us-east-1:000000000000:function:echo:1"
ECHO = ('[[function]]\nname = "echo"\nhandler = "app.handler"\n', "def handler(e, c):\n    return e\n")


def read_response(sock: socket.socket, buffered: bytearray) -> tuple[int, dict, bytes]:
    """One response from ``sock`` (status, lower-cased headers, body); extra bytes stay in ``buffered``."""
    while b"\r\n\r\n" not in buffered:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {bytes(buffered)!r}")
        buffered += chunk
    head, _, _ = bytes(buffered).partition(b"\r\n\r\n")
    del buffered[:len(head) + 4]
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
    length = int(headers["content-length"])
    while len(buffered) < length:
        buffered += sock.recv(65536)
    body = bytes(buffered[:length])
    del buffered[:length]
    return int(status_line.split()[1]), headers, body


def request(method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def with_echo_connection(make_project, talk, timeout: float = 10):
    """Start a core with an ``echo`` function and run ``talk(sock, buffered, token)`` in a thread
    on one connection to it; returns talk's value, the invocation records and echo's stats."""
    toml, app = ECHO
    project = make_project(toml, app=app)

    async def body(core, records):
        token = core.pools["echo"].workers[0].token

        def connected():
            with socket.create_connection(("127.0.0.1", core.transport.port), timeout=timeout) as sock:
                return talk(sock, bytearray(), token)

        value = await asyncio.get_running_loop().run_in_executor(None, connected)
        await core.idle()
        return value, kinds(records, "invocation"), core.stats("echo")

    return run_core(project, body)


def test_pipelined_requests_are_answered_in_order_on_one_connection(make_project):
    path = f"/2016-11-01/functions/{ARN}"

    def talk(sock, buffered, token):
        # The invoke waits on the dispatcher; the two after it must still come back after it.
        sock.sendall(request("POST", path, b'{"a": 1}', Authorization=token)
                     + request("GET", "/elsewhere") + request("POST", path, b"{}", Authorization="wrong"))
        answers = [read_response(sock, buffered) for _ in range(3)]
        invocation_id = answers[0][1]["x-amz-invocationid"]
        sock.sendall(request("GET", path, Authorization=token, X_Amz_InvocationId=invocation_id))
        answers.append(read_response(sock, buffered))
        return [(status, body) for status, _, body in answers]

    answers, _, stats = with_echo_connection(make_project, talk)
    assert answers == [(202, b""), (404, b"404: Not Found"), (403, b"missing or invalid Authorization token"),
                       (200, b'{"a": 1}')]
    assert stats.completed == 1


def test_a_body_over_the_limit_gets_413_and_nothing_runs(make_project):
    def talk(sock, buffered, token):
        sock.sendall(request("POST", f"/2016-11-01/functions/{ARN}", b"x" * (MAX_BODY + 1), Authorization=token))
        too_large = read_response(sock, buffered)
        sock.sendall(request("GET", "/elsewhere"))  # the connection is still served
        return too_large[0], too_large[2], read_response(sock, buffered)[0]

    (status, message, next_status), invocations, stats = with_echo_connection(make_project, talk, timeout=30)
    assert (status, next_status) == (413, 404)
    assert message == f"request body of {MAX_BODY + 1} bytes is over the limit of {MAX_BODY}".encode()
    assert invocations == [] and stats.completed == 0


def test_what_is_not_http_gets_400_and_the_connection_is_closed(make_project):
    def talk(sock, buffered, token):
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        status, headers, _ = read_response(sock, buffered)
        return status, headers.get("connection"), sock.recv(100)

    assert with_echo_connection(make_project, talk)[0] == (400, "close", b"")


def test_many_keep_alive_requests_share_one_connection(make_project):
    def talk(sock, buffered, token):
        results = []
        for n in range(20):
            sock.sendall(request("POST", f"/2016-11-01/functions/{ARN}", json.dumps(n).encode(), Authorization=token))
            invocation_id = read_response(sock, buffered)[1]["x-amz-invocationid"]
            sock.sendall(request("GET", f"/2016-11-01/functions/{ARN}", Authorization=token,
                                 X_Amz_InvocationId=invocation_id))
            results.append(read_response(sock, buffered)[2])
        return results

    assert with_echo_connection(make_project, talk)[0] == [json.dumps(n).encode() for n in range(20)]


# A worker that opens a long poll, drops the connection, says so, then serves from a new one.
DROPPING_WORKER = '''#!{python} -S
import http.client, os, sys, time
arn, port = os.environ["MY_FUNCTION_ARN"], int(os.environ["GG_DAEMON_PORT"])
auth = {{"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}}
first = http.client.HTTPConnection("127.0.0.1", port)
first.request("GET", "/2016-11-01/functions/%s/work" % arn, headers=auth)
time.sleep(0.2)
first.close()
print("dropped the long poll", flush=True)
time.sleep(1)
conn = http.client.HTTPConnection("127.0.0.1", port)
while True:
    conn.request("GET", "/2016-11-01/functions/%s/work" % arn, headers=auth)
    response = conn.getresponse()
    event = response.read()
    headers = dict(auth, **{{"X-Amz-InvocationId": response.getheader("X-Amz-InvocationId")}})
    conn.request("POST", "/2016-11-01/functions/%s/work" % arn, b"served " + event, headers)
    conn.getresponse().read()
'''


def test_work_arriving_after_a_dropped_long_poll_goes_to_the_next_poll(make_project, tmp_path):
    project = make_project('target = "component"\n[[function]]\nname = "native"\nruntime = "executable"\nhandler = "worker"\n'
                           'inputPayloadEncodingType = "binary"\n'
                           '[function.linuxProcessParams]\nisolationMode = "NoContainer"\n')  # http.client: over 16 MB
    exe = tmp_path / "worker"
    exe.write_text(DROPPING_WORKER.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)

    async def body(core, records):
        while not any("dropped the long poll" in r.message for r in kinds(records, "log")):
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # let the core see the connection close
        result = await core.invoke("native", b"x")
        return result.payload, result.error, core.stats("native")

    payload, error, stats = run_core(project, body)
    assert (payload, error) == (b"served x", "")
    assert (stats.completed, stats.timeouts, stats.crashes, stats.started) == (1, 0, 0, 1)


def test_a_client_expecting_100_continue_is_told_to_go_on(make_project):
    def talk(sock, buffered, token):
        head, _, payload = request("POST", f"/2016-11-01/functions/{ARN}", b'{"b": 2}', Authorization=token,
                                   Expect="100-continue").partition(b"\r\n\r\n")
        sock.sendall(head + b"\r\n\r\n")
        interim = sock.recv(100)
        sock.sendall(payload)
        return interim, read_response(sock, buffered)[0]

    (interim, status), _, stats = with_echo_connection(make_project, talk)
    assert (interim, status, stats.completed) == (b"HTTP/1.1 100 Continue\r\n\r\n", 202, 1)
