"""GGShadowService and GGSecretManager through the real greengrasssdk."""

from __future__ import annotations

import json

from .conftest import kinds, run_core

APP = '''
import json
import greengrasssdk

iot = greengrasssdk.client("iot-data")
sm = greengrasssdk.client("secretsmanager")

def shadow(event, context):
    op = event["op"]
    try:
        if op == "update":
            answer = iot.update_thing_shadow(thingName="lamp", payload=json.dumps(event["doc"]))
        elif op == "get":
            answer = iot.get_thing_shadow(thingName="lamp")
        else:
            answer = iot.delete_thing_shadow(thingName="lamp")
    except Exception as exc:
        return {"error": str(exc)}
    return json.loads(answer["payload"])

def secret(event, context):
    try:
        value = sm.get_secret_value(SecretId=event["id"])
    except Exception as exc:
        return {"error": str(exc)}
    return {"string": value["SecretString"], "name": value["Name"], "year": value["CreatedDate"].year > 2000}
'''

TOML = '''
[[function]]
name = "shadow"
handler = "app.shadow"

[[function]]
name = "secret"
handler = "app.secret"

[[function]]
name = "delta"
handler = "app.shadow"
eventSources = [{topic = "$aws/things/+/shadow/update/delta"}]

[local]
secrets_file = "secrets.json"
'''


def test_shadow_round_trip_versions_delta_errors_and_persistence(make_project, tmp_path):
    (tmp_path / "secrets.json").write_text("{}")
    project = make_project('target = "component"\n' + TOML, app=APP)  # V1 shadow calls: the host only

    async def first_run(core, records):
        call = lambda doc: core.invoke("shadow", doc)  # noqa: E731
        missing = json.loads((await call({"op": "get"})).payload)
        update = json.loads((await call({"op": "update", "doc": {"state": {"desired": {"mode": "ON", "level": 3}}}})).payload)
        await call({"op": "update", "doc": {"state": {"reported": {"mode": "OFF", "level": 3}}}})
        got = json.loads((await call({"op": "get"})).payload)
        conflict = json.loads((await call({"op": "update", "doc": {"state": {"reported": {}}, "version": 1}})).payload)
        bad = json.loads((await call({"op": "update", "doc": {"desired": {}}})).payload)
        await core.idle()
        deltas = [r for r in kinds(records, "publish") if r.topic.endswith("/update/delta")]
        return missing, update, got, conflict, bad, deltas

    missing, update, got, conflict, bad, deltas = run_core(project, first_run)
    assert "code 404" in missing["error"] and "No shadow exists with name: 'lamp'" in missing["error"]
    assert update["version"] == 1 and update["state"] == {"desired": {"mode": "ON", "level": 3}}
    assert set(update["metadata"]["desired"]["mode"]) == {"timestamp"}
    assert got["version"] == 2
    assert got["state"]["delta"] == {"mode": "ON"}
    assert got["state"]["reported"] == {"mode": "OFF", "level": 3}
    assert "code 409" in conflict["error"] and "Version conflict" in conflict["error"]
    assert "code 400" in bad["error"] and "Missing required node: state" in bad["error"]
    assert [d.targets for d in deltas] == [["delta"], ["delta"]]
    assert json.loads(deltas[-1].payload)["state"] == {"mode": "ON"}

    async def second_run(core, records):  # a fresh core: the shadow is still there (SQLite)
        got = json.loads((await core.invoke("shadow", {"op": "get"})).payload)
        deleted = json.loads((await core.invoke("shadow", {"op": "delete"})).payload)
        gone = json.loads((await core.invoke("shadow", {"op": "get"})).payload)
        return got, deleted, gone

    got, deleted, gone = run_core(project, second_run)
    assert got["version"] == 2 and got["state"]["desired"] == {"mode": "ON", "level": 3}
    assert deleted["version"] == 2
    assert "code 404" in gone["error"]
    assert (tmp_path / ".gglift" / "shadows.sqlite").is_file()


def test_secret_read_and_errors_never_log_the_value(make_project, tmp_path):
    (tmp_path / "secrets.json").write_text(json.dumps({"db": "hunter2", "old": {"SecretString": "x", "VersionStages": ["AWSPREVIOUS"]}}))
    project = make_project(TOML, app=APP)

    async def body(core, records):
        found = json.loads((await core.invoke("secret", {"id": "db"})).payload)
        missing = json.loads((await core.invoke("secret", {"id": "nope"})).payload)
        old = json.loads((await core.invoke("secret", {"id": "old"})).payload)
        return found, missing, old, records

    found, missing, old, records = run_core(project, body)
    assert found == {"string": "hunter2", "name": "db", "year": True}
    assert "error code 404" in missing["error"] and "can't find the specified secret: nope" in missing["error"]
    assert "no version with stage AWSCURRENT" in old["error"]
    everything_but_the_handler_result = [r.as_dict() for r in records if r.kind != "invocation"]
    assert "hunter2" not in json.dumps(everything_but_the_handler_result)
