"""The real greengrasssdk 1.6.1 through the core: publish, invoke, errors, routing, the 400 answer."""

from __future__ import annotations

import json
import sys

from .conftest import kinds, run_core

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

APP = '''
import json
import greengrasssdk

iot = greengrasssdk.client("iot-data")
lam = greengrasssdk.client("lambda")
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"

def relay(event, context):
    iot.publish(topic="sensors/%s/temp" % event["room"], payload=json.dumps(event))
    return {"subject": context.client_context.custom.get("subject")}

def sink(event, context):
    return {"got": event, "subject": context.client_context.custom["subject"]}

def caller(event, context):
    kwargs = {"FunctionName": ARN + event["target"], "Payload": json.dumps(event["payload"])}
    if "qualifier" in event:
        kwargs["Qualifier"] = event["qualifier"]
    if event.get("async"):
        kwargs["InvocationType"] = "Event"
    answer = lam.invoke(**kwargs)
    return {"error": answer["FunctionError"], "payload": answer["Payload"].read().decode() if hasattr(answer["Payload"], "read") else answer["Payload"].decode()}

def worker(event, context):
    if event.get("raise"):
        raise KeyError("no such key")
    if event.get("sleep"):
        import time
        time.sleep(event["sleep"])
    return {"double": event.get("n", 0) * 2}

def stray(event, context):
    try:
        iot.publish(topic="nobody/listens", payload=b"x")
    except Exception as exc:
        return {"refused": str(exc)}
    return {"refused": None}
'''

TOML = '''
[[function]]
name = "relay"
handler = "app.relay"
eventSources = [{topic = "rooms/+/in", type = "Pubsub"}]

[[function]]
name = "sink"
handler = "app.sink"
eventSources = [{topic = "sensors/#", type = "PUB_SUB"}]

[[function]]
name = "caller"
handler = "app.caller"

[[function]]
name = "worker"
handler = "app.worker"
timeoutInSeconds = 1

[[function]]
name = "stray"
handler = "app.stray"

[[subscription]]
source = "relay"
subject = "sensors/+/temp"
target = "sink"
'''


def test_publish_routes_through_subscription_with_wildcards(make_project):
    project = make_project(TOML, app=APP)

    async def body(core, records):
        targets = core.publish("rooms/kitchen/in", {"room": "kitchen", "t": 21})
        await core.idle()
        return targets

    records = []
    assert run_core(project, lambda core, seen: _collect(core, seen, records, body)) == ["relay"]
    invocations = {r.function: r for r in kinds(records, "invocation")}
    assert json.loads(invocations["relay"].result) == {"subject": "rooms/kitchen/in"}
    assert json.loads(invocations["sink"].result) == {"got": {"room": "kitchen", "t": 21}, "subject": "sensors/kitchen/temp"}
    publishes = [(p.source, p.topic, p.targets) for p in kinds(records, "publish")]
    assert ("relay", "sensors/kitchen/temp", ["sink"]) in publishes


async def _collect(core, seen, out, body):
    value = await body(core, seen)
    out.extend(seen)
    return value


def test_invoke_sync_async_qualified_and_errors(make_project):
    project = make_project(TOML, app=APP)

    async def body(core, records):
        calls = [
            {"target": "worker:1", "payload": {"n": 2}},
            {"target": "worker", "payload": {"n": 3}, "qualifier": "1"},
            {"target": "worker", "payload": {"raise": True}},
            {"target": "worker", "payload": {"sleep": 3}},
            {"target": "worker", "payload": {"n": 5}, "async": True},
        ]
        results = [json.loads((await core.invoke("caller", call)).payload) for call in calls]
        await core.idle()
        return results, core.stats("worker")

    (ok1, ok2, handled, unhandled, event), stats = run_core(project, body)
    assert ok1 == {"error": "", "payload": '{"double": 4}'}
    assert ok2 == {"error": "", "payload": '{"double": 6}'}
    assert handled["error"] == "Handled"
    assert json.loads(handled["payload"])["errorType"] == "KeyError"
    assert unhandled["error"] == "Unhandled"
    assert json.loads(unhandled["payload"]) == {"errorMessage": "Task timed out after 1.00 seconds", "errorType": "TimeoutError"}
    assert event == {"error": "", "payload": ""}
    assert stats.timeouts == 1 and stats.started == 2  # the timed-out worker was replaced


def test_unrouted_publish_gets_400_and_names_the_fix(make_project, caplog):
    project = make_project(TOML, app=APP)

    async def body(core, records):
        result = await core.invoke("stray", {})
        return json.loads(result.payload), kinds(records, "no_route")

    answer, refusals = run_core(project, body)
    assert "No subscription exists for the source arn:aws:lambda:us-east-1:000000000000:function:stray:1 and subject nobody/listens" in answer["refused"]
    assert [(r.source, r.topic) for r in refusals] == [("stray", "nobody/listens")]
    fix = '[[subscription]]\nsource = "stray"\nsubject = "nobody/listens"\ntarget = "cloud"'
    assert refusals[0].fix == fix
    assert fix in caplog.text
    assert tomllib.loads(fix) == {"subscription": [{"source": "stray", "subject": "nobody/listens", "target": "cloud"}]}


def test_invoke_of_unknown_function_and_version_fails(make_project):
    project = make_project(TOML, app=APP)

    async def body(core, records):
        missing = await core.invoke("caller", {"target": "ghost", "payload": {}})
        wrong_version = await core.invoke("caller", {"target": "worker:7", "payload": {}})
        return missing, wrong_version

    missing, wrong_version = run_core(project, body)
    assert missing.error == "Handled" and "InvocationException" in missing.payload.decode()
    assert "no function with ARN arn:aws:lambda:us-east-1:000000000000:function:ghost" in missing.payload.decode()
    assert "has no version or alias '7'" in wrong_version.payload.decode()
