"""The IPC server refuses requests without a live worker's token, and does nothing for them."""

from __future__ import annotations

import http.client

from .conftest import kinds, run_core

ARN = "arn:aws:lambda:us-east-1:000000000000:function:echo:1"


def test_missing_and_wrong_tokens_get_403_and_nothing_runs(make_project):
    project = make_project('[[function]]\nname = "echo"\nhandler = "app.handler"\n', app="def handler(e, c):\n    return e\n")

    async def body(core, records):
        import asyncio

        def attempts():
            answers = []
            for headers in ({}, {"Authorization": "not-a-token"}):
                for method, path in (("POST", ""), ("GET", "/work"), ("PUT", "/initialized")):
                    conn = http.client.HTTPConnection("127.0.0.1", core.transport.port, timeout=5)
                    conn.request(method, f"/2016-11-01/functions/{ARN}{path}", b'{"a": 1}', headers)
                    response = conn.getresponse()
                    answers.append((response.status, response.read()))
                    conn.close()
            return answers

        answers = await asyncio.get_running_loop().run_in_executor(None, attempts)
        await core.idle()
        return answers, kinds(records, "invocation"), core.stats("echo")

    answers, invocations, stats = run_core(project, body)
    assert answers == [(403, b"missing or invalid Authorization token")] * 6
    assert invocations == [] and stats.completed == 0


def test_the_server_listens_on_loopback_only(make_project):
    project = make_project('[[function]]\nname = "echo"\nhandler = "app.handler"\n', app="def handler(e, c):\n    return e\n")

    async def body(core, records):
        import psutil

        return [c.laddr.ip for c in psutil.Process().net_connections("tcp")
                if c.status == psutil.CONN_LISTEN and c.laddr.port == core.transport.port]

    assert run_core(project, body) == ["127.0.0.1"]


def test_a_worker_cannot_take_another_functions_work(make_project):
    project = make_project('[[function]]\nname = "echo"\nhandler = "app.handler"\n\n[[function]]\nname = "other"\nhandler = "app.handler"\n',
                           app="def handler(e, c):\n    return e\n")

    async def body(core, records):
        import asyncio

        token = core.pools["other"].workers[0].token

        def steal():
            conn = http.client.HTTPConnection("127.0.0.1", core.transport.port, timeout=5)
            conn.request("GET", f"/2016-11-01/functions/{ARN}/work", headers={"Authorization": token})
            response = conn.getresponse()
            return response.status, response.read()

        return await asyncio.get_running_loop().run_in_executor(None, steal)

    assert run_core(project, body) == (403, b"a worker may only take work for its own function")
