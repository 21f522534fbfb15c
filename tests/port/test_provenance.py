"""Only provable clients are touched; everything else stays byte-identical."""

from __future__ import annotations

from pathlib import Path

import pytest

from gglift.port import analyze_source

UNTOUCHED = {
    "sns_publish": """\
import boto3

sns = boto3.client("sns")
sns.publish(TopicArn="arn:aws:sns:eu-west-1:123456789012:ops", Message="hi", qos=1)
""",
    "paho_publish": """\
import boto3  # only for the cloud job below
import paho.mqtt.client as mqtt

client = mqtt.Client()
client.publish("sensors/1", payload="x", qos=1, retain=True)
""",
    "unknown_object_publish": """\
import boto3


def handler(event, context, bus):
    bus.publish(topic="t", payload="x", qos=1)
""",
    "reassigned_name": """\
import boto3

iot = boto3.client("sns")
iot = make_other_client()
iot.publish(topic="t", payload="x", qos=1)
""",
    "shadowing_parameter": """\
import boto3

sns = boto3.client("sns")


def relay(iot):
    iot.publish(topic="t", payload="x", qos=1)
""",
    "mention_in_a_comment": """\
# boto3 is not used here
def publish(topic):
    return topic
""",
    "non_literal_service": """\
import boto3

iot = boto3.client(SERVICE)
iot.publish(topic="t", payload="x", qos=1)
""",
}


@pytest.mark.parametrize("name", sorted(UNTOUCHED))
def test_unprovable_receivers_are_left_alone(name: str) -> None:
    result = analyze_source(UNTOUCHED[name].encode(), Path("app.py"))
    assert not result.changed
    assert result.new_source is None
    assert [f.code for f in result.findings] in ([], ["GGL140"])


def test_helper_used_as_a_callback_is_not_provable() -> None:
    source = """\
import boto3

iot = boto3.client("iot-data")


def send(client):
    client.publish(topic="t", payload="x", qos=1)


send(iot)
callbacks = [send]
"""
    result = analyze_source(source.encode(), Path("app.py"))
    assert result.new_source is None  # the creation is not ported while a use is unknown
    assert [(f.code, f.line, f.col, f.message) for f in result.findings] == [
        ("GGL141", 3, 7, "the `iot-data` client stays on boto3: its use `send(iot)` cannot be followed")
    ]


def test_helper_called_with_different_clients_is_not_provable() -> None:
    source = """\
import boto3

iot = boto3.client("iot-data")
sns = boto3.client("sns")


def send(client):
    client.publish(topic="t", payload="x", qos=1)


send(iot)
send(sns)
"""
    result = analyze_source(source.encode(), Path("app.py"))
    assert result.new_source is None
    assert [(f.code, f.line, f.col) for f in result.findings] == [("GGL141", 3, 7)]


def test_static_and_class_methods_do_not_see_self_attributes() -> None:
    source = """\
import boto3


class Box:
    def __init__(self):
        self.iot = boto3.client("iot-data")

    @staticmethod
    def send(self):
        self.iot.publish(topic="t", payload="x", qos=1)
"""
    result = analyze_source(source.encode(), Path("app.py"))
    assert result.new_source is None
    assert [(f.code, f.line, f.col, f.message) for f in result.findings] == [
        ("GGL141", 6, 20, "the `iot-data` client stays on boto3: its use `self.iot` cannot be followed")
    ]


def test_sns_next_to_iot_keeps_its_bytes() -> None:
    source = """\
import boto3

iot = boto3.client("iot-data")
sns = boto3.client("sns")
sns.publish(TopicArn="arn", Message="hi", qos=1)
iot.publish(topic="t", payload="x", qos=1)
"""
    ported = analyze_source(source.encode(), Path("app.py")).new_source.decode()
    assert ported == source.replace(
        'iot = boto3.client("iot-data")', 'iot = greengrasssdk.client("iot-data")'
    ).replace("import boto3\n", "import boto3\nimport greengrasssdk\n").replace(
        'iot.publish(topic="t", payload="x", qos=1)', 'iot.publish(topic="t", payload="x")'
    )
