"""The rule registry: every code ``gglift port`` can report, in one place.

``docs/codes.md`` is rendered from this registry (see :func:`render_codes_markdown`) and
``gglift port --explain CODE`` prints from it, so the two cannot drift apart; a test checks
that the committed docs match.
"""

from __future__ import annotations

from dataclasses import dataclass

from gglift.port.model import Finding


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # "error" | "warning" | "info"
    title: str
    message: str  # str.format template over the finding's fields
    hint: str  # one-line fix hint, also a template
    explanation: str  # several paragraphs for --explain and the docs


STREAM_MANAGER_HINT = (
    'use stream manager: StreamManagerClient().append_message("stream", data) on a stream '
    "created with {config}"
)

# The stream manager definition that replaces each cloud ingestion service on the edge, as
# code to paste (--explain GGL140 shows the whole rewrite).
_DEFINITION = ('MessageStreamDefinition(name="stream", strategy_on_full=StrategyOnFull.OverwriteOldestData, '
               "export_definition=ExportDefinition({}))")
STREAM_EXPORTS = {
    "kinesis": _DEFINITION.format('kinesis=[KinesisConfig(identifier="to-kinesis", kinesis_stream_name="<StreamName>")]'),
    "firehose": _DEFINITION.format(
        'kinesis=[KinesisConfig(identifier="to-kinesis", kinesis_stream_name="<the delivery stream\'s source>")]'),
    "iotanalytics": _DEFINITION.format('iot_analytics=[IoTAnalyticsConfig(identifier="to-channel", iot_channel="<channelName>")]'),
    "iotsitewise": _DEFINITION.format('iot_sitewise=[IoTSiteWiseConfig(identifier="to-sitewise")]')
    + " (data: Util.validate_and_serialize_to_json_bytes(PutAssetPropertyValueEntry(...)))",
    "s3": _DEFINITION.format('s3_task_executor=[S3ExportTaskExecutorConfig(identifier="to-s3")]')
    + ' (data: Util.validate_and_serialize_to_json_bytes(S3ExportTaskDefinition(input_url="file:///path", bucket=..., key=...)))',
}

_RULES = [
    Rule(
        "GGL100",
        "warning",
        "publish with QoS 1 becomes QoS 0",
        "`qos={qos}` dropped: messages published on the core are QoS 0 only",
        "remove `qos`; if delivery must be guaranteed, confirm it at the application level",
        """\
The Greengrass Core SDK's `publish(topic=, payload=, queueFullPolicy=)` has no QoS: local
messages are delivered at most once and held in memory. A boto3 `publish(..., qos=1)` is
ported by dropping the argument, which silently weakens the delivery guarantee, so it is
reported. `qos=0` is dropped without a finding.""",
    ),
    Rule(
        "GGL101",
        "error",
        "retain flag or MQTT5 property on publish",
        "`{arg}` has no Greengrass equivalent and is ignored by the core",
        "remove `{arg}`; retained messages and MQTT5 properties need the MQTT bridge and IPC",
        """\
`retain`, `userProperties`, `payloadFormatIndicator`, `contentType`, `responseTopic`,
`correlationData` and `messageExpiry` do not exist in the Greengrass Core SDK. The argument is
left in place (the SDK ignores it) so the finding stays until the code is changed by hand.
`retain=False` is dropped without a finding.""",
    ),
    Rule(
        "GGL110",
        "error",
        "named shadow",
        "`shadowName` is not supported by the Greengrass Core SDK; this call would use the classic shadow",
        "use the ShadowManager component over IPC for named shadows, or the classic shadow",
        """\
The SDK's `get_thing_shadow`, `update_thing_shadow` and `delete_thing_shadow` only address a
thing's classic (unnamed) shadow. Named shadows need the `aws.greengrass.ShadowManager`
component and the IPC client of Greengrass V2. The argument is left in place so the finding
stays until the call is changed by hand.""",
    ),
    Rule(
        "GGL111",
        "info",
        "`.read()` removed from a shadow payload",
        "`.read()` removed: the shadow payload is bytes on the core, not a stream",
        "nothing to do; the result's `payload` is already the document bytes",
        """\
boto3 returns a shadow document as a `StreamingBody`; the Greengrass Core SDK returns the raw
bytes. `resp['payload'].read()` would raise `AttributeError`, so the port turns it into
`resp['payload']`, also when the result or the payload went through a variable.""",
    ),
    Rule(
        "GGL112",
        "warning",
        "`ClientError` handler around a ported call",
        "`{name}` is no longer raised by the ported call(s) in this `try`",
        "catch {replacement} instead",
        """\
After the port, shadow calls raise `greengrasssdk.IoTDataPlane.ShadowError`, secrets calls
`greengrasssdk.SecretsManager.SecretsManagerError` and invocations
`greengrasssdk.Lambda.InvocationException`; `botocore.exceptions.ClientError` and the client's
`exceptions.*` classes are never raised, so a handler for them stops catching anything. The
handler is left as it is: choose the new exception by hand. Every class from
`botocore.exceptions` is covered: `BotoCoreError`, `NoCredentialsError`,
`EndpointConnectionError` and the others are raised by botocore only.""",
    ),
    Rule(
        "GGL113",
        "error",
        "`client.exceptions` on a ported client",
        "`{name}` raises AttributeError on the core: a greengrasssdk client has no `exceptions`",
        "catch {replacement} instead",
        """\
boto3 clients carry their service's modelled errors as `client.exceptions.<Name>`; a
Greengrass Core SDK client has no `exceptions` attribute. Python evaluates an `except`
clause's expression only when an exception reaches it, so `except client.exceptions.X:`
turns the first error of the `try` into an `AttributeError` raised from the handler. Every
other use of `client.exceptions` fails the same way. The expression is left as it is.""",
    ),
    Rule(
        "GGL120",
        "warning",
        "invoke by a name that is not a full function ARN",
        "`FunctionName={value}` is not a full function ARN",
        "use arn:aws:lambda:<region>:<account>:function:<name>[:<version>]",
        """\
The Greengrass Core SDK resolves `FunctionName` only as a full, qualified function ARN
(`arn:aws:lambda:<region>:<12 digits>:function:<name>[:<qualifier>]`); a bare function name
or a partial ARN does not match on the device. Aliases do not work as `Qualifier` either.
An f-string or concatenation that starts with `arn:` is accepted.""",
    ),
    Rule(
        "GGL121",
        "warning",
        "`LogType` or `DryRun` dropped from invoke",
        "`{arg}` dropped: the Greengrass Core SDK does not support it",
        "{hint}",
        """\
The SDK's `invoke` takes `FunctionName`, `InvocationType` (`RequestResponse` or `Event`),
`ClientContext` (base64 bytes), `Payload` and `Qualifier`. `LogType` has no equivalent (no
log tail is returned) and `InvocationType='DryRun'` is not accepted; both are dropped. Note
that without `DryRun` the call really invokes the function.""",
    ),
    Rule(
        "GGL122",
        "info",
        "`.decode()` removed from a base64 `ClientContext`",
        "`.decode()` removed: the Greengrass Core SDK takes `ClientContext` as base64 bytes",
        "nothing to do; `base64.b64encode(...)` already gives the bytes the SDK expects",
        """\
boto3 takes `ClientContext` as a base64 *str*, so cloud code writes
`base64.b64encode(data).decode()`. The Greengrass Core SDK calls `.decode()` on the value
itself and raises `ValueError` for a str, so the port drops the final `.decode()` (or
`.decode("utf-8")`/`.decode("ascii")`) and passes the bytes.""",
    ),
    Rule(
        "GGL123",
        "warning",
        "`ClientContext` that may not be bytes",
        "`ClientContext={value}` must be base64 bytes on the core; a str raises ValueError",
        "pass bytes, e.g. base64.b64encode(json.dumps(context).encode())",
        """\
The Greengrass Core SDK calls `.decode()` on `ClientContext` and checks that the result is
base64; a str (what boto3 expects) has no `.decode()` and the call raises `ValueError`.
gglift converts the usual `base64.b64encode(...).decode()` by itself (GGL122) and accepts a
bytes literal or a bare `base64.b64encode(...)`; any other expression is reported because
its type cannot be proven. The argument is left as it is.""",
    ),
    Rule(
        "GGL124",
        "warning",
        "invoke result field that the core does not return",
        "the result of an edge `invoke` has no `{key}`: this read raises KeyError (or gives the default)",
        "{hint}",
        """\
The Greengrass Core SDK's `invoke` returns `{'Payload': ..., 'FunctionError': ...}` only:
there is no `StatusCode`, `ExecutedVersion` or `LogResult`. Reading them from the result of
a ported `invoke`, directly or through a variable, raises `KeyError` (`.get()` quietly
returns the default). Check `FunctionError` (empty on success, `Handled` or `Unhandled` on
failure) instead of the status code.""",
    ),
    Rule(
        "GGL125",
        "error",
        "`InvocationType` 'DryRun' left in place",
        "`InvocationType={value}` is 'DryRun', which the core does not support",
        "remove it; a DryRun only checked permissions in the cloud, and on the core the call would run",
        """\
`InvocationType='DryRun'` as a literal on a boto3 call is dropped with GGL121. When the value
comes from a constant or a parameter, or the call is already on a Greengrass Core SDK
client, it is left in place: the SDK does not check it and sends any type other than
`Event` as a synchronous invocation, so the function really runs. Decide by hand.""",
    ),
    Rule(
        "GGL130",
        "error",
        "`VersionId` in get_secret_value",
        "`VersionId` is not supported by the Greengrass Core SDK (it raises SecretsManagerError)",
        "use `VersionStage` (default AWSCURRENT) and deploy that version as a local secret",
        """\
The SDK's `get_secret_value` reads secrets deployed to the device by the
`aws.greengrass.SecretManager` component and accepts `SecretId` and `VersionStage` only; a
`VersionId` raises `SecretsManagerError`. The argument is left in place so the finding stays
until the call is changed by hand.""",
    ),
    Rule(
        "GGL140",
        "warning",
        "cloud-only service call",
        "`{service}.{method}` stays a cloud call: it works only while the device is online",
        "{hint}",
        """\
Services other than IoT data, Lambda and Secrets Manager have no Greengrass Core SDK
equivalent; the boto3 call is kept and needs network access and credentials from the
`aws.greengrass.TokenExchangeService` component. For Kinesis, Firehose, IoT Analytics,
IoT SiteWise and S3 the hint names the stream manager export that buffers data on the device
and exports it when the connection is back. `gglift run` serves stream manager locally (exports
are reported; `gglift run --export` sends them), and `gglift package` adds the
`aws.greengrass.StreamManager` component. The rewrite of a Kinesis `put_record`:

    from greengrasssdk.stream_manager import (
        ExportDefinition, KinesisConfig, MessageStreamDefinition, StrategyOnFull, StreamManagerClient,
    )

    client = StreamManagerClient()
    client.create_message_stream(MessageStreamDefinition(  # once, at start-up
        name="readings", strategy_on_full=StrategyOnFull.OverwriteOldestData,
        export_definition=ExportDefinition(kinesis=[
            KinesisConfig(identifier="to-kinesis", kinesis_stream_name="my-kinesis-stream")])))

    # was: kinesis.put_record(StreamName="my-kinesis-stream", Data=data, PartitionKey=key)
    client.append_message("readings", data)

IoT SiteWise takes `IoTSiteWiseConfig(identifier=...)` and messages that are
`Util.validate_and_serialize_to_json_bytes(PutAssetPropertyValueEntry(...))`; S3 takes
`S3ExportTaskExecutorConfig(identifier=...)` and messages that are serialized
`S3ExportTaskDefinition(input_url="file:///...", bucket=..., key=...)`; IoT Analytics (which
AWS no longer serves) takes `IoTAnalyticsConfig(identifier=..., iot_channel=...)`.""",
    ),
    Rule(
        "GGL141",
        "warning",
        "client kept on boto3: a use of it cannot be followed",
        "the `{service}` client stays on boto3: its use `{use}` cannot be followed",
        "use the client only through names, `self` attributes and functions of this module, or port it by hand",
        """\
A client is ported only when every use of it is known: the creation becomes a
`greengrasssdk` client, and each call must lose its cloud-only arguments and `.read()`. When
the client is stored in a dict or list, set on another object, passed to a function that is
not defined in the module (a callback, a dispatch table) or its method is taken without
calling it, or a call passes `*args`/`**kwargs`, gglift cannot see what happens to it. Then
the creation is left on boto3, unchanged, and this finding names the first such use: the
code keeps working online, and nothing is half ported.""",
    ),
    Rule(
        "GGL142",
        "warning",
        "client kept on boto3: it makes cloud control-plane calls",
        "the `{service}` client stays on boto3: `{method}` has no Greengrass Core SDK equivalent",
        "keep it for the cloud calls, and create a second client with greengrasssdk.client('{service}') for the edge calls",
        """\
The Greengrass Core SDK's clients offer the data-plane calls only: IoT data `publish` and the
classic shadow calls, Lambda `invoke`, Secrets Manager `get_secret_value`. A client that
also makes other calls (`describe_secret`, `put_secret_value`,
`update_function_configuration`, ...) is left on boto3 as a whole, since porting it would
turn those working cloud calls into `AttributeError`s. Each such call is reported with
GGL140.""",
    ),
    Rule(
        "GGL143",
        "warning",
        "explicit credentials dropped",
        "`{arg}` is dropped: the ported client acts with the core's identity, not these credentials",
        "if the call was cross-account (sts.assume_role), keep a boto3 client for it or route the data through the other account",
        """\
A boto3 client or session created with `aws_access_key_id`, `aws_secret_access_key`,
`aws_session_token`, `profile_name` or a `botocore_session` (often the credentials of an
`sts.assume_role` for a cross-account call) acts as that identity. A Greengrass Core SDK
client talks to the local core, which authorises the function by its own configuration: the
credentials are dropped with the rest of the creation's arguments, which changes who makes
the call.""",
    ),
    Rule(
        "GGL144",
        "warning",
        "cloud call left only for what the port removed",
        "`{name}` was only used by what the port removed, but `{call}` still runs here and needs the cloud",
        "remove this line",
        """\
After the port, a name that fed only the removed creation arguments (typically an endpoint
from `boto3.client('iot').describe_endpoint(...)` passed as `endpoint_url=`) is no longer
used. Creating a boto3 session or client has no other effect and such a line is removed with
the port; a line that makes a call is left in place, because it may have an effect, but it
still runs (at import, for module level code) and fails without a connection.""",
    ),
    Rule(
        "GGL145",
        "warning",
        "client created from a value the port cannot see",
        "the `{service}` client `{call}` creates stays on boto3: `{name}` is a parameter of `{function}`, whose callers cannot all be seen",
        "create the session in this module, or pass the client itself (followed into functions of this module), or port the call by hand",
        """\
A client created from a parameter (`def publish_status(session, ...):` then
`session.client('iot-data')`) is ported when every call of that function passes a boto3
session: all its calls in this module, or, for a function only other modules of the source
tree call (`from helpers import publish_status`), all their calls, each passing a session
made with no credentials of its own. Otherwise (the function is passed around, called through
`import helpers`, given something else, or a session with explicit credentials that the
ported client would drop) what the parameter holds is not known, so the creation and its
calls stay on boto3 and need the cloud. This warning says so instead of leaving the call
unmentioned.""",
    ),
    Rule(
        "GGL150",
        "error",
        "operation with no edge equivalent",
        "`{service}.{method}` has no Greengrass Core SDK equivalent; the ported client will not have it",
        "{hint}",
        """\
The Greengrass Core SDK's IoT data client has `publish`, `get_thing_shadow`,
`update_thing_shadow` and `delete_thing_shadow` only (Lambda: `invoke`; Secrets Manager:
`get_secret_value`). Operations such as `list_named_shadows_for_thing`,
`get_retained_message`, `list_retained_messages` or `delete_connection`, and helpers like
`get_paginator`, raise `AttributeError` on the ported client. The call is left as it is.""",
    ),
    Rule(
        "GGL160",
        "warning",
        "X-Ray patches botocore",
        "`{call}` patches botocore for X-Ray: no X-Ray daemon runs on the core, so these traces are lost",
        "remove it for the device, or run an X-Ray daemon there and point AWS_XRAY_DAEMON_ADDRESS at it",
        """\
`aws_xray_sdk.core.patch_all()` and `patch(["boto3", ...])` wrap every botocore call in an
X-Ray subsegment. In the cloud the Lambda service provides the trace segment and the daemon;
on a Greengrass core neither exists: the segments are sent over UDP to a daemon that is not
there, and a patched call outside any segment hits the SDK's "context missing" handling (an
error logged or raised, depending on `AWS_XRAY_CONTEXT_MISSING`). Ported calls no longer go
through botocore, but the calls that stay on boto3 do. Reported only when `patch_all`/`patch`
provably come from `aws_xray_sdk.core`.""",
    ),
    Rule(
        "GGL161",
        "warning",
        "Powertools Tracer or Metrics decorator on a handler",
        "`@{decorator}` sends {what}, which nothing collects on the core",
        "{hint}",
        """\
AWS Lambda Powertools' `Tracer` records X-Ray segments (and by default patches boto3 and
botocore when it is created); `@tracer.capture_lambda_handler` wraps the handler in one.
`Metrics` writes CloudWatch embedded metric format (EMF) lines that only the cloud's log
pipeline turns into metrics; `@metrics.log_metrics` flushes them after each invocation. On a
Greengrass core there is no X-Ray daemon and no CloudWatch Logs ingestion, so both are lost
(the handler itself keeps working). Reported only when the object provably is a `Tracer` or
`Metrics` from `aws_lambda_powertools`.""",
    ),
    Rule(
        "GGL162",
        "info",
        "Powertools Logger decorator on a handler",
        "`@{decorator}` keeps working on the core; its JSON lines go to the component's log file, not CloudWatch Logs",
        "nothing to do; read /greengrass/v2/logs/<component>.log, or deploy aws.greengrass.LogManager to upload it",
        """\
AWS Lambda Powertools' `Logger` writes structured JSON to stderr, which Greengrass captures
into the component's log file on the device. `@logger.inject_lambda_context` adds the
invocation's context fields to each line. Nothing is lost, but the lines reach CloudWatch
Logs only when the `aws.greengrass.LogManager` component uploads them.""",
    ),
    Rule(
        "GGL900",
        "error",
        "file cannot be read, decoded or parsed",
        "cannot port this file: {reason}",
        "fix what the message names (permissions, Python 3 syntax, encoding or PEP 263 coding line) and run again",
        """\
The file could not be read (permissions, a symlink loop), decoded (not UTF-8 and no PEP 263
coding line, or bytes invalid for the declared encoding) or parsed as Python 3 (a syntax
error, or Python 2 code), or a ported file could not be written. The file is left
byte-identical and every other file is still processed.""",
    ),
    Rule(
        "GGL190",
        "warning",
        "not runnable in a Greengrass V2 Lambda component",
        "{what}, which a Lambda component on Greengrass V2 cannot run",
        'set target = "component" in gglift.toml: gglift\'s host runs it on the nucleus and on nucleus lite',
        """With `target = "lambda"` a function becomes a Lambda component, run by the Java nucleus's
Lambda launcher. AWS's migration guide lists what that launcher does not do: it does not
serve the V1 local shadow service (`get_thing_shadow`, `update_thing_shadow` and
`delete_thing_shadow` of the Greengrass Core SDK fail on the device), and C and C++ Lambda
executables cannot run on V2 at all; nucleus lite runs no Lambda components. With `target =
"component"` gglift packages the project as one generic component running its host, which
serves those calls through ShadowManager (the nucleus) or its own shadow store (nucleus
lite) and runs C executables with gglift's Core SDK for C. Reported by `gglift package`, and
by `gglift port` at the shadow calls of a file whose project (the nearest `gglift.toml` up
from the file) has `target = "lambda"`; `gglift run` and `gglift invoke` behave as that device
would: a shadow call answers error code 501 with this explanation, and a project with a C
executable does not start (exit code 2).""",
    ),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}


def make_finding(code: str, line: int, col: int, **fields: object) -> Finding:
    """Build a Finding from the registry's templates.

    >>> make_finding("GGL100", 3, 5, qos="1").message
    '`qos=1` dropped: messages published on the core are QoS 0 only'
    """
    rule = RULES[code]
    return Finding(
        code=code,
        severity=rule.severity,
        line=line,
        col=col,
        message=rule.message.format(**fields),
        hint=rule.hint.format(**fields),
    )


def explain(code: str) -> str:
    """The --explain text for ``code`` (case-insensitive); KeyError if unknown."""
    rule = RULES[code.upper()]
    return f"{rule.code} ({rule.severity}): {rule.title}\n\n{rule.explanation}\n"


def render_codes_markdown() -> str:
    """docs/codes.md, generated from the registry."""
    out = [
        "# `gglift port` rule codes",
        "",
        "Generated from the rule registry in `gglift/port/rules.py`; `gglift port --explain CODE`",
        "prints the same text. Regenerate with:",
        "",
        "```sh",
        "python -c 'from gglift.port.rules import render_codes_markdown as r; print(r(), end=\"\")' > docs/codes.md",
        "```",
        "",
        "| code | severity | what |",
        "|---|---|---|",
    ]
    out += [f"| [{r.code}](#{r.code.lower()}) | {r.severity} | {r.title} |" for r in _RULES]
    for rule in _RULES:
        out += ["", f"## {rule.code}", "", f"**{rule.severity}**: {rule.title}", "", rule.explanation]
    return "\n".join(out) + "\n"



def shadow_call(caller: str, thing: str) -> str:
    """GGL190's ``what`` for a V1 shadow call by ``caller`` ("function NAME", "this code")."""
    return f"{caller} calls the V1 local shadow service (thing {thing})"


def executable_function(function: str) -> str:
    """GGL190's ``what`` for a C executable."""
    return f"function {function} is a C executable"


def lambda_target_text(what: str) -> str:
    """GGL190's message and hint for ``what``, as ``gglift package`` and ``gglift run`` print them."""
    finding = make_finding("GGL190", 0, 0, what=what)
    return f"{finding.message}; hint: {finding.hint}"
