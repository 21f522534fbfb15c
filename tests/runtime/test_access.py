"""``target = "component"``: `gglift run` applies the accessControl `gglift package` derives,
matched as nucleus lite's ggipcd matches it, and refuses what the device would refuse."""

from __future__ import annotations

import json

import pytest

from gglift.config.model import DEFAULT_ACCOUNT, DEFAULT_REGION
from gglift.package.access import derived_for_run
from gglift.runtime.access import filter_matches, glob_matches

from .conftest import kinds, run_core


@pytest.mark.parametrize("resource, pattern, expected", [
    ("a/x/b", "a/*/b", True),
    ("a/x/y/b", "a/*/b", True),  # `*` is any run of characters, `/` included
    ("a/+/b", "a/+/b", True),  # `+` is a plain character to pubsub
    ("a/x/b", "a/+/b", False),
    ("a", "a/*", False),  # the glob `a/#` becomes does not cover `a`, which MQTT's `a/#` does
    ("a/", "a/*", True),
    ("anything", "*", True),
    ("a*b", "a${*}b", True),  # ${x}: x literally
    ("axb", "a${*}b", False),
    ("x/a/y", "*a*", True),
])
def test_globs_match_as_nucleus_lite_matches_them(resource, pattern, expected):
    assert glob_matches(resource, pattern) is expected


@pytest.mark.parametrize("resource, topic_filter, expected", [
    ("a/x/b", "a/+/b", True), ("a/x/y", "a/#", True), ("a", "a/#", False), ("a/x/y/b", "a/+/b", False),
    ("a/b", "a/b", True), ("a/bc", "a/b", False),
])
def test_mqttproxy_also_matches_mqtt_filters(resource, topic_filter, expected):
    assert filter_matches(resource, topic_filter) is expected


APP = '''
import greengrasssdk

iot = greengrasssdk.client("iot-data")
sm = greengrasssdk.client("secretsmanager")

def publish(event, context):
    for topic in event["topics"]:
        iot.publish(topic=topic, payload=b"x")
    return "sent"

def secret(event, context):
    try:
        value = sm.get_secret_value(SecretId="db") if event.get("literal") else sm.get_secret_value(SecretId=event["id"])
    except Exception as exc:
        return {"error": str(exc)}
    return {"string": value["SecretString"]}
'''

TOML = '''
[[function]]
name = "publish"
handler = "app.publish"

[[function]]
name = "secret"
handler = "app.secret"

[[subscription]]
source = "publish"
subject = "alerts/#"
target = "component:com.example.Panel"

[[subscription]]
source = "publish"
subject = "telemetry/+/out"
target = "cloud"

[local]
secrets_file = "secrets.json"
'''

NOT_AUTHORIZED = "UnauthorizedError: IPC Operation not authorized."


def _run(make_project, tmp_path, target: str, **options):
    (tmp_path / "secrets.json").write_text(json.dumps({"db": "hunter2", "other": "x"}))  # read when loading
    project = make_project(target + TOML, app=APP)

    async def body(core, records):
        sent = await core.invoke("publish", {"topics": ["alerts/fire", "alerts", "telemetry/a/out"]})
        by_literal = json.loads((await core.invoke("secret", {"literal": True})).payload)
        by_variable = json.loads((await core.invoke("secret", {"id": "other"})).payload)
        await core.idle()
        return sent.payload, by_literal, by_variable, [(r.function, r.topic, r.reason) for r in kinds(records, "refused")]

    return run_core(project, body, **options)


def test_the_derived_policy_refuses_what_the_device_would(make_project, tmp_path):
    sent, by_literal, by_variable, refused = _run(make_project, tmp_path, 'target = "component"\n')
    assert sent == b'"sent"'  # a publish is fire-and-forget: the function never sees the refusal
    assert by_literal == {"string": "hunter2"}  # `db` is in the code: derived into the policy
    assert by_variable == {"error": f"Request for secret value returned error code 403 with message GetSecretValue: {NOT_AUTHORIZED}"}
    assert refused == [("secret", f"arn:aws:secretsmanager:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:secret:other-??????",
                        f"GetSecretValue: {NOT_AUTHORIZED}")]


def test_a_narrower_policy_refuses_publishes_as_the_device_logs_them(make_project, tmp_path):
    narrow = {  # as a deployment's configuration update may set it: MQTT wildcards in pubsub match nothing
        "aws.greengrass.ipc.pubsub": {"p": {"operations": ["aws.greengrass#PublishToTopic"], "resources": ["alerts/#"]}},
        "aws.greengrass.ipc.mqttproxy": {"m": {"operations": ["aws.greengrass#PublishToIoTCore"], "resources": ["telemetry/+/out"]}},
        "aws.greengrass.SecretManager": {"s": {"operations": ["*"], "resources": ["*"]}},
    }
    sent, by_literal, by_variable, refused = _run(make_project, tmp_path, 'target = "component"\n', access_control=narrow)
    assert (sent, by_literal, by_variable) == (b'"sent"', {"string": "hunter2"}, {"string": "x"})
    assert refused == [  # mqttproxy reads `telemetry/+/out` as an MQTT filter too: allowed
        ("publish", "alerts/fire", f"PublishToTopic to 'alerts/fire' failed: PublishToTopic: {NOT_AUTHORIZED}"),
        ("publish", "alerts", f"PublishToTopic to 'alerts' failed: PublishToTopic: {NOT_AUTHORIZED}"),
    ]


def test_lambda_components_have_no_ipc_access_control(make_project, tmp_path):
    sent, by_literal, by_variable, refused = _run(make_project, tmp_path, "")
    assert (sent, by_literal, by_variable, refused) == (b'"sent"', {"string": "hunter2"}, {"string": "x"}, [])


def test_a_c_executable_gets_the_services_its_symbols_name(make_project, tmp_path):
    project = make_project('target = "component"\n[[function]]\nname = "native"\nruntime = "executable"\n'
                           'handler = "native"\ninputPayloadEncodingType = "binary"\n')
    exe = tmp_path / "native"
    exe.write_bytes(b"\x7fELF...\0gg_runtime_start\0gg_get_secret_value\0")
    exe.chmod(0o755)
    access, _ = derived_for_run(project, tmp_path / "cache")
    assert access == {"aws.greengrass.SecretManager": {"native:SecretManager:1": {
        "policyDescription": "gglift: the secrets the code reads", "operations": ["aws.greengrass#GetSecretValue"],
        "resources": [f"arn:aws:secretsmanager:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:secret:*"]}}}


def test_a_shadow_outside_the_policy_answers_the_hosts_401(make_project):
    project = make_project('target = "component"\n[[function]]\nname = "lamp"\nhandler = "app.shadow"\n', app='''
import greengrasssdk

iot = greengrasssdk.client("iot-data")

def shadow(event, context):
    try:
        return iot.get_thing_shadow(thingName=event["thing"])["payload"].decode()
    except Exception as exc:
        return str(exc)
''')
    allowed = {"aws.greengrass.ShadowManager": {"s": {"operations": ["aws.greengrass#GetThingShadow"],
                                                      "resources": ["$aws/things/lamp-*/shadow"]}}}

    async def body(core, records):
        answers = [json.loads((await core.invoke("lamp", {"thing": thing})).payload) for thing in ("lamp-1", "door")]
        return answers, [(r.function, r.topic, r.reason) for r in kinds(records, "refused")]

    (found, other), refused = run_core(project, body, access_control=allowed)
    assert found == "Request for shadow state returned error code 404 with message \"No shadow exists with name: 'lamp-1'\""
    assert other == f'Request for shadow state returned error code 401 with message "GetThingShadow: {NOT_AUTHORIZED}"'
    assert refused == [("lamp", "$aws/things/door/shadow/get", f"GetThingShadow: {NOT_AUTHORIZED}")]
