"""Topics, secrets, function ARNs and thing names recorded for packaging."""

from __future__ import annotations

from pathlib import Path

from gglift.port import Resource, analyze_source

SOURCE = """\
import os
import boto3

PREFIX = "plant"
TOPIC = PREFIX + "/alarms"
iot = boto3.client("iot-data")
sm = boto3.client("secretsmanager")
lam = boto3.client("lambda")


def handler(event, context):
    device = event["device"]
    iot.publish(topic="plant/status", payload="ok")
    iot.publish(topic=f"sensors/{device}/data", payload="1")
    iot.publish(topic="sensors/" + device + "/raw", payload="2")
    iot.publish(topic=f"dev-{device}/x", payload="3")
    iot.publish(topic=TOPIC, payload="4")
    iot.publish(topic=os.environ["OUT_TOPIC"], payload="5")
    sm.get_secret_value(SecretId="db/password")
    sm.get_secret_value(SecretId=f"{device}/key")
    lam.invoke(FunctionName=f"arn:aws:lambda:eu-west-1:123456789012:function:{device}")
    iot.update_thing_shadow(thingName=device, payload="{}")
    iot.get_thing_shadow(thingName="pump")
"""


def test_resources_are_literal_patterns_or_unresolved() -> None:
    result = analyze_source(SOURCE.encode(), Path("app.py"))
    assert result.publishes == [
        Resource("plant/status", True, 13),
        Resource("sensors/+/data", False, 14),
        Resource("sensors/+/raw", False, 15),
        Resource("+/x", False, 16),
        Resource("plant/alarms", True, 17),
        Resource('os.environ["OUT_TOPIC"]', False, 18, resolved=False),
    ]
    assert result.secrets == [Resource("db/password", True, 19), Resource("*/key", False, 20)]
    assert result.invokes == [Resource("arn:aws:lambda:eu-west-1:123456789012:function:*", False, 21)]
    assert result.shadows == [Resource("device", False, 22, resolved=False), Resource("pump", True, 23)]
    assert [f.code for f in result.findings] == []


def test_already_ported_code_reports_its_resources_and_stays_unchanged() -> None:
    source = """\
import greengrasssdk as gg
from greengrasssdk import client

iot = gg.client("iot-data")
sm = client("secretsmanager")
lam = gg.client("lambda")
iot.publish(topic="plant/status", payload="ok")
sm.get_secret_value(SecretId="db/password")
lam.invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:w:1")
iot.get_thing_shadow(thingName="pump")
"""
    result = analyze_source(source.encode(), Path("app.py"))
    assert not result.changed
    assert result.findings == []
    assert result.publishes == [Resource("plant/status", True, 7)]
    assert result.secrets == [Resource("db/password", True, 8)]
    assert result.invokes == [Resource("arn:aws:lambda:eu-west-1:123456789012:function:w:1", True, 9)]
    assert result.shadows == [Resource("pump", True, 10)]


def test_read_on_an_already_ported_shadow_result_is_fixed_too() -> None:
    source = 'import greengrasssdk\niot = greengrasssdk.client("iot-data")\nb = iot.get_thing_shadow(thingName="p")["payload"].read()\n'
    result = analyze_source(source.encode(), Path("app.py"))
    assert result.new_source.decode().endswith('b = iot.get_thing_shadow(thingName="p")["payload"]\n')
    assert [f.code for f in result.findings] == ["GGL111"]


def test_values_passed_to_a_helper_are_followed_to_every_call() -> None:
    source = """\
import boto3

iot = boto3.client("iot-data")


def send(client, room, payload):
    client.publish(topic=f"building/{room}/temperature", payload=payload)


def state(thing):
    return iot.get_thing_shadow(thingName=thing)


def handler(event, context):
    send(iot, "kitchen", event["t"])
    send(iot, room=event["room"], payload="x")
    return state("hvac-1"), state("hvac-2")
"""
    result = analyze_source(source.encode(), Path("app.py"))
    assert result.publishes == [
        Resource("building/kitchen/temperature", True, 7),
        Resource("building/+/temperature", False, 7),
    ]
    assert result.shadows == [Resource("hvac-1", True, 11), Resource("hvac-2", True, 11)]


def test_a_helper_used_as_a_callback_gives_unresolved_values() -> None:
    source = """\
import boto3

iot = boto3.client("iot-data")


def state(thing):
    return iot.get_thing_shadow(thingName=thing)


state("hvac-1")
handlers = {"state": state}
"""
    result = analyze_source(source.encode(), Path("app.py"))
    assert result.shadows == [Resource("thing", False, 7, resolved=False)]
