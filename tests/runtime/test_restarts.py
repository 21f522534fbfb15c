"""Restarts as Greengrass's lifecycle does them: backoff after each consecutive failure, then broken.

Time runs 20 times faster here (time_scale=0.05): the 1, 2, 4 s delays are 0.05, 0.1, 0.2 s.
"""

from __future__ import annotations

import asyncio
import json

from gglift.runtime.pool import BROKEN_AFTER, RESTART_DELAYS

from .conftest import kinds, run_core
from .test_faults import wait_for

# Becomes ready, then dies a moment later, every time (a background thread that fails).
CRASHER = '''
import os, threading, time

def _die():
    time.sleep(0.2)
    os._exit(1)

threading.Thread(target=_die, daemon=True).start()

def handler(event, context):
    return 1
'''

# AWS's BenchmarkPython: a module that publishes in a loop at import, so it never gets ready.
STUCK = '''
import time
while True:
    time.sleep(1)

def handler(event, context):
    return 1
'''

FLAKY = '''
import os

def handler(event, context):
    if event.get("crash"):
        os._exit(2)
    return os.getpid()
'''


def _toml(extra=""):
    return f'[[function]]\nname = "f"\nhandler = "app.handler"\n{extra}\n'


def worker_events(records):
    return [(w.event, w.reason) for w in kinds(records, "worker") if w.event != "started"]


def test_a_worker_that_crashes_after_ready_backs_off_then_the_function_is_broken(make_project):
    """Before: restarted about once a second, forever."""
    project = make_project(_toml(), app=CRASHER)

    async def body(core, records):
        await wait_for(lambda: core.pools["f"].broken is not None)
        queued_after = await core.invoke("f", {})
        await asyncio.sleep(0.5)  # nothing starts again
        return worker_events(records), queued_after, core.stats("f"), core.pids("f")

    events, result, stats, pids = run_core(project, body, time_scale=0.05)
    broken = "f is broken: its worker failed 4 times in a row (last: worker exited with code 1)"
    assert RESTART_DELAYS == (1.0, 2.0, 4.0) and BROKEN_AFTER == 4
    assert events == [
        ("exited", "worker exited with code 1"), ("backoff", "next start in 1 s (failure 1 of 4)"),
        ("exited", "worker exited with code 1"), ("backoff", "next start in 2 s (failure 2 of 4)"),
        ("exited", "worker exited with code 1"), ("backoff", "next start in 4 s (failure 3 of 4)"),
        ("exited", "worker exited with code 1"), ("broken", broken),
    ]
    assert (result.error, json.loads(result.payload)) == ("Unhandled", {"errorMessage": broken, "errorType": "FunctionBroken"})
    assert (stats.started, stats.failures, pids) == (4, 4, [])


def test_a_pinned_function_whose_import_never_returns_is_started_again(make_project):
    """Before: killed at statusTimeoutInSeconds and never started again."""
    project = make_project(_toml("statusTimeoutInSeconds = 30"), app=STUCK)

    async def body(core, records):
        first = await core.invoke("f", {})  # waits for the second worker, which gets stuck too
        await wait_for(lambda: core.pools["f"].broken is not None)
        later = await core.invoke("f", {})
        return first, later, worker_events(records), core.stats("f")

    first, later, events, stats = run_core(project, body, time_scale=0.05)
    stuck = "worker did not become ready within 1.5 s (statusTimeoutInSeconds)"
    assert (first.error, json.loads(first.payload)) == ("Unhandled", {"errorMessage": stuck, "errorType": "InitializationError"})
    assert json.loads(later.payload)["errorType"] == "FunctionBroken"
    # The first worker failed while the core started, before the test's observer was attached.
    assert [e for e, _ in events] == ["killed", "failed", "backoff"] * 2 + ["killed", "failed", "broken"]
    assert events[2] == ("backoff", "next start in 2 s (failure 2 of 4)")
    assert (stats.status_kills, stats.started) == (4, 4)


def test_a_finished_item_resets_the_count_of_failures(make_project):
    project = make_project(_toml(), app=FLAKY)

    async def body(core, records):
        outcomes = []
        for crash in (True, True, False, True, True, False, True):
            result = await core.invoke("f", {"crash": crash})
            outcomes.append(result.error_type if result.error else "ok")
        return outcomes, core.stats("f"), core.pools["f"].broken

    outcomes, stats, broken = run_core(project, body, time_scale=0.05)
    assert outcomes == ["WorkerExited", "WorkerExited", "ok", "WorkerExited", "WorkerExited", "ok", "WorkerExited"]
    assert (stats.failures, stats.crashes, broken) == (1, 5, None)


def test_an_on_demand_import_error_answers_each_item_until_broken(make_project):
    app = "raise RuntimeError('no config file')\n\n\ndef handler(event, context):\n    return None\n"
    project = make_project(_toml("pinned = false"), app=app)

    async def body(core, records):
        results = [await core.invoke("f", {}) for _ in range(5)]
        return [json.loads(r.payload)["errorType"] for r in results], core.stats("f").started

    types, started = run_core(project, body, time_scale=0.05)
    assert types == ["InitializationError"] * 4 + ["FunctionBroken"]
    assert started == 4
