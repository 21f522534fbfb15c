"""Faults and hostile input from functions and their code: nothing they do wedges the core, hides a
worker's exit, leaves a process behind or breaks the records (issue items 1, 2, 10-16)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import socket
import time
from pathlib import Path

import pytest

from gglift.runtime import records
from gglift.runtime.records import Observers

from .conftest import kinds, run_core
from .test_transport import read_response, request

ARN = "arn:aws:lambda:us-east-1:000000000000:function:"
PATH = "/2016-11-01/functions/" + ARN


def gone(pid: int, timeout: float = 30) -> bool:
    """Wait until ``pid`` no longer runs (absent, or a zombie its new parent has yet to reap)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


async def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def talk(core, function: str, exchange):
    """Run ``exchange(sock, buffered, token)`` on a loopback connection with ``function``'s token, in a thread."""

    def connected():
        with socket.create_connection(("127.0.0.1", core.transport.port), timeout=30) as sock:
            return exchange(sock, bytearray(), core.pools[function].workers[0].token)

    return asyncio.get_running_loop().run_in_executor(None, connected)


# -- 1: observers -----------------------------------------------------------------------
APP = '''
import os, subprocess, time

def sleepy(event, context):
    time.sleep(event.get("sleep", 0))
    return os.getpid()

def spawner(event, context):
    # a child that inherits the worker's stdout and would outlive it
    child = subprocess.Popen(["sleep", "300"])
    with open(event["pidfile"], "w") as fh:
        fh.write(str(child.pid))
    if event.get("exit"):
        os._exit(event["exit"])
    time.sleep(60)

class Boom(BaseException):
    pass

def boom(event, context):
    raise Boom("out of the loop")

def big(event, context):
    return "x" * (17 * 1024 * 1024)

def context_of(event, context):
    return {"custom": context.client_context.custom}

def echo(event, context):
    return event
'''


def _fn(name, handler, extra=""):
    return f'[[function]]\nname = "{name}"\nhandler = "app.{handler}"\n{extra}\n'


def test_a_failing_observer_leaves_the_core_whole(make_project, caplog):
    """Before: the timeout printed 'killed' but no SIGKILL was sent and the pinned function hung."""
    project = make_project(_fn("sleepy", "sleepy", "timeoutInSeconds = 1"), app=APP)

    def broken_observer(record):
        raise BrokenPipeError(32, "Broken pipe")

    async def body(core, records):
        core.add_observer(broken_observer)
        first = core.pids("sleepy")[0]
        timed_out = await core.invoke("sleepy", {"sleep": 30})
        await wait_for(lambda: first not in core.pids("sleepy") and core.pids("sleepy"))
        second = await core.invoke("sleepy", {})
        return first, timed_out, second, core.stats("sleepy"), kinds(records, "worker")

    with caplog.at_level(logging.ERROR, logger="gglift.runtime"):
        first, timed_out, second, stats, workers = run_core(project, body)
    assert (timed_out.error, timed_out.error_type) == ("Unhandled", "TimeoutError")
    assert second.error == "" and int(second.payload) != first
    assert gone(first)
    assert (stats.timeouts, stats.started, stats.completed) == (1, 2, 2)
    assert [(w.event, w.pid) for w in workers if w.pid == first] == [("killed", first), ("stopped", first)]
    failures = [r.getMessage() for r in caplog.records if "observer" in r.getMessage()]
    assert len(failures) == 1  # once per observer and kind of error, not once per record
    assert failures[0].startswith("an observer of the core's records failed on a ")
    assert failures[0].endswith("(further such failures are not logged): BrokenPipeError: [Errno 32] Broken pipe")


def test_observers_never_raise_and_the_others_still_run():
    seen = []
    emit = Observers()
    emit.add(lambda record: 1 / 0)
    emit.add(seen.append)
    sent = [records.Log("f", "INFO", "a"), records.Log("f", "INFO", "b")]
    for record in sent:
        emit(record)
    assert seen == sent


def test_aws_binary_lambda_invoke_context_with_text_custom_reaches_the_target(make_project):
    """AWS's BinaryLambdaInvoke sends {"custom": "custom text"}: records used to fail on it."""
    toml = _fn("target", "context_of") + _fn("sleepy", "sleepy")
    project = make_project(toml, app=APP)
    header = base64.b64encode(b'{"custom": "custom text"}').decode()

    async def body(core, records):
        def exchange(sock, buffered, token):
            sock.sendall(request("POST", PATH + "target", b"{}", Authorization=token, X_Amz_Client_Context=header))
            invocation_id = read_response(sock, buffered)[1]["x-amz-invocationid"]
            sock.sendall(request("GET", PATH + "target", Authorization=token, X_Amz_InvocationId=invocation_id))
            return read_response(sock, buffered)

        answer = await talk(core, "sleepy", exchange)
        await core.idle()
        return answer, kinds(records, "invocation")

    (status, _, payload), invocations = run_core(project, body)
    assert (status, json.loads(payload)) == (200, {"custom": "custom text"})
    assert [(i.function, i.topic, i.error) for i in invocations] == [("target", None, "")]


# -- 2 and 15: a worker's children ----------------------------------------------------------
@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "waiting-thread"])
def test_a_worker_that_exits_leaving_a_child_is_seen_and_its_child_ended(make_project, tmp_path, monkeypatch, pidfd):
    """Before: the child kept stdout open, the exit was never seen and the caller waited forever.
    Without pidfds (Linux before 5.3) a thread waits for the exit instead."""
    if not pidfd:
        monkeypatch.delattr(os, "pidfd_open")
    project = make_project(_fn("spawner", "spawner", "timeoutInSeconds = 30"), app=APP)
    pidfile = tmp_path / "child.pid"

    async def body(core, records):
        worker = core.pids("spawner")[0]
        result = await core.invoke("spawner", {"pidfile": str(pidfile), "exit": 3})
        return worker, result, core.stats("spawner")

    worker, result, stats = run_core(project, body, time_scale=0.05)
    assert (result.error, json.loads(result.payload)) == (
        "Unhandled", {"errorMessage": "worker exited with code 3", "errorType": "WorkerExited"})
    assert stats.crashes == 1
    assert gone(worker) and gone(int(pidfile.read_text()))


def test_a_timeout_kill_ends_the_children_of_the_worker_too(make_project, tmp_path):
    project = make_project(_fn("spawner", "spawner", "timeoutInSeconds = 1"), app=APP)
    pidfile = tmp_path / "child.pid"

    async def body(core, records):
        worker = core.pids("spawner")[0]
        result = await core.invoke("spawner", {"pidfile": str(pidfile)})
        await wait_for(lambda: worker not in core.pids("spawner"))
        return worker, result

    worker, result = run_core(project, body)
    assert result.error_type == "TimeoutError"
    assert gone(worker) and gone(int(pidfile.read_text()))


HOG_CHILD = '''
import subprocess, sys, time

def handler(event, context):
    # the worker stays small; its child takes 40 MB
    child = subprocess.Popen([sys.executable, "-c", "import time; b = b'x' * (40 << 20); time.sleep(60)"])
    with open(event["pidfile"], "w") as fh:
        fh.write(str(child.pid))
    time.sleep(30)
'''


def test_children_count_toward_the_memory_limit(make_project, tmp_path):
    project = make_project('[[function]]\nname = "hog"\nhandler = "app.handler"\ntimeoutInSeconds = 60\n', app=HOG_CHILD)
    pidfile = tmp_path / "child.pid"

    async def body(core, records):
        result = await core.invoke("hog", {"pidfile": str(pidfile)})
        return result, core.stats("hog")

    result, stats = run_core(project, body)
    assert (result.error, result.error_type, stats.memory_kills) == ("Unhandled", "MemoryError", 1)
    assert json.loads(result.payload)["errorMessage"].startswith("worker exceeded its memory limit of 16384 KB (resident ")
    assert gone(int(pidfile.read_text()))


# -- 10, 16: contexts, topics, documents ----------------------------------------------------------
def test_hostile_contexts_and_topics_get_400_and_the_target_lives_on(make_project):
    project = make_project('target = "component"\n' + _fn("target", "context_of") + _fn("sleepy", "sleepy"), app=APP)
    utf16 = base64.b64encode('{"custom": {"a": 1}}'.encode("utf-16")).decode()
    huge = base64.b64encode(json.dumps({"custom": {"a": "x" * 40000}}).encode()).decode()
    deep = base64.b64encode(b"[" * 5000 + b"]" * 5000).decode()
    text_custom = base64.b64encode(b'{"custom": "text"}').decode()
    router = "/2016-11-01/functions/arn:aws:lambda:::function:GGRouter"
    shadow = "/2016-11-01/functions/arn:aws:lambda:::function:GGShadowService"

    def context(subject):
        return base64.b64encode(json.dumps({"custom": {"subject": subject}}).encode()).decode()

    async def body(core, records):
        target = core.pids("target")

        def exchange(sock, buffered, token):
            sent = [(PATH + "target", utf16, b"{}"), (PATH + "target", huge, b"{}"), (PATH + "target", deep, b"{}"),
                    (router, text_custom, b"{}"), (router, context("to/beta/#"), b"{}"),
                    (router, context("t" * 1000), b"{}"), (router, context(""), b"{}"),
                    (shadow, text_custom, b"{}"),
                    (shadow, context("$aws/things/t/shadow/update"), b'{"state": {"desired": ' * 3000 + b"1" + b"}}" * 3000)]
            answers = []
            for path, ctx, payload in sent:
                sock.sendall(request("POST", path, payload, Authorization=token, X_Amz_Client_Context=ctx,
                                     X_Amz_Invocation_Type="RequestResponse"))
                status, headers, answer = read_response(sock, buffered)
                if status == 202:  # the shadow answers through its result
                    sock.sendall(request("GET", path, Authorization=token, X_Amz_InvocationId=headers["x-amz-invocationid"]))
                    status, _, answer = read_response(sock, buffered)
                answers.append((status, answer.decode()))
            return answers

        answers = await talk(core, "sleepy", exchange)
        still = await core.invoke("target", {}, topic="t")
        return target, answers, still, core.pids("target"), core.stats("target")

    every_shadow = {"aws.greengrass.ShadowManager": {"all": {"operations": ["*"], "resources": ["*"]}}}
    before, answers, still, after, stats = run_core(project, body, access_control=every_shadow)
    assert answers == [
        (400, "X-Amz-Client-Context must be base64-encoded UTF-8 JSON"),
        (400, f"X-Amz-Client-Context is {len(huge)} bytes, over the limit of 32768"),
        (400, "X-Amz-Client-Context is nested too deeply"),
        (400, "X-Amz-Client-Context: custom must be a JSON object with a subject"),
        (400, "cannot publish: 'to/beta/#' is a topic filter (it has + or #): publish to a topic name"),
        (400, "cannot publish: the topic is 1000 bytes, over the limit of 256"),
        (400, "cannot publish: the topic is empty"),
        (400, "X-Amz-Client-Context: custom must be a JSON object with a subject"),
        (200, '{"code": 400, "message": "the shadow document is nested too deeply"}'),
    ]
    assert json.loads(still.payload) == {"custom": {"subject": "t"}}
    assert before == after and stats.crashes == 0


SDK_APP = '''
import greengrasssdk
iot = greengrasssdk.client("iot-data")

def publisher(event, context):
    try:
        iot.publish(topic=event["topic"], payload=b"{}")
    except Exception as exc:
        return str(exc)
    return "sent"
'''


def test_the_sdk_gets_a_clear_refusal_for_a_wildcard_or_long_topic(make_project):
    toml = _fn("publisher", "publisher") + '[[subscription]]\nsource = "publisher"\nsubject = "#"\ntarget = "cloud"\n'
    project = make_project(toml, app=SDK_APP)

    async def body(core, records):
        outcomes = [json.loads((await core.invoke("publisher", {"topic": topic})).payload)
                    for topic in ("to/beta/#", "t" * 1000, "t" * 70000, "to/beta/ok")]
        return outcomes, [(p.topic, p.targets) for p in kinds(records, "publish")]

    outcomes, publishes = run_core(project, body, mqtt=None)
    assert "'to/beta/#' is a topic filter (it has + or #): publish to a topic name" in outcomes[0]
    assert "the topic is 1000 bytes, over the limit of 256" in outcomes[1]
    assert "the request line and headers are over the limit of 65536 bytes" in outcomes[2]  # its context
    assert outcomes[3] == "sent" and publishes == [("to/beta/ok", ["cloud"])]


# -- 11: one long poll per worker ---------------------------------------------------------------------
def test_a_second_long_poll_with_a_workers_token_is_refused(make_project):
    project = make_project(_fn("sleepy", "sleepy"), app=APP)

    async def body(core, records):
        worker = core.pools["sleepy"].workers[0]
        await wait_for(lambda: worker.poll is not None)

        def exchange(sock, buffered, token):
            sock.sendall(request("GET", PATH + "sleepy:1/work", Authorization=token))
            return read_response(sock, buffered)

        status, _, message = await talk(core, "sleepy", exchange)  # then the connection drops
        results = [await core.invoke("sleepy", {}) for _ in range(3)]
        return status, message, results, core.pids("sleepy"), core.stats("sleepy")

    status, message, results, pids, stats = run_core(project, body)
    assert (status, message) == (409, b"this worker already waits for work or runs an item")
    assert [int(r.payload) for r in results] == pids * 3 and stats.started == 1


# -- 12: tracebacks written by the interpreter ----------------------------------------------------------
def test_a_traceback_from_outside_the_handler_is_logged(make_project):
    """Before: 'lost sys.stderr', the traceback of an error escaping the runner was gone."""
    big = _fn("big", "big", '[function.linuxProcessParams]\nisolationMode = "NoContainer"')  # 34 MB of result
    project = make_project(_fn("boom", "boom") + big, app=APP)

    async def body(core, records):
        escaped = await core.invoke("boom", {})
        too_big = await core.invoke("big", {})
        await core.idle()
        return escaped, too_big, [r.message for r in kinds(records, "log") if r.function == "boom"]

    escaped, too_big, logs = run_core(project, body, time_scale=0.05)
    assert (escaped.error, escaped.error_type) == ("Unhandled", "WorkerExited")
    assert "runner,Traceback (most recent call last):" in logs
    assert "runner,app.Boom: out of the loop" in logs
    assert (too_big.error, too_big.error_type) == ("Handled", "ValueError")
    assert json.loads(too_big.payload)["errorMessage"] == (
        f"the result is {17 * 1024 * 1024 + 2} bytes, over the core's limit of {16 * 1024 * 1024}")


# -- 13, 14: results -------------------------------------------------------------------------------------
def fetch(ids):
    """An exchange fetching the results of ``ids``: their statuses."""

    def exchange(sock, buffered, token):
        answers = []
        for invocation_id in ids:
            sock.sendall(request("GET", PATH + "echo", Authorization=token, X_Amz_InvocationId=invocation_id))
            answers.append(read_response(sock, buffered)[0])
        return answers

    return exchange


def post(asked, count, size):
    """An exchange invoking echo ``count`` times with ``size`` bytes (RequestResponse); ids go to ``asked``."""

    def exchange(sock, buffered, token):
        for _ in range(count):
            sock.sendall(request("POST", PATH + "echo", json.dumps("x" * size).encode(), Authorization=token))
            asked.append(read_response(sock, buffered)[1]["x-amz-invocationid"])

    return exchange


def test_a_result_is_fetched_only_by_the_function_that_asked(make_project):
    """Before: the invocation id alone fetched it, whoever asked."""
    project = make_project(_fn("echo", "echo") + _fn("other", "sleepy"), app=APP)

    async def body(core, records):
        asked = []
        await talk(core, "other", post(asked, 1, 10))
        await core.idle()
        return await talk(core, "echo", fetch(asked)), await talk(core, "other", fetch(asked))

    assert run_core(project, body) == ([404], [200])


def test_results_nobody_fetches_expire_and_are_bounded_in_bytes(make_project):
    """Before: kept forever (500 invokes with 200 KB results: +99 MB)."""
    project = make_project(_fn("echo", "echo") + _fn("other", "sleepy"), app=APP)

    async def body(core, records):
        core.results.retention = 1.0
        core.results.max_bytes = 1 << 20
        asked = []
        await talk(core, "other", post(asked, 12, 200_000))  # 2.4 MB of results nobody fetches
        await core.idle()
        kept = len(core.results)
        oldest_and_newest = await talk(core, "other", fetch([asked[0], asked[-1]]))
        await wait_for(lambda: len(core.results) == 0)
        return kept, oldest_and_newest, await talk(core, "other", fetch(asked[-2:-1]))

    kept, oldest_and_newest, expired = run_core(project, body)
    assert kept <= 5  # 1 MB of 200 KB results
    assert oldest_and_newest == [404, 200]  # the oldest made room; the newest was kept
    assert expired == [404]
