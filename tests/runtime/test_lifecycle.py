"""Worker lifecycles and every knob of facts §3, each checked on observed behaviour."""

from __future__ import annotations

import json

from .conftest import kinds, run_core

APP = '''
import os, time
COUNT = {"n": 0}

def count(event, context):
    COUNT["n"] += 1
    return {"n": COUNT["n"], "pid": os.getpid()}

def slow(event, context):
    time.sleep(event.get("sleep", 0.5))
    return os.getpid()

def hog(event, context):
    blob = bytearray(64 * 1024 * 1024)
    time.sleep(2)
    return len(blob)

def env(event, context):
    return {k: os.environ.get(k) for k in ("GREETING", "ENCODING_TYPE", "AWS_IOT_THING_NAME", "GGC_MAX_INTERFACE_VERSION")}

def raw(event, context):
    return bytes(reversed(event))
'''


def _fn(name, handler, extra=""):
    return f'[[function]]\nname = "{name}"\nhandler = "app.{handler}"\n{extra}\n'


def test_pinned_keeps_state_in_one_worker(make_project):
    project = make_project(_fn("count", "count"), app=APP)

    async def body(core, records):
        return [json.loads((await core.invoke("count", {})).payload) for _ in range(3)], core.stats("count")

    results, stats = run_core(project, body)
    assert [r["n"] for r in results] == [1, 2, 3]
    assert len({r["pid"] for r in results}) == 1
    assert stats.started == 1


def test_on_demand_runs_in_parallel_up_to_max_and_reuses_warm_workers(make_project):
    toml = _fn("slow", "slow", "pinned = false\nmaxInstancesCount = 3\nmaxIdleTimeInSeconds = 30")
    project = make_project(toml, app=APP)

    async def body(core, records):
        assert core.pids("slow") == []  # on-demand: nothing runs before work arrives
        import asyncio

        first = await asyncio.gather(*(core.invoke("slow", {"sleep": 0.6}) for _ in range(6)))
        busy_peak, started = core.stats("slow").peak_busy, core.stats("slow").started
        second = await core.invoke("slow", {"sleep": 0})
        warm_started = core.stats("slow").started
        await asyncio.sleep(3)  # maxIdleTimeInSeconds 30 x time scale 0.05 = 1.5 s
        return first, busy_peak, started, second, warm_started, core.stats("slow"), core.pids("slow")

    first, busy_peak, started, second, warm_started, stats, pids_after_idle = run_core(project, body, time_scale=0.05)
    assert busy_peak == 3 and started == 3
    assert len({r.payload for r in first}) == 3
    assert warm_started == 3 and second.payload in {r.payload for r in first}
    assert stats.idle_stops == 3 and pids_after_idle == []


def test_timeout_kills_and_replaces_the_worker(make_project):
    project = make_project(_fn("slow", "slow", "timeoutInSeconds = 1"), app=APP)

    async def body(core, records):
        before = core.pids("slow")
        result = await core.invoke("slow", {"sleep": 5})
        after = await core.invoke("slow", {"sleep": 0})
        return before, result, int(after.payload), core.stats("slow"), kinds(records, "worker")

    before, result, new_pid, stats, workers = run_core(project, body)
    assert result.error == "Unhandled" and result.error_type == "TimeoutError"
    assert new_pid not in before and stats.timeouts == 1
    assert any(w.event == "killed" and w.pid == before[0] for w in workers)


def test_memory_limit_kills_the_worker(make_project):
    project = make_project(_fn("hog", "hog"), app=APP)

    async def body(core, records):
        result = await core.invoke("hog", {})
        return result, core.stats("hog")

    result, stats = run_core(project, body)
    assert result.error == "Unhandled" and result.error_type == "MemoryError"
    assert "memory limit of 16384 KB" in json.loads(result.payload)["errorMessage"]
    assert stats.memory_kills == 1


def test_no_container_has_no_memory_limit(make_project):
    toml = _fn("hog", "hog", 'timeoutInSeconds = 5\n[function.linuxProcessParams]\nisolationMode = "NoContainer"')
    project = make_project(toml, app=APP)
    result = run_core(project, lambda core, records: core.invoke("hog", {}))
    assert result.error == "" and json.loads(result.payload) == 64 * 1024 * 1024


def test_queue_overflow_drops_and_counts(make_project):
    project = make_project(_fn("slow", "slow", 'maxQueueSize = 2\neventSources = [{topic = "t"}]'), app=APP)

    async def body(core, records):
        for _ in range(6):
            core.publish("t", {"sleep": 0.3})
        await core.idle()
        return core.stats("slow"), kinds(records, "invocation"), kinds(records, "dropped")

    stats, invocations, drops = run_core(project, body)
    # One runs at once, two wait: the other three are dropped (newest first refused).
    assert len(invocations) == 3 and stats.dropped == 3
    assert [d.dropped_total for d in drops] == [1, 2, 3]
    assert drops[0].reason == "queue full (maxQueueSize=2)"


def test_environment_and_binary_encoding(make_project):
    toml = _fn("env", "env", '[function.environmentVariables]\nGREETING = "hello"') + _fn(
        "raw", "raw", 'inputPayloadEncodingType = "binary"')
    project = make_project(toml, app=APP)

    async def body(core, records):
        return await core.invoke("env", {}), await core.invoke("raw", b"\x01\x02\xff")

    env, raw = run_core(project, body)
    assert json.loads(env.payload) == {"GREETING": "hello", "ENCODING_TYPE": "json", "AWS_IOT_THING_NAME": "gglift-local",
                                       "GGC_MAX_INTERFACE_VERSION": "1.5"}
    assert raw.payload == b"\xff\x02\x01"


def test_import_error_is_reported_through_initialized(make_project):
    project = make_project(_fn("broken", "handler"), broken="raise RuntimeError('no config file')\n",
                           app="from broken import *\ndef handler(e, c):\n    return 1\n")

    async def body(core, records):
        return await core.invoke("broken", {}), kinds(records, "worker")

    result, workers = run_core(project, body)
    assert result.error == "Unhandled" and result.error_type == "InitializationError"
    assert "RuntimeError: no config file" in json.loads(result.payload)["errorMessage"]
    assert any(w.event == "failed" for w in workers)


PUBLISHER = '''
import time
import greengrasssdk
iot = greengrasssdk.client("iot-data")

def burst(event, context):
    outcomes = []
    for _ in range(3):
        try:
            iot.publish(topic="work", payload=b"{}", queueFullPolicy=event["policy"])
            outcomes.append("sent")
        except Exception as exc:
            outcomes.append(str(exc))
    return outcomes

def slow(event, context):
    time.sleep(0.5)
'''


def test_queue_full_policy_of_publishes(make_project):
    toml = _fn("burst", "burst") + _fn("slow", "slow", "maxQueueSize = 1") + (
        '[[subscription]]\nsource = "burst"\nsubject = "work"\ntarget = "slow"\n')
    project = make_project(toml, app=PUBLISHER)

    async def body(core, records):
        strict = json.loads((await core.invoke("burst", {"policy": "AllOrException"})).payload)
        await core.idle()
        best = json.loads((await core.invoke("burst", {"policy": "BestEffort"})).payload)
        await core.idle()
        return strict, best, core.stats("slow")

    strict, best, stats = run_core(project, body)
    # One item runs, one waits (maxQueueSize 1): the third publish finds the queue full.
    assert strict[:2] == ["sent", "sent"]
    assert "queue full for slow; nothing was delivered (AllOrError)" in strict[2]
    assert best == ["sent", "sent", "sent"]  # best effort: accepted, then dropped and counted
    assert stats.dropped == 1 and stats.completed == 4
