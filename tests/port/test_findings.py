"""Every finding with its exact code, severity, position, message and hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from gglift.port import analyze_source
from gglift.port.rules import RULES

IOT = 'import boto3\niot = boto3.client("iot-data")\n'
LAMBDA = 'import boto3\nlam = boto3.client("lambda")\n'
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:w"
RETAIN_HINT = "retained messages and MQTT5 properties need the MQTT bridge and IPC"
CLOUD = "stays a cloud call: it works only while the device is online"

CASES = {
    "qos1": (
        IOT + 'iot.publish(topic="t", payload="x", qos=1)\n',
        [("GGL100", "warning", 3, 37, "`qos=1` dropped: messages published on the core are QoS 0 only",
          "remove `qos`; if delivery must be guaranteed, confirm it at the application level")],
    ),
    "retain_and_mqtt5": (
        IOT + 'iot.publish(topic="t", payload="x", retain=True, userProperties=[("a", "b")])\n',
        [("GGL101", "error", 3, 37, "`retain` has no Greengrass equivalent and is ignored by the core",
          f"remove `retain`; {RETAIN_HINT}"),
         ("GGL101", "error", 3, 50, "`userProperties` has no Greengrass equivalent and is ignored by the core",
          f"remove `userProperties`; {RETAIN_HINT}")],
    ),
    "named_shadow": (
        IOT + 'iot.get_thing_shadow(thingName="pump", shadowName="config")\n',
        [("GGL110", "error", 3, 40,
          "`shadowName` is not supported by the Greengrass Core SDK; this call would use the classic shadow",
          "use the ShadowManager component over IPC for named shadows, or the classic shadow")],
    ),
    "read_removed": (
        IOT + 'resp = iot.get_thing_shadow(thingName="pump")\ndoc = resp["payload"].read()\n',
        [("GGL111", "info", 4, 23, "`.read()` removed: the shadow payload is bytes on the core, not a stream",
          "nothing to do; the result's `payload` is already the document bytes")],
    ),
    "client_error_handler": (
        'import boto3\nimport botocore\niot = boto3.client("iot-data")\ntry:\n'
        '    iot.get_thing_shadow(thingName="pump")\n'
        "except (KeyError, botocore.exceptions.ClientError):\n    pass\n",
        [("GGL112", "warning", 6, 19,
          "`botocore.exceptions.ClientError` is no longer raised by the ported call(s) in this `try`",
          "catch greengrasssdk.IoTDataPlane.ShadowError instead")],
    ),
    "bare_function_name": (
        LAMBDA + 'lam.invoke(FunctionName="worker", Payload=b"{}")\n',
        [("GGL120", "warning", 3, 12, '`FunctionName="worker"` is not a full function ARN',
          "use arn:aws:lambda:<region>:<account>:function:<name>[:<version>]")],
    ),
    "log_type": (
        LAMBDA + f'lam.invoke(FunctionName="{ARN}", LogType="Tail")\n',
        [("GGL121", "warning", 3, 77, "`LogType` dropped: the Greengrass Core SDK does not support it",
          "read the function's log on the device (/greengrass/v2/logs/<component>.log)")],
    ),
    "dry_run": (
        LAMBDA + f'lam.invoke(FunctionName="{ARN}", InvocationType="DryRun")\n',
        [("GGL121", "warning", 3, 77,
          "`InvocationType='DryRun'` dropped: the Greengrass Core SDK does not support it",
          "the call now really invokes the function: guard it if it was only a permission check")],
    ),
    "client_context_decoded": (
        "import base64\n" + LAMBDA
        + f'lam.invoke(FunctionName="{ARN}", ClientContext=base64.b64encode(b"{{}}").decode("utf-8"))\n',
        [("GGL122", "info", 4, 115,
          "`.decode()` removed: the Greengrass Core SDK takes `ClientContext` as base64 bytes",
          "nothing to do; `base64.b64encode(...)` already gives the bytes the SDK expects")],
    ),
    "client_context_unknown": (
        LAMBDA + f'lam.invoke(FunctionName="{ARN}", ClientContext=make_context())\n',
        [("GGL123", "warning", 3, 77,
          "`ClientContext=make_context()` must be base64 bytes on the core; a str raises ValueError",
          "pass bytes, e.g. base64.b64encode(json.dumps(context).encode())")],
    ),
    "invoke_status_code": (
        LAMBDA + f'resp = lam.invoke(FunctionName="{ARN}")\nok = resp["StatusCode"] == 200\n',
        [("GGL124", "warning", 4, 11,
          "the result of an edge `invoke` has no `StatusCode`: this read raises KeyError (or gives the default)",
          "check `FunctionError` instead: empty on success, 'Handled' or 'Unhandled' on failure")],
    ),
    "invoke_log_result_get": (
        LAMBDA + f'log = lam.invoke(FunctionName="{ARN}").get("LogResult")\n',
        [("GGL124", "warning", 3, 87,
          "the result of an edge `invoke` has no `LogResult`: this read raises KeyError (or gives the default)",
          "read the function's log on the device (/greengrass/v2/logs/<component>.log)")],
    ),
    "dry_run_constant": (
        LAMBDA + f'MODE = "DryRun"\nlam.invoke(FunctionName="{ARN}", InvocationType=MODE)\n',
        [("GGL125", "error", 4, 77, "`InvocationType=MODE` is 'DryRun', which the core does not support",
          "remove it; a DryRun only checked permissions in the cloud, and on the core the call would run")],
    ),
    # `base64` is not imported: the value is not provably a base64 str, so nothing is rewritten
    "client_context_unknown_module": (
        LAMBDA + f'lam.invoke(FunctionName="{ARN}", ClientContext=base64.b64encode(b"x").decode())\n',
        [("GGL123", "warning", 3, 77,
          '`ClientContext=base64.b64encode(b"x").decode()` must be base64 bytes on the core; a str raises ValueError',
          "pass bytes, e.g. base64.b64encode(json.dumps(context).encode())")],
    ),
    "dry_run_on_sdk_client": (
        'import greengrasssdk\nlam = greengrasssdk.client("lambda")\n'
        f'lam.invoke(FunctionName="{ARN}", InvocationType="DryRun")\n',
        [("GGL125", "error", 3, 77, "`InvocationType=\"DryRun\"` is 'DryRun', which the core does not support",
          "remove it; a DryRun only checked permissions in the cloud, and on the core the call would run")],
    ),
    "xray_patch_all": (
        "import aws_xray_sdk.core\n" + IOT + "aws_xray_sdk.core.patch_all()\n",
        [("GGL160", "warning", 4, 1,
          "`aws_xray_sdk.core.patch_all()` patches botocore for X-Ray: no X-Ray daemon runs on the core, "
          "so these traces are lost",
          "remove it for the device, or run an X-Ray daemon there and point AWS_XRAY_DAEMON_ADDRESS at it")],
    ),
    "xray_patch_boto3": (
        "from aws_xray_sdk.core import patch as xpatch\n" + IOT + 'xpatch(("requests", "botocore"))\nxpatch(["requests"])\n',
        [("GGL160", "warning", 4, 1,
          '`xpatch(("requests", "botocore"))` patches botocore for X-Ray: no X-Ray daemon runs on the core, '
          "so these traces are lost",
          "remove it for the device, or run an X-Ray daemon there and point AWS_XRAY_DAEMON_ADDRESS at it")],
    ),
    "powertools_decorators": (
        "from aws_lambda_powertools import Logger, Metrics\nfrom aws_lambda_powertools.tracing import Tracer\n"
        + IOT + 'tracer, logger = Tracer(), Logger()\nmetrics = Metrics(namespace="n")\nlog = Logger()\n\n\n'
        "@metrics.log_metrics(capture_cold_start_metric=True)\n@log.inject_lambda_context\n"
        "@tracer.capture_method\ndef handler(event, context):\n    pass\n",
        [("GGL161", "warning", 10, 2,
          "`@metrics.log_metrics` sends CloudWatch embedded-metric (EMF) log lines, which nothing collects on the core",
          "publish the figures another way (e.g. a local topic or stream manager), or drop the decorator"),
         ("GGL162", "info", 11, 2,
          "`@log.inject_lambda_context` keeps working on the core; its JSON lines go to the component's log file, "
          "not CloudWatch Logs",
          "nothing to do; read /greengrass/v2/logs/<component>.log, or deploy aws.greengrass.LogManager to upload it")],
    ),
    "powertools_tracer": (
        "import aws_lambda_powertools as pt\n" + IOT + "tracer = pt.Tracer()\n\n\n"
        "@tracer.capture_lambda_handler\ndef handler(event, context):\n    pass\n",
        [("GGL161", "warning", 7, 2,
          "`@tracer.capture_lambda_handler` sends X-Ray trace segments, which nothing collects on the core",
          "remove it, or set POWERTOOLS_TRACE_DISABLED=true in the component's environment")],
    ),
    # look-alikes that do not provably come from aws_xray_sdk / aws_lambda_powertools
    "telemetry_look_alikes": (
        "from mytracing import Tracer, patch_all\n" + IOT
        + "tracer = Tracer()\npatch_all()\n\n\n@tracer.capture_lambda_handler\ndef handler(event, context):\n    pass\n",
        [],
    ),
    "version_id": (
        'import boto3\nsm = boto3.client("secretsmanager")\nsm.get_secret_value(SecretId="db", VersionId="v-1")\n',
        [("GGL130", "error", 3, 36,
          "`VersionId` is not supported by the Greengrass Core SDK (it raises SecretsManagerError)",
          "use `VersionStage` (default AWSCURRENT) and deploy that version as a local secret")],
    ),
    "kinesis": (
        'import boto3\nkinesis = boto3.client("kinesis")\nkinesis.put_record(StreamName="s", Data=b"x", PartitionKey="k")\n',
        [("GGL140", "warning", 3, 1, f"`kinesis.put_record` {CLOUD}",
          'use stream manager: StreamManagerClient().append_message("stream", data) on a stream created with '
          'MessageStreamDefinition(name="stream", strategy_on_full=StrategyOnFull.OverwriteOldestData, '
          'export_definition=ExportDefinition(kinesis=[KinesisConfig(identifier="to-kinesis", '
          'kinesis_stream_name="<StreamName>")]))')],
    ),
    "dynamodb": (
        'import boto3\ndb = boto3.client("dynamodb")\ndb.put_item(TableName="t", Item={})\n',
        [("GGL140", "warning", 3, 1, f"`dynamodb.put_item` {CLOUD}",
          "keep it if the device is online; give the component's role the permission")],
    ),
    "no_edge_operation": (
        'import greengrasssdk\niot = greengrasssdk.client("iot-data")\n'
        'iot.list_named_shadows_for_thing(thingName="pump")\n',
        [("GGL150", "error", 3, 1,
          "`iot-data.list_named_shadows_for_thing` has no Greengrass Core SDK equivalent; "
          "the ported client will not have it",
          "keep a boto3 client for it (cloud only) or remove the call")],
    ),
    "client_exceptions_on_ported_client": (
        'import boto3\nsm = boto3.client("secretsmanager")\ntry:\n    sm.get_secret_value(SecretId="db")\nexcept sm.exceptions.ResourceNotFoundException:\n    pass\n',
        [('GGL113', 'error', 5, 8, '`sm.exceptions` raises AttributeError on the core: a greengrasssdk client has no `exceptions`', 'catch greengrasssdk.SecretsManager.SecretsManagerError instead')],
    ),
    "client_stored_in_a_dict": (
        'import boto3\nclients = {"iot": boto3.client("iot-data")}\n',
        [('GGL141', 'warning', 2, 19, 'the `iot-data` client stays on boto3: its use `"iot": boto3.client("iot-data")` cannot be followed', 'use the client only through names, `self` attributes and functions of this module, or port it by hand')],
    ),
    "client_with_control_plane_calls": (
        'import boto3\nsm = boto3.client("secretsmanager")\nsm.describe_secret(SecretId="db")\n',
        [('GGL142', 'warning', 2, 6, 'the `secretsmanager` client stays on boto3: `describe_secret` has no Greengrass Core SDK equivalent', "keep it for the cloud calls, and create a second client with greengrasssdk.client('secretsmanager') for the edge calls"),
         ('GGL140', 'warning', 3, 1, '`secretsmanager.describe_secret` stays a cloud call: it works only while the device is online', "keep it if the device is online; give the component's role the permission")],
    ),
    "explicit_credentials": (
        'import boto3\niot = boto3.client("iot-data", aws_session_token=TOKEN)\n',
        [('GGL143', 'warning', 2, 32, "`aws_session_token` is dropped: the ported client acts with the core's identity, not these credentials", 'if the call was cross-account (sts.assume_role), keep a boto3 client for it or route the data through the other account')],
    ),
    "endpoint_lookup_left_running": (
        'import boto3\nep = boto3.client("iot").describe_endpoint()["endpointAddress"]\niot = boto3.client("iot-data", endpoint_url=ep)\n',
        [('GGL140', 'warning', 2, 6, '`iot.describe_endpoint` stays a cloud call: it works only while the device is online', "keep it if the device is online; give the component's role the permission"),
         ('GGL144', 'warning', 2, 6, '`ep` was only used by what the port removed, but `boto3.client("iot").describe_endpoint()["endpointAddress"]` still runs here and needs the cloud', 'remove this line')],
    ),
    "client_from_a_parameter_no_caller_shows": (
        'def publish_status(session, status):\n    session.client("iot-data").publish(topic="s", payload=status)\n',
        [('GGL145', 'warning', 2, 5, 'the `iot-data` client `session.client("iot-data")` creates stays on boto3: `session` is a parameter of `publish_status`, whose callers cannot all be seen', 'create the session in this module, or pass the client itself (followed into functions of this module), or port the call by hand')],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_finding_fields(name: str) -> None:
    source, expected = CASES[name]
    result = analyze_source(source.encode(), Path("app.py"))
    assert [tuple(f.__dict__.values()) for f in result.findings] == expected


def test_every_rule_but_the_file_error_is_exercised() -> None:
    seen = {code for _, expected in CASES.values() for code, *_ in expected}
    assert seen == set(RULES) - {"GGL900", "GGL190"}  # GGL190 depends on the file's project: tests/port/test_target.py


@pytest.mark.parametrize("stream_service", ["firehose", "iotanalytics", "iotsitewise", "s3"])
def test_stream_manager_hint_names_the_export(stream_service: str) -> None:
    source = f'import boto3\nc = boto3.client("{stream_service}")\nc.put(Data=b"x")\n'
    (finding,) = analyze_source(source.encode(), Path("app.py")).findings
    assert finding.code == "GGL140"
    assert "StreamManagerClient().append_message" in finding.hint
    assert {"firehose": "KinesisConfig", "iotanalytics": "IoTAnalyticsConfig",
            "iotsitewise": "IoTSiteWiseConfig", "s3": "S3ExportTaskExecutorConfig"}[stream_service] in finding.hint  # fmt: skip


def test_qos_zero_and_retain_false_are_dropped_silently() -> None:
    source = IOT + 'iot.publish(topic="t", payload="x", qos=0, retain=False)\n'
    result = analyze_source(source.encode(), Path("app.py"))
    assert result.findings == []
    assert result.new_source.decode().endswith('iot.publish(topic="t", payload="x")\n')


def test_unportable_arguments_stay_until_fixed_by_hand() -> None:
    source = IOT + 'iot.get_thing_shadow(thingName="pump", shadowName="config")\n'
    first = analyze_source(source.encode(), Path("app.py"))
    assert "shadowName" in first.new_source.decode()
    second = analyze_source(first.new_source, Path("app.py"))
    assert not second.changed
    assert [f.code for f in second.findings] == ["GGL110"]


HANDLER_CASES = {
    # ClientError around a call that stays on boto3 keeps working: nothing to report
    "around_a_cloud_call": (
        "import boto3\nfrom botocore.exceptions import ClientError\n"
        'iot = boto3.client("iot-data")\nsns = boto3.client("sns")\n'
        'iot.publish(topic="t", payload="x")\n'
        'try:\n    sns.publish(Message="m")\nexcept ClientError:\n    pass\n',
        [("GGL140", 7, 5, "keep it if the device is online; give the component's role the permission")],
    ),
    "client_exceptions_attribute": (
        'import boto3\nsm = boto3.client("secretsmanager")\n'
        'try:\n    sm.get_secret_value(SecretId="db")\n'
        "except sm.exceptions.ResourceNotFoundException:\n    pass\n",
        [("GGL113", 5, 8, "catch greengrasssdk.SecretsManager.SecretsManagerError instead")],
    ),
}


@pytest.mark.parametrize("name", sorted(HANDLER_CASES))
def test_exception_handlers(name: str) -> None:
    source, expected = HANDLER_CASES[name]
    findings = analyze_source(source.encode(), Path("app.py")).findings
    assert [(f.code, f.line, f.col, f.hint) for f in findings] == expected


@pytest.mark.parametrize("service", ["kinesis", "iotanalytics", "iotsitewise", "s3"])
def test_the_stream_manager_hint_is_code_the_sdk_accepts(service: str) -> None:
    import greengrasssdk.stream_manager as sm

    source = f'import boto3\nc = boto3.client("{service}")\nc.put(Data=b"x")\n'
    (finding,) = analyze_source(source.encode(), Path("app.py")).findings
    definition = finding.hint.split(" created with ", 1)[1].split(" (data: ")[0]
    built = eval(definition.replace("<", "").replace(">", ""), vars(sm))  # noqa: S307 (our own hint text)
    assert sm.utilinternal.UtilInternal.is_invalid(built) is False
