"""Before/after fixtures for every row of the porting table and every client spelling.

Each case is a whole file; the expected text is exact, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gglift.port import analyze_source

CASES = {
    "import_boto3_module_level": (
        """\
import boto3

iot = boto3.client("iot-data", region_name="eu-west-1", endpoint_url="https://x")
iot.publish(topic="t/1", payload=b"1")
""",
        """\
import greengrasssdk

iot = greengrasssdk.client("iot-data")
iot.publish(topic="t/1", payload=b"1")
""",
    ),
    "import_boto3_as": (
        """\
import boto3 as b

iot = b.client('iot-data', config=None)
iot.publish(topic='t/1', payload='x')
""",
        """\
import greengrasssdk

iot = greengrasssdk.client('iot-data')
iot.publish(topic='t/1', payload='x')
""",
    ),
    "from_boto3_import_client": (
        """\
from boto3 import client

iot = client("iot-data", aws_access_key_id="AK", aws_secret_access_key="SK")
iot.publish(topic="t/1", payload="x")
""",
        """\
import greengrasssdk

iot = greengrasssdk.client("iot-data")
iot.publish(topic="t/1", payload="x")
""",
    ),
    "from_boto3_import_client_as": (
        """\
from boto3 import client as make_client

sm = make_client(service_name="secretsmanager", region_name="us-east-1")
sm.get_secret_value(SecretId="db")
""",
        """\
import greengrasssdk

sm = greengrasssdk.client("secretsmanager")
sm.get_secret_value(SecretId="db")
""",
    ),
    "session_session_client": (
        """\
import boto3

lam = boto3.session.Session(region_name="eu-west-1").client("lambda")
lam.invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker", Payload=b"{}")
""",
        """\
import greengrasssdk

lam = greengrasssdk.client("lambda")
lam.invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker", Payload=b"{}")
""",
    ),
    "boto3_Session_client": (
        """\
import boto3

session = boto3.Session(profile_name="dev")
iot = session.client("iot-data")
iot.delete_thing_shadow(thingName="pump")
""",
        """\
import greengrasssdk

iot = greengrasssdk.client("iot-data")
iot.delete_thing_shadow(thingName="pump")
""",
    ),
    "from_boto3_session_import_Session": (
        """\
from boto3.session import Session

iot = Session().client("iot-data")
iot.publish(topic="t", payload="x")
""",
        """\
import greengrasssdk

iot = greengrasssdk.client("iot-data")
iot.publish(topic="t", payload="x")
""",
    ),
    "in_function": (
        """\
import boto3


def handler(event, context):
    sm = boto3.client("secretsmanager")
    return sm.get_secret_value(SecretId="db", VersionStage="AWSCURRENT")["SecretString"]
""",
        """\
import greengrasssdk


def handler(event, context):
    sm = greengrasssdk.client("secretsmanager")
    return sm.get_secret_value(SecretId="db", VersionStage="AWSCURRENT")["SecretString"]
""",
    ),
    "self_attribute": (
        """\
import boto3


class Reporter:
    def __init__(self):
        self.iot = boto3.client("iot-data")

    def report(self, value):
        self.iot.update_thing_shadow(thingName="pump", payload=value)
""",
        """\
import greengrasssdk


class Reporter:
    def __init__(self):
        self.iot = greengrasssdk.client("iot-data")

    def report(self, value):
        self.iot.update_thing_shadow(thingName="pump", payload=value)
""",
    ),
    "helper_argument": (
        """\
import boto3

iot = boto3.client("iot-data")


def send(client, value):
    client.publish(topic="t", payload=value, qos=0)


def handler(event, context):
    send(iot, "1")
    send(client=iot, value="2")
""",
        """\
import greengrasssdk

iot = greengrasssdk.client("iot-data")


def send(client, value):
    client.publish(topic="t", payload=value)


def handler(event, context):
    send(iot, "1")
    send(client=iot, value="2")
""",
    ),
    "helper_returns_client": (
        """\
import boto3


def make():
    return boto3.client("iot-data")


iot = make()
iot.publish(topic="t", payload="x", qos=0)
""",
        """\
import greengrasssdk


def make():
    return greengrasssdk.client("iot-data")


iot = make()
iot.publish(topic="t", payload="x")
""",
    ),
    "shadow_read_variable": (
        """\
import json
import boto3

iot = boto3.client("iot-data")


def state():
    resp = iot.get_thing_shadow(thingName="pump")
    body = resp["payload"]
    return json.loads(body.read()), iot.get_thing_shadow(thingName="fan")["payload"].read()
""",
        """\
import json
import greengrasssdk

iot = greengrasssdk.client("iot-data")


def state():
    resp = iot.get_thing_shadow(thingName="pump")
    body = resp["payload"]
    return json.loads(body), iot.get_thing_shadow(thingName="fan")["payload"]
""",
    ),
    "invoke_async": (
        """\
import boto3

lam = boto3.client("lambda")
lam.invoke_async(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker", InvokeArgs=b"{}")
""",
        """\
import greengrasssdk

lam = greengrasssdk.client("lambda")
lam.invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker", InvocationType="Event", Payload=b"{}")
""",
    ),
    "invoke_dryrun_logtype": (
        """\
import boto3

lam = boto3.client("lambda")
lam.invoke(
    FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker:3",
    InvocationType="DryRun",
    LogType="Tail",
)
""",
        """\
import greengrasssdk

lam = greengrasssdk.client("lambda")
lam.invoke(
    FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker:3",
)
""",
    ),
    "invoke_client_context_stays_bytes": (
        """\
import json
from base64 import b64encode

import boto3

lam = boto3.client("lambda")
resp = lam.invoke(
    FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker",
    ClientContext=b64encode(json.dumps({"custom": {"a": 1}}).encode()).decode("ascii"),  # base64 str
    Payload=b"{}",
)
""",
        """\
import json
from base64 import b64encode

import greengrasssdk

lam = greengrasssdk.client("lambda")
resp = lam.invoke(
    FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker",
    ClientContext=b64encode(json.dumps({"custom": {"a": 1}}).encode()),  # base64 str
    Payload=b"{}",
)
""",
    ),
    "invoke_client_context_with_dropped_log_type": (
        """\
import base64
import boto3

lam = boto3.client("lambda")
lam.invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker", ClientContext=(base64.b64encode(b"{}").decode()), LogType="Tail")
""",
        """\
import base64
import greengrasssdk

lam = greengrasssdk.client("lambda")
lam.invoke(FunctionName="arn:aws:lambda:eu-west-1:123456789012:function:worker", ClientContext=(base64.b64encode(b"{}")))
""",
    ),
    "imports_kept_when_used": (
        """\
import boto3
from botocore.exceptions import ClientError

iot = boto3.client("iot-data")
sns = boto3.client("sns")
try:
    iot.publish(topic="t", payload="x")
except ClientError:
    pass
""",
        """\
import boto3
import greengrasssdk
from botocore.exceptions import ClientError

iot = greengrasssdk.client("iot-data")
sns = boto3.client("sns")
try:
    iot.publish(topic="t", payload="x")
except ClientError:
    pass
""",
    ),
    "boto3_import_with_others": (
        """\
import os, boto3  # clients below

iot = boto3.client("iot-data", region_name=os.environ["AWS_REGION"])
""",
        """\
import os  # clients below
import greengrasssdk

iot = greengrasssdk.client("iot-data")
""",
    ),
    "docstring_and_future_only_local_import": (
        '''\
"""Module."""
from __future__ import annotations


def handler(event, context):
    import boto3
    iot = boto3.client("iot-data")
    iot.publish(topic="t", payload="x")
''',
        '''\
"""Module."""
from __future__ import annotations
import greengrasssdk


def handler(event, context):
    iot = greengrasssdk.client("iot-data")
    iot.publish(topic="t", payload="x")
''',
    ),
    "already_imported_sdk_alias": (
        """\
import boto3
import greengrasssdk as gg

old = gg.client("iot-data")
iot = boto3.client("iot-data")
""",
        """\
import greengrasssdk as gg

old = gg.client("iot-data")
iot = gg.client("iot-data")
""",
    ),
    "lazy_global_in_handler": (
        """\
import boto3

iot = None


def handler(event, context):
    global iot
    if iot is None:
        iot = boto3.client("iot-data")
    iot.publish(topic="t", payload="x", qos=1)
""",
        """\
import greengrasssdk

iot = None


def handler(event, context):
    global iot
    if iot is None:
        iot = greengrasssdk.client("iot-data")
    iot.publish(topic="t", payload="x")
""",
    ),
    "multiline_import_alias_removed": (
        """\
from boto3 import (
    Session,
    client,  # factory
)
x = client("iot-data")
y = Session
""",
        """\
from boto3 import (
    Session,
)
import greengrasssdk
x = greengrasssdk.client("iot-data")
y = Session
""",
    ),
    "multiline_call_with_comments": (
        """\
import boto3
iot = boto3.client("iot-data")
iot.publish(
    topic="t",  # where
    payload="p",  # what
    qos=1,  # at least once
)
""",
        """\
import greengrasssdk
iot = greengrasssdk.client("iot-data")
iot.publish(
    topic="t",  # where
    payload="p",  # what
)
""",
    ),
    "nested_and_chained": (
        """\
import json
import boto3


def f(event):
    boto3.client('iot-data').publish(topic='a', payload=boto3.client("iot-data").get_thing_shadow(thingName="x")["payload"].read(), qos=1)
    lam = boto3.client("lambda")
    lam.invoke_async(FunctionName=event["fn"], InvokeArgs=json.dumps(event))
""",
        """\
import json
import greengrasssdk


def f(event):
    greengrasssdk.client('iot-data').publish(topic='a', payload=greengrasssdk.client("iot-data").get_thing_shadow(thingName="x")["payload"])
    lam = greengrasssdk.client("lambda")
    lam.invoke(FunctionName=event["fn"], InvocationType="Event", Payload=json.dumps(event))
""",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_port_rewrites_exactly(name: str) -> None:
    before, after = CASES[name]
    result = analyze_source(before.encode(), Path("app.py"))
    assert result.error is None
    assert result.changed
    assert result.new_source.decode() == after


@pytest.mark.parametrize("name", sorted(CASES))
def test_porting_the_result_again_changes_nothing(name: str) -> None:
    _, after = CASES[name]
    again = analyze_source(after.encode(), Path("app.py"))
    assert not again.changed
    assert again.new_source is None
