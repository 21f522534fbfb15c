"""What cannot move as it was: connectors, loggers, devices, ML resources, old runtimes, system functions.

moto's V1 API has no logger or connector definitions, so this group is written in the AWS CLI's
output shapes by hand (the reader checks it against botocore's model like any export).
"""

from __future__ import annotations

import json

from .conftest import gglift

REGION, ACCOUNT = "eu-west-1", "210987654321"


def arn(name: str, qualifier: str = "3") -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:{qualifier}"


DEVICE = f"arn:aws:iot:{REGION}:{ACCOUNT}:thing/door-sensor"
METRICS = f"arn:aws:greengrass:{REGION}::/connectors/CloudWatchMetrics/versions/4"
TWILIO = f"arn:aws:greengrass:{REGION}::/connectors/TwilioNotifications/versions/5"


def _version(kind: str, member: str, items: list, **extra) -> dict:
    base = f"arn:aws:greengrass:{REGION}:{ACCOUNT}:/greengrass/definition/{kind}/1111/versions/2222"
    return {"Arn": base, "CreationTimestamp": "2021-03-04T05:06:07.000Z", "Id": "1111", "Version": "2222",
            "Definition": {member: items, **extra}}


def _write(folder, name, document):
    (folder / name).write_text(json.dumps(document, indent=4))


def test_elements_without_a_direct_v2_equivalent(tmp_path):
    export = tmp_path / "line2"
    export.mkdir()
    _write(export, "functions.json", _version("functions", "Functions", [
        {"Id": "a", "FunctionArn": arn("counter"), "FunctionConfiguration": {"Pinned": True, "MemorySize": 65536, "Timeout": 30}},
        {"Id": "b", "FunctionArn": arn("legacy", "live"), "FunctionConfiguration": {"FunctionRuntimeOverride": "python2.7"}},
        {"Id": "c", "FunctionArn": arn("dashboard"), "FunctionConfiguration": {"FunctionRuntimeOverride": "nodejs8.10"}},
        {"Id": "d", "FunctionArn": "arn:aws:lambda:::function:GGIPDetector:1", "FunctionConfiguration": {"Pinned": True}},
        {"Id": "e", "FunctionArn": arn("vision"), "FunctionConfiguration": {"Environment": {"ResourceAccessPolicies": [
            {"ResourceId": "model", "Permission": "ro"}]}}},
    ], DefaultConfig={"Execution": {"IsolationMode": "NoContainer", "RunAs": {"Uid": 1001, "Gid": 1001}}}))
    _write(export, "subscriptions.json", _version("subscriptions", "Subscriptions", [
        {"Id": "s1", "Source": DEVICE, "Subject": "door/open", "Target": arn("counter")},
        {"Id": "s2", "Source": arn("counter"), "Subject": "metrics/put", "Target": METRICS},
        {"Id": "s3", "Source": arn("counter"), "Subject": "twilio/txt", "Target": TWILIO},
        {"Id": "s4", "Source": arn("dashboard"), "Subject": "ui/update", "Target": "cloud"},
        {"Id": "s5", "Source": arn("counter"), "Subject": "door/ack", "Target": DEVICE},
        {"Id": "s6", "Source": "cloud", "Subject": "echo", "Target": "cloud"},
    ]))
    _write(export, "connectors.json", _version("connectors", "Connectors", [
        {"Id": "metrics", "ConnectorArn": METRICS, "Parameters": {"PublishInterval": "10", "PublishRegion": REGION}},
        {"Id": "twilio", "ConnectorArn": TWILIO, "Parameters": {"TwilioAccountSid": "AC123"}},
    ]))
    _write(export, "loggers.json", _version("loggers", "Loggers", [
        {"Id": "sys", "Component": "GreengrassSystem", "Level": "INFO", "Space": 128, "Type": "FileSystem"},
        {"Id": "fn", "Component": "Lambda", "Level": "DEBUG", "Type": "AWSCloudWatch"},
    ]))
    _write(export, "devices.json", _version("devices", "Devices", [
        {"Id": "door", "ThingArn": DEVICE, "CertificateArn": f"arn:aws:iot:{REGION}:{ACCOUNT}:cert/cd", "SyncShadow": False},
    ]))
    _write(export, "resources.json", _version("resources", "Resources", [
        {"Id": "model", "Name": "Model", "ResourceDataContainer": {"S3MachineLearningModelResourceData": {
            "S3Uri": "s3://models/door.tar.gz", "DestinationPath": "/models"}}},
        {"Id": "spare", "Name": "Spare", "ResourceDataContainer": {"LocalVolumeResourceData": {
            "SourcePath": "/srv/spare", "DestinationPath": "/spare"}}},
    ]))
    for name in ("counter", "legacy", "vision"):
        (export / "lambda-code" / name).mkdir(parents=True)
        (export / "lambda-code" / name / "main.py").write_text("def lambda_handler(event, context):\n    return event\n")

    result = gglift("migrate", export, "--out", tmp_path / "p", "--format", "json")
    assert result.returncode == 1, result.stderr  # migrated, with things that cannot move
    report = json.loads(result.stdout)
    items = [(i["code"], i["element"]) for i in report["items"]]
    assert items == [
        ("GGM400", "connector metrics"), ("GGM401", "connector twilio"),
        ("GGM100", "function counter"), ("GGM109", "function counter"), ("GGM503", "function counter"),
        ("GGM107", "function counter"), ("GGM113", "function counter"),
        ("GGM100", "function legacy"), ("GGM109", "function legacy"), ("GGM103", "function legacy"),
        ("GGM108", "function legacy"), ("GGM503", "function legacy"), ("GGM107", "function legacy"), ("GGM113", "function legacy"),
        ("GGM104", "function dashboard"), ("GGM112", "function GGIPDetector"),
        ("GGM100", "function vision"), ("GGM109", "function vision"), ("GGM503", "function vision"),
        ("GGM107", "function vision"), ("GGM113", "function vision"),
        ("GGM302", "resource model"),
        ("GGM204", "subscription s1"), ("GGM206", "subscription s2"), ("GGM207", "subscription s3"),
        ("GGM205", "subscription s4"), ("GGM204", "subscription s5"), ("GGM208", "subscription s6"),
        ("GGM304", "resource spare"), ("GGM500", "group"), ("GGM502", "group"),
    ]
    by = {(i["code"], i["element"]): i for i in report["items"]}
    assert by["GGM400", "connector metrics"]["detail"] == {
        "component": "aws.greengrass.Cloudwatch", "configuration": {"PublishInterval": "10", "PublishRegion": REGION}}
    assert by["GGM204", "subscription s1"]["detail"] == {"mqttTopicMapping": {"topic": "door/open", "source": "LocalMqtt", "target": "Pubsub"}}
    assert by["GGM204", "subscription s5"]["detail"] == {"mqttTopicMapping": {"topic": "door/ack", "source": "Pubsub", "target": "LocalMqtt"}}
    text = (tmp_path / "p" / "gglift.toml").read_text()
    assert text.split("\n[[function]]\n")[1] == """\
name = "counter"
handler = "main.lambda_handler"
runtime = "python3.8"
source = "functions/counter"
lambda_arn = "arn:aws:lambda:eu-west-1:210987654321:function:counter:3"
pinned = true
timeoutInSeconds = 30
inputPayloadEncodingType = "json"
execArgs = []
environmentVariables = {}
eventSources = [{ topic = "door/open", type = "PUB_SUB" }]
linuxProcessParams.isolationMode = "NoContainer"
linuxProcessParams.containerParams.memorySizeInKB = 65536
linuxProcessParams.containerParams.mountROSysfs = false
linuxProcessParams.containerParams.volumes = []
linuxProcessParams.containerParams.devices = []
"""
    assert text.endswith("""
[[subscription]]
source = "counter"
subject = "metrics/put"
target = "component:aws.greengrass.Cloudwatch"

[[subscription]]
source = "counter"
subject = "door/ack"
target = "component:aws.greengrass.clientdevices.mqtt.Bridge"
""")
    assert 'name = "dashboard"' not in text and "GGIPDetector" not in text
    assert '[local]\nregion = "eu-west-1"\naccount = "210987654321"\n' in text
    # the V2 components that replace the connector and V1's device support, configured
    policy = {f"Allow{op.capitalize()}": {"statementDescription": f"V1 devices could {op}", "operations": [f"mqtt:{op}"], "resources": ["*"]}
              for op in ("connect", "publish", "subscribe")}
    assert json.loads((tmp_path / "p" / "components.json").read_text()) == {
        "aws.greengrass.Cloudwatch": {"PublishInterval": "10", "PublishRegion": REGION},
        "aws.greengrass.clientdevices.mqtt.Bridge": {"mqttTopicMapping": {
            "V1Subscriptions1": {"topic": "door/open", "source": "LocalMqtt", "target": "Pubsub"},
            "V1Subscriptions5": {"topic": "door/ack", "source": "Pubsub", "target": "LocalMqtt"}}},
        "aws.greengrass.clientdevices.Auth": {"deviceGroups": {"formatVersion": "2021-03-05", "definitions": {
            "MigratedV1Devices": {"selectionRule": "thingName: door-sensor", "policyName": "MigratedV1DevicesPolicy"}},
            "policies": {"MigratedV1DevicesPolicy": policy}}},
    }
    check = gglift("package", "--check", tmp_path / "p")
    assert check.returncode == 0, check.stderr
