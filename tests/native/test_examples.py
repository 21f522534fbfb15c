"""Every example of runtime_c/examples, built with ``gglift native build`` and run on the local
core (``gglift.runtime.Core``, ``gglift invoke``, ``gglift run``): what each returns, logs and
publishes."""

from __future__ import annotations

import asyncio
import json
import subprocess

from tests.native.conftest import GGLIFT, executable, logs, run_core

ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}:1"


def test_invoker_gets_hello_world_from_invokee(c_project):
    project = c_project(
        executable("invoker", environmentVariables=f'{{TARGET_FUNCTION_ARN = "{ARN.format("invokee")}"}}')
        + executable("invokee")
    )
    result, records = run_core(project, lambda core, seen: core.invoke("invoker", b"hello"))
    assert (result.payload, result.error) == (b"SUCCESS: hello world", "")
    assert logs(records, "invoker") == ["invoker,Response: hello world read: 11"]


def test_invoker_sees_handled_error_and_crash(c_project):
    project = c_project(
        executable("ask_handled", "invoker", environmentVariables=f'{{TARGET_FUNCTION_ARN = "{ARN.format("handled_error")}"}}')
        + executable("ask_crash", "invoker", environmentVariables=f'{{TARGET_FUNCTION_ARN = "{ARN.format("crash")}"}}')
        + executable("handled_error")
        + executable("crash")
    )

    async def body(core, seen):
        return await core.invoke("ask_handled", b"x"), await core.invoke("ask_crash", b"x")

    (handled, crashed), records = run_core(project, body)
    assert handled.payload == b'HANDLED: {"errorMessage": "temperature sensor offline"}'
    assert crashed.payload.startswith(b"UNHANDLED: ")
    assert logs(records, "crash") == ["crash,about to crash"]


def test_buffered_read_takes_events_larger_than_its_buffer(c_project):
    project = c_project(executable("buffered_read"))
    event = bytes(range(256)) * 10  # 2560 bytes through a 100-byte buffer, NULs included

    async def body(core, seen):
        return await core.invoke("buffered_read", event, topic="sensors/raw")

    result, records = run_core(project, body)
    assert result.payload == event and result.error == ""
    lines = logs(records, "buffered_read")
    assert lines[0] == "buffered_read,function arn: " + ARN.format("buffered_read")
    context = json.loads(lines[1].split("client context: ", 1)[1])
    assert context["custom"]["subject"] == "sensors/raw"
    assert lines[2] == "buffered_read,read 2560 bytes"


def test_publish_all_or_error_reaches_the_cloud_subscription(c_project):
    project = c_project(
        executable("publish_all_or_error")
        + '[[subscription]]\nsource = "publish_all_or_error"\nsubject = "to/cloud"\ntarget = "cloud"\n'
    )
    result, records = run_core(project, lambda core, seen: core.invoke("publish_all_or_error", b""))
    assert result.payload == b"published"
    [publish] = [r for r in records if r.kind == "publish"]
    assert (publish.source, publish.topic, publish.targets) == ("publish_all_or_error", "to/cloud", ["cloud"])
    assert publish.payload == b'{"reading": 21.5}'.ljust(100, b"\0")


def test_publish_without_subscription_is_refused(c_project):
    project = c_project(executable("publish_all_or_error"))
    result, records = run_core(project, lambda core, seen: core.invoke("publish_all_or_error", b""))
    assert result.error == "Handled"
    assert json.loads(result.payload) == {"errorMessage": "publish refused by the core"}
    assert [r.topic for r in records if r.kind == "no_route"] == ["to/cloud"]


def test_shadow_update_then_get(c_project, tmp_path):
    project = c_project(executable("shadow") + f'[local]\nstate_dir = "{tmp_path / "state"}"\n')
    result, _ = run_core(project, lambda core, seen: core.invoke("shadow", b""))
    document = json.loads(result.payload)
    assert document["state"]["desired"] == {"mode": "OFF"}
    assert document["version"] == 1


def test_secret_read(c_project):
    project = c_project(
        executable("secret") + '[local]\nsecrets_file = "secrets.json"\n',
        files={"secrets.json": json.dumps({"foo": "s3cr3t"})},
    )
    result, records = run_core(project, lambda core, seen: core.invoke("secret", b""))
    answer = json.loads(result.payload)
    assert (answer["Name"], answer["SecretString"]) == ("foo", "s3cr3t")
    assert logs(records, "secret") == ["secret,read secret foo"]


def test_async_runtime_publishes_while_serving_and_stops_on_sigterm(c_project):
    project = c_project(
        executable("async_publish", pinned="true", environmentVariables='{PUBLISH_INTERVAL_MS = "50"}')
        + '[[subscription]]\nsource = "async_publish"\nsubject = "hello/world"\ntarget = "cloud"\n'
    )

    async def body(core, seen):
        while sum(r.kind == "publish" for r in seen) < 3:
            await asyncio.sleep(0.05)
        return await core.invoke("async_publish", b"ping")

    result, records = run_core(project, body)
    assert result.payload == b"pong"
    publishes = [r for r in records if r.kind == "publish"]
    assert {(p.source, p.topic, p.payload) for p in publishes} == {("async_publish", "hello/world", b"hello world!\0")}
    assert logs(records, "async_publish")[-1] == "async_publish,stopped by SIGTERM"
    assert [r.event for r in records if r.kind == "worker"][-1] == "stopped"


def test_sigterm_ends_a_blocking_runtime_start(c_project):
    project = c_project(executable("sigterm", pinned="true"))
    result, records = run_core(project, lambda core, seen: core.invoke("sigterm", b""))
    assert result.payload == b"ready"
    assert logs(records, "sigterm") == ["sigterm,SIGTERM received, cleaned up"]


def test_gglift_invoke_runs_a_c_executable(c_project, tmp_path):
    c_project(executable("invokee") + executable("handled_error"))
    (tmp_path / "event.bin").write_bytes(b"hello")
    done = subprocess.run([*GGLIFT, "invoke", "invokee", "--payload", "@event.bin", "-q"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "hello world\n")
    done = subprocess.run([*GGLIFT, "invoke", "handled_error", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"errorMessage": "temperature sensor offline"}


def test_gglift_run_feeds_events_to_a_c_executable(c_project, tmp_path):
    c_project(executable("invokee", eventSources='[{topic = "greet", type = "PUB_SUB"}]'))
    events = tmp_path / "events.jsonl"
    events.write_text('{"topic": "greet", "payload": "hello"}\n{"topic": "greet", "payload": "bye"}\n')
    record = tmp_path / "record.jsonl"
    done = subprocess.run([*GGLIFT, "run", str(tmp_path), "--events", str(events), "--until-idle", "--record", str(record)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    results = sorted(json.loads(line)["result"] for line in record.read_text().splitlines()
                     if json.loads(line).get("kind") == "invocation")
    assert results == ["bye world", "hello world"]
