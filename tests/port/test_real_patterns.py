"""Before/after fixtures for the patterns public Lambdas use (one group per class of defect).

Each case is a whole file: the exact ported text (None: left byte-identical) and the exact
findings with code, line, column and message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gglift.port import analyze_source

CASES = {
    "c1_comments": (
        """\
import boto3  # needed

iot = boto3.client("iot-data")


def handler(event, context):
    iot.publish(topic="t", qos=1,  # keep
        # keep me too
        payload=b"x")
    iot.publish(
        topic="t",  # the topic
        # the payload follows
        payload=b"y",
        qos=1,  # own line: may go
        # a closing note
    )
    iot.publish(qos=0,  # first, sharing a line
                topic="u", payload=b"z")
""",
        """\
import greengrasssdk  # needed

iot = greengrasssdk.client("iot-data")


def handler(event, context):
    iot.publish(topic="t",  # keep
        # keep me too
        payload=b"x")
    iot.publish(
        topic="t",  # the topic
        # the payload follows
        payload=b"y",
        # a closing note
    )
    iot.publish(  # first, sharing a line
                topic="u", payload=b"z")
""",
        [
            ('GGL100', 7, 28, '`qos=1` dropped: messages published on the core are QoS 0 only'),
            ('GGL100', 14, 9, '`qos=1` dropped: messages published on the core are QoS 0 only'),
        ],
    ),
    "c2_invoke_status_then_rebound": (
        """\
import boto3

lam = boto3.client("lambda")
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:w"


def handler(event, context):
    r = lam.invoke(FunctionName=ARN, Payload=b"{}")
    if r["StatusCode"] == 202:
        r = {}
    return r
""",
        """\
import greengrasssdk

lam = greengrasssdk.client("lambda")
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:w"


def handler(event, context):
    r = lam.invoke(FunctionName=ARN, Payload=b"{}")
    if r["StatusCode"] == 202:
        r = {}
    return r
""",
        [
            ('GGL124', 9, 10, 'the result of an edge `invoke` has no `StatusCode`: this read raises KeyError (or gives the default)'),
        ],
    ),
    "c2_loop_rebinding_is_ambiguous": (
        """\
import json
import boto3

iot = boto3.client("iot-data")


def handler(event, context):
    r = iot.get_thing_shadow(thingName="t")
    for _ in range(2):
        s = json.loads(r["payload"].read())
        r = other(s)
""",
        None,
        [
            ('GGL141', 4, 7, 'the `iot-data` client stays on boto3: its use `r["payload"].read()` cannot be followed'),
        ],
    ),
    "c2_read_then_rebound": (
        """\
import json
import boto3

iot = boto3.client("iot-data")


def handler(event, context):
    r = iot.get_thing_shadow(thingName="t")
    s = json.loads(r["payload"].read())
    r = {"statusCode": 200}
    return r, s
""",
        """\
import json
import greengrasssdk

iot = greengrasssdk.client("iot-data")


def handler(event, context):
    r = iot.get_thing_shadow(thingName="t")
    s = json.loads(r["payload"])
    r = {"statusCode": 200}
    return r, s
""",
        [
            ('GGL111', 9, 33, '`.read()` removed: the shadow payload is bytes on the core, not a stream'),
        ],
    ),
    "c3_callback": (
        """\
import boto3

iot = boto3.client("iot-data")
register(iot)


def handler(event, context):
    resp = iot.get_thing_shadow(thingName="t")
    return resp["payload"].read()
""",
        None,
        [
            ('GGL141', 3, 7, 'the `iot-data` client stays on boto3: its use `register(iot)` cannot be followed'),
        ],
    ),
    "c3_dict": (
        """\
import boto3

CLIENTS = {"iot": boto3.client("iot-data")}


def handler(event, context):
    CLIENTS["iot"].publish(topic="t", payload=b"x", qos=1)
""",
        None,
        [
            ('GGL141', 3, 19, 'the `iot-data` client stays on boto3: its use `"iot": boto3.client("iot-data")` cannot be followed'),
        ],
    ),
    "c3_dispatch_table": (
        """\
import boto3

lam = boto3.client("lambda")
ACTIONS = {"run": lam.invoke}


def handler(event, context):
    return ACTIONS[event["action"]](FunctionName="w", LogType="Tail")
""",
        None,
        [
            ('GGL141', 3, 7, 'the `lambda` client stays on boto3: its use `lam.invoke` cannot be followed'),
        ],
    ),
    "c3_followed_through_helpers": (
        """\
import json
import boto3


def make():
    return boto3.client("iot-data")


class Reader:
    def __init__(self):
        self.iot = make()

    def state(self, thing):
        resp = self.iot.get_thing_shadow(thingName=thing)
        return json.loads(resp["payload"].read())


def send(client, value):
    client.publish(topic="values", payload=value, qos=0)


def handler(event, context):
    send(make(), b"1")
    return Reader().state(event["thing"])
""",
        """\
import json
import greengrasssdk


def make():
    return greengrasssdk.client("iot-data")


class Reader:
    def __init__(self):
        self.iot = make()

    def state(self, thing):
        resp = self.iot.get_thing_shadow(thingName=thing)
        return json.loads(resp["payload"])


def send(client, value):
    client.publish(topic="values", payload=value)


def handler(event, context):
    send(make(), b"1")
    return Reader().state(event["thing"])
""",
        [
            ('GGL111', 15, 43, '`.read()` removed: the shadow payload is bytes on the core, not a stream'),
        ],
    ),
    "c3_other_object": (
        """\
import boto3

iot = boto3.client("iot-data")
config.client = iot


def handler(event, context):
    iot.publish(topic="t", payload=b"x", qos=1)
""",
        None,
        [
            ('GGL141', 3, 7, 'the `iot-data` client stays on boto3: its use `config.client = iot` cannot be followed'),
        ],
    ),
    "c4_endpoint_lookup": (
        """\
import boto3

ep = boto3.client("iot").describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
iot = boto3.client("iot-data", endpoint_url=f"https://{ep}")


def handler(event, context):
    iot.publish(topic="t", payload=b"x")
""",
        """\
import boto3
import greengrasssdk

ep = boto3.client("iot").describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"]
iot = greengrasssdk.client("iot-data")


def handler(event, context):
    iot.publish(topic="t", payload=b"x")
""",
        [
            ('GGL140', 3, 6, '`iot.describe_endpoint` stays a cloud call: it works only while the device is online'),
            ('GGL144', 3, 6, '`ep` was only used by what the port removed, but `boto3.client("iot").describe_endpoint(endpointType="iot:D...` still runs here and needs the cloud'),
        ],
    ),
    "c4_session_left": (
        """\
import boto3


def handler(event, context):
    session = boto3.session.Session()
    client = session.client(service_name="secretsmanager", region_name=session.region_name)
    return client.get_secret_value(SecretId="db")["SecretString"]
""",
        """\
import greengrasssdk


def handler(event, context):
    client = greengrasssdk.client("secretsmanager")
    return client.get_secret_value(SecretId="db")["SecretString"]
""",
        [
        ],
    ),
    "c5_assumed_role_session": (
        """\
import boto3

sts = boto3.client("sts")
creds = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/p", RoleSessionName="s")["Credentials"]
session = boto3.Session(
    aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"],
    aws_session_token=creds["SessionToken"],
)
iot = session.client("iot-data")


def handler(event, context):
    iot.publish(topic="t", payload=b"x")
""",
        """\
import boto3
import greengrasssdk

sts = boto3.client("sts")
creds = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/p", RoleSessionName="s")["Credentials"]
iot = greengrasssdk.client("iot-data")


def handler(event, context):
    iot.publish(topic="t", payload=b"x")
""",
        [
            ('GGL140', 4, 9, '`sts.assume_role` stays a cloud call: it works only while the device is online'),
            ('GGL144', 4, 9, '`creds` was only used by what the port removed, but `sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/p...` still runs here and needs the cloud'),
            ('GGL143', 6, 5, "`aws_access_key_id` is dropped: the ported client acts with the core's identity, not these credentials"),
        ],
    ),
    "c5_credentials_and_errors": (
        """\
import boto3
from botocore.exceptions import BotoCoreError, EndpointConnectionError

sts = boto3.client("sts")
creds = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/p", RoleSessionName="s")["Credentials"]
iot = boto3.client(
    "iot-data",
    aws_access_key_id=creds["AccessKeyId"],
    aws_secret_access_key=creds["SecretAccessKey"],
)


def handler(event, context):
    try:
        iot.publish(topic="t", payload=b"x")
    except (BotoCoreError, EndpointConnectionError):
        pass
""",
        """\
import boto3
import greengrasssdk
from botocore.exceptions import BotoCoreError, EndpointConnectionError

sts = boto3.client("sts")
creds = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/p", RoleSessionName="s")["Credentials"]
iot = greengrasssdk.client("iot-data")


def handler(event, context):
    try:
        iot.publish(topic="t", payload=b"x")
    except (BotoCoreError, EndpointConnectionError):
        pass
""",
        [
            ('GGL140', 5, 9, '`sts.assume_role` stays a cloud call: it works only while the device is online'),
            ('GGL144', 5, 9, '`creds` was only used by what the port removed, but `sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/p...` still runs here and needs the cloud'),
            ('GGL143', 8, 5, "`aws_access_key_id` is dropped: the ported client acts with the core's identity, not these credentials"),
            ('GGL112', 16, 13, '`BotoCoreError` is no longer raised by the ported call(s) in this `try`'),
            ('GGL112', 16, 28, '`EndpointConnectionError` is no longer raised by the ported call(s) in this `try`'),
        ],
    ),
    "c5_invoke_shapes": (
        """\
import boto3

lam = boto3.client("lambda")
sm = boto3.client("secretsmanager")


def handler(event, context):
    lam.invoke(FunctionName=context.function_name, LogType="None", Payload=b"{}")
    try:
        return sm.get_secret_value(SecretId="db")
    except sm.exceptions.ResourceNotFoundException:
        return None
""",
        """\
import greengrasssdk

lam = greengrasssdk.client("lambda")
sm = greengrasssdk.client("secretsmanager")


def handler(event, context):
    lam.invoke(FunctionName=context.function_name, Payload=b"{}")
    try:
        return sm.get_secret_value(SecretId="db")
    except sm.exceptions.ResourceNotFoundException:
        return None
""",
        [
            ('GGL120', 8, 16, '`FunctionName=context.function_name` is not a full function ARN'),
            ('GGL113', 11, 12, '`sm.exceptions` raises AttributeError on the core: a greengrasssdk client has no `exceptions`'),
        ],
    ),
    "c6_control_plane": (
        """\
import boto3

sm = boto3.client("secretsmanager")
lam = boto3.client("lambda")


def rotate(event, context):
    sm.describe_secret(SecretId="db")
    sm.put_secret_value(SecretId="db", SecretString="x")
    value = sm.get_secret_value(SecretId="db")["SecretString"]
    lam.update_function_configuration(FunctionName="w", Timeout=30)
    lam.invoke(FunctionName="w", Payload=b"{}", LogType="Tail")
    return value
""",
        None,
        [
            ('GGL142', 3, 6, 'the `secretsmanager` client stays on boto3: `describe_secret` has no Greengrass Core SDK equivalent'),
            ('GGL142', 4, 7, 'the `lambda` client stays on boto3: `update_function_configuration` has no Greengrass Core SDK equivalent'),
            ('GGL140', 8, 5, '`secretsmanager.describe_secret` stays a cloud call: it works only while the device is online'),
            ('GGL140', 9, 5, '`secretsmanager.put_secret_value` stays a cloud call: it works only while the device is online'),
            ('GGL140', 11, 5, '`lambda.update_function_configuration` stays a cloud call: it works only while the device is online'),
        ],
    ),
    "c7_patterns": (
        """\
import boto3


def _c(s):
    return boto3.client(s)


class Api:
    def __init__(self, session=None):
        self.session = session or boto3.session.Session()

    def run(self, name):
        return self.session.client("lambda").invoke(FunctionName=name, LogType="Tail")


def handler(event, context):
    _c("lambda").invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:w")
    _c("secretsmanager").get_secret_value(SecretId="db")
    boto3.resource("dynamodb").Table("t").put_item(Item={})
    return Api().run("arn:aws:lambda:eu-west-1:123456789012:function:x")
""",
        """\
import boto3
import greengrasssdk


def _c(s):
    return greengrasssdk.client(s)


class Api:
    def __init__(self, session=None):
        self.session = session or boto3.session.Session()

    def run(self, name):
        return greengrasssdk.client("lambda").invoke(FunctionName=name)


def handler(event, context):
    _c("lambda").invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:w")
    _c("secretsmanager").get_secret_value(SecretId="db")
    boto3.resource("dynamodb").Table("t").put_item(Item={})
    return Api().run("arn:aws:lambda:eu-west-1:123456789012:function:x")
""",
        [
            ('GGL121', 13, 72, '`LogType` dropped: the Greengrass Core SDK does not support it'),
            ('GGL140', 19, 5, '`dynamodb.resource` stays a cloud call: it works only while the device is online'),
        ],
    ),
    "c7_topics": (
        """\
import boto3

iot = boto3.client("iot-data")


def handler(event, context):
    device = event["device"]
    iot.publish(topic="{}/cmd".format(device), payload=b"1")
    iot.publish(topic="%s/cmd/%d" % (device, 1), payload=b"2")
    if event.get("alarm"):
        topic = "alerts/high"
    else:
        topic = "alerts/low"
    iot.publish(topic=topic, payload=b"3")
""",
        """\
import greengrasssdk

iot = greengrasssdk.client("iot-data")


def handler(event, context):
    device = event["device"]
    iot.publish(topic="{}/cmd".format(device), payload=b"1")
    iot.publish(topic="%s/cmd/%d" % (device, 1), payload=b"2")
    if event.get("alarm"):
        topic = "alerts/high"
    else:
        topic = "alerts/low"
    iot.publish(topic=topic, payload=b"3")
""",
        [
        ],
    ),
    "c7_unpacked_cloud_only": (
        """\
import boto3

lam = boto3.client("lambda")


def handler(event, context):
    params = {"FunctionName": "worker", "LogType": "Tail"}
    return lam.invoke(**params)
""",
        None,
        [
            ('GGL141', 3, 7, 'the `lambda` client stays on boto3: its use `lam.invoke(**params)` cannot be followed'),
        ],
    ),
    "c7_unpacked_params": (
        """\
import boto3

lam = boto3.client("lambda")
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:w"


def handler(event, context):
    params = {"FunctionName": "worker", "Payload": b"{}"}
    lam.invoke(**params)
    lam.invoke(**{"FunctionName": ARN, "InvocationType": "Event"})
""",
        """\
import greengrasssdk

lam = greengrasssdk.client("lambda")
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:w"


def handler(event, context):
    params = {"FunctionName": "worker", "Payload": b"{}"}
    lam.invoke(**params)
    lam.invoke(**{"FunctionName": ARN, "InvocationType": "Event"})
""",
        [
            ('GGL120', 8, 15, '`FunctionName="worker"` is not a full function ARN'),
        ],
    ),
    "match_cases": (
        """\
import boto3

iot = boto3.client("iot-data")


def handler(event, context):
    match event["op"]:
        case "publish":
            iot.publish(topic="t", payload=b"x", qos=1)
        case "shadow":
            state = iot.get_thing_shadow(thingName="t")["payload"].read()
            return state
""",
        """\
import greengrasssdk

iot = greengrasssdk.client("iot-data")


def handler(event, context):
    match event["op"]:
        case "publish":
            iot.publish(topic="t", payload=b"x")
        case "shadow":
            state = iot.get_thing_shadow(thingName="t")["payload"]
            return state
""",
        [
            ('GGL100', 9, 50, '`qos=1` dropped: messages published on the core are QoS 0 only'),
            ('GGL111', 11, 68, '`.read()` removed: the shadow payload is bytes on the core, not a stream'),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_ports_exactly(name: str) -> None:
    source, expected, findings = CASES[name]
    result = analyze_source(source.encode(), Path("app.py"))
    assert (result.new_source.decode() if result.new_source is not None else None) == expected
    assert [(f.code, f.line, f.col, f.message) for f in result.findings] == findings


@pytest.mark.parametrize("name", sorted(CASES))
def test_porting_again_changes_nothing(name: str) -> None:
    source, expected, _ = CASES[name]
    again = analyze_source((expected or source).encode(), Path("app.py"))
    assert again.new_source is None
