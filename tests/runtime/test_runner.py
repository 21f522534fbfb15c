"""The worker runner: context object, whole-line logs, and its memory footprint."""

from __future__ import annotations

import json

from .conftest import kinds, run_core

APP = '''
import logging, sys

def handler(event, context):
    print("part one,", end=" ")
    print("part two")
    sys.stdout.write("no newline")
    logging.warning("multi\\nline")
    custom = context.client_context.custom
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "aws_request_id": context.aws_request_id,
        "subject": custom.get("subject"),
        "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 3000,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "ssl_loaded": "ssl" in sys.modules,
    }

def trivial(event, context):
    return None

def heavy_modules(event, context):
    return sorted(name for name in event if name in sys.modules)
'''

TOML = '''
[[function]]
name = "ctx"
handler = "app.handler"

[[function]]
name = "trivial"
handler = "app.trivial"

[[function]]
name = "modules"
handler = "app.heavy_modules"
'''


def test_context_and_whole_line_logs(make_project):
    project = make_project(TOML, app=APP)

    async def body(core, records):
        result = await core.invoke("ctx", {}, topic="a/b")
        await core.idle()
        return json.loads(result.payload), kinds(records, "invocation")[0].invocation_id, kinds(records, "log")

    context, invocation_id, logs = run_core(project, body)
    assert context == {
        "function_name": "ctx",
        "function_version": "1",
        "invoked_function_arn": "arn:aws:lambda:us-east-1:000000000000:function:ctx:1",
        "aws_request_id": invocation_id,
        "subject": "a/b",
        "remaining_ok": True,
        "memory_limit_in_mb": 16,
        "ssl_loaded": False,
    }
    messages = [(r.level, r.message) for r in logs]
    assert ("INFO", "app.py:5,part one, part two") in messages
    assert ("WARNING", "app.py:8,multi") in messages and ("WARNING", "\tline") in messages
    assert ("INFO", "app.py:7,no newline") in messages  # flushed when the handler returns


def test_idle_pinned_worker_fits_the_default_memory_limit(make_project):
    project = make_project(TOML, app=APP)

    async def body(core, records):
        await core.invoke("trivial", {})
        return core.pools["trivial"].workers[0].process.rss_kb()

    assert 0 < run_core(project, body) < 16384


def test_worker_loads_no_heavy_module_of_its_own(make_project):
    # The worker's HTTP client exists so that none of these is loaded: http.client brings the
    # email package, ssl about 4 MB, socket its enums and selectors, base64 struct.
    project = make_project(TOML, app=APP)
    heavy = ["base64", "email", "http.client", "selectors", "socket", "ssl", "urllib"]

    async def body(core, records):
        return json.loads((await core.invoke("modules", heavy)).payload)

    assert run_core(project, body) == []
