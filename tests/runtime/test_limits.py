"""The IPC port's documented limits (docs/run.md), each with the answer it gives, on raw sockets:
whatever reaches the port without a token cannot exhaust the core (issue item 9)."""

from __future__ import annotations

import asyncio
import socket

from gglift.runtime import transport

from .conftest import run_core
from .test_faults import talk, wait_for
from .test_transport import read_response, request

ECHO = '[[function]]\nname = "echo"\nhandler = "app.handler"\npinned = false\n'
APP = "def handler(e, c):\n    return e\n"


def connect(core) -> socket.socket:
    return socket.create_connection(("127.0.0.1", core.transport.port), timeout=30)


def answer_and_close(sock: socket.socket) -> tuple[int, bytes, bytes]:
    """The one answer on ``sock`` (status, body) and what follows it (b"": the core closed)."""
    status, _, body = read_response(sock, bytearray())
    return status, body, sock.recv(100)


def closed_by_core(sock: socket.socket) -> bool:
    try:
        return sock.recv(100) == b""
    except ConnectionResetError:  # closed with our request unread
        return True


def test_an_oversized_request_head_gets_431_and_the_connection_closes(make_project):
    project = make_project(ECHO, app=APP)

    async def body(core, records):
        def attempts():
            answers = []
            for head in ({"X_Big": "y" * (70 << 10)}, {f"X_H{n}": "1" for n in range(101)}):
                with connect(core) as sock:
                    sock.sendall(request("GET", "/x", **head))
                    answers.append(answer_and_close(sock))
            with connect(core) as sock:  # a URL that never ends
                sock.sendall(b"GET /" + b"a" * (70 << 10))
                answers.append(answer_and_close(sock))
            return answers

        return await asyncio.get_running_loop().run_in_executor(None, attempts)

    assert run_core(project, body) == [
        (431, b"the request line and headers are over the limit of 65536 bytes", b""),
        (431, b"more than 100 request headers", b""),
        (431, b"the request line and headers are over the limit of 65536 bytes", b""),
    ]


def test_slow_and_idle_strangers_are_cut_off_but_a_workers_connection_stays(make_project, monkeypatch):
    monkeypatch.setattr(transport, "REQUEST_SECONDS", 0.5)
    monkeypatch.setattr(transport, "IDLE_SECONDS", 0.5)
    project = make_project(ECHO.replace("pinned = false\n", ""), app=APP)

    async def body(core, records):
        def attempts():
            with connect(core) as half, connect(core) as idle:
                half.sendall(b"POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")  # never completed
                slow = answer_and_close(half)
                silent = idle.recv(100)  # nothing sent: closed without an answer
            return slow, silent

        slow, silent = await asyncio.get_running_loop().run_in_executor(None, attempts)

        def worker_like(sock, buffered, token):  # a valid token: may stay idle between requests
            sock.sendall(request("GET", "/x", Authorization=token))
            first = read_response(sock, buffered)[0]
            sock.settimeout(1.5)
            try:
                closed = sock.recv(100) == b""
            except socket.timeout:
                closed = False
            sock.sendall(request("GET", "/x", Authorization=token))
            return first, closed, read_response(sock, buffered)[0]

        return slow, silent, await talk(core, "echo", worker_like)

    slow, silent, trusted = run_core(project, body)
    assert slow == (408, b"the request was not complete within 0.5 s", b"")
    assert silent == b""
    assert trusted == (404, False, 404)


def test_connections_past_the_limit_close_the_oldest_stranger_and_workers_still_start(make_project, monkeypatch):
    """Before: 1,100 half-open requests made new workers fail with 'Too many open files'."""
    monkeypatch.setattr(transport, "MAX_CONNECTIONS", 40)
    project = make_project(ECHO, app=APP)

    async def body(core, records):
        loop = asyncio.get_running_loop()
        strangers = await loop.run_in_executor(None, lambda: [connect(core) for _ in range(100)])
        try:
            for sock in strangers:
                sock.sendall(b"GET / HTTP/1.1\r\n")  # half-open requests
            await wait_for(lambda: len(core.transport.connections) <= 40)
            open_now = len(core.transport.connections)
            result = await core.invoke("echo", {"n": 1})  # an on-demand worker connects now
            closed = await loop.run_in_executor(None, lambda: sum(map(closed_by_core, strangers[:60])))
        finally:
            for sock in strangers:
                sock.close()
        return open_now, result, closed

    open_now, result, closed = run_core(project, body)
    assert open_now <= 40
    assert (result.payload, result.error) == (b'{"n": 1}', "")
    assert closed == 60  # the oldest went first


def test_a_client_that_never_reads_its_answers_stops_being_read(make_project):
    """Before: 40 MB of pipelined requests never read took the core from 141 to 526 MB."""
    project = make_project(ECHO, app=APP)

    async def body(core, records):
        def flood():
            sent = 0
            with connect(core) as sock:
                sock.settimeout(5)
                chunk = request("GET", "/nothing-here") * 2000
                try:
                    while sent < (40 << 20):
                        sock.sendall(chunk)
                        sent += len(chunk)
                except socket.timeout:
                    pass  # the core stopped reading: our socket buffers are full
                buffered = sum(c.transport.get_write_buffer_size() for c in core.transport.connections)
                waiting = sum(len(c.pending) for c in core.transport.connections)
            return sent, buffered, waiting

        return await asyncio.get_running_loop().run_in_executor(None, flood)

    sent, buffered, waiting = run_core(project, body)
    assert sent < (40 << 20)
    assert buffered < (4 << 20) and waiting <= transport.MAX_PIPELINED
