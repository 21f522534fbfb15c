"""Every code ``gglift migrate`` reports, in one place.

``gglift migrate --explain CODE`` prints from this registry and the codes section of
docs/migrate.md is rendered from it (:func:`render_codes_markdown`); a test keeps them equal.
Codes are stable: GGM1xx functions, GGM2xx subscriptions, GGM3xx resources, GGM4xx
connectors, GGM5xx other group elements, GGM9xx the input itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # "error": cannot move as it was; "warning": changed meaning; "info": moved
    title: str
    explanation: str


_CODES = [
    Code("GGM100", "info", "function migrated", """\
The function's V1 `FunctionConfiguration` became a `[[function]]` table: `Pinned` -> `pinned`,
`Timeout` -> `timeoutInSeconds`, `MemorySize` (KB) -> `containerParams.memorySizeInKB`,
`EncodingType` -> `inputPayloadEncodingType`, `ExecArgs` (one string) -> `execArgs` (split like
a shell), `Environment.Variables` -> `environmentVariables`, `Environment.AccessSysfs` ->
`containerParams.mountROSysfs`, `Execution.IsolationMode` -> `isolationMode`, resource access
policies -> `volumes` and `devices`. Keys V1 left out get V1's defaults written explicitly
(V1 functions were on-demand unless pinned), so the project does not silently take V2's."""),
    Code("GGM101", "warning", "C/C++ Lambda executable", """\
Greengrass V2 cannot import C or C++ Lambda executables as Lambda components. The function is
migrated with `runtime = "executable"` and runs with the project's `target = "component"`
(gglift's host, on the nucleus or nucleus lite) and gglift's Greengrass Core SDK for C
(`gglift native`). Rebuild the binary for the device with `gglift native build`."""),
    Code("GGM102", "warning", "local shadow use", """\
The function uses the local shadow service (its code calls shadow operations, or the group
routes it to or from `GGShadowService`). V2 Lambda components cannot reach the local shadow
through the V1 SDK; AWS tells users to rewrite such code for the IPC client. With
`target = "component"` gglift's host serves the V1 SDK's shadow calls, so the code runs
unchanged. Shadow updates the function listened to arrive as `PUB_SUB` event sources."""),
    Code("GGM103", "error", "Python 2.7 runtime", """\
Python 2.7 runs nowhere on Greengrass V2 and Lambda no longer offers it. The function is
migrated with a Python 3 runtime; its code must be ported to Python 3 (run `2to3` or
`pyupgrade`, then `gglift run` to try it)."""),
    Code("GGM104", "error", "runtime gglift cannot run", """\
Node.js (6.10, 8.10) and Java Lambda functions are not migrated: Greengrass V2 dropped those
runtimes for Lambda components and gglift runs Python and C executables. The function is left
out of `gglift.toml` and every subscription to or from it is reported. Rewrite it as a generic
component, or in Python."""),
    Code("GGM105", "warning", "`Executable` setting", """\
V1's `Executable` names the binary of a Lambda executable. It becomes the function's `handler`
with `runtime = "executable"`; `ExecArgs` become `execArgs`."""),
    Code("GGM106", "warning", "runs as root", """\
`RunAs` with UID or GID 0 ran the function as root. V2 runs components as the deployment's
default user (`ggc_user`); root needs `runWith.posixUser = "root"` in the deployment and the
nucleus's `runWithDefault` allowing it. Run it as root only if it must."""),
    Code("GGM107", "info", "`RunAs` user", """\
V1's `RunAs {Uid, Gid}` becomes the deployment's `runWith.posixUser = "UID:GID"` for the
component; `gglift.toml` has no key for it and `gglift run` runs as the current user."""),
    Code("GGM108", "warning", "alias or `$LATEST` in the function ARN", """\
V1 groups could name a Lambda alias or `$LATEST`; V2 imports only published versions (an alias
fails with AccessDenied). `lambda_arn` is left out; publish a version and set
`lambda_arn = "...:function:NAME:VERSION"` if you import the function as a Lambda component."""),
    Code("GGM109", "warning", "handler or runtime inferred", """\
A V1 function definition does not hold the Lambda's handler or runtime, and the export had no
Lambda configuration for it (`--fetch-code` reads it with `lambda get-function`; a
CloudFormation template declares it on `AWS::Lambda::Function`). gglift chose them from the
code: a top-level `function_handler`, `lambda_handler` or `handler` in a Python file, or the
executable file. Check `handler` and `runtime`."""),
    Code("GGM110", "error", "no code for the function", """\
The export has no `lambda-code/<name>/` folder for the function and `--fetch-code` was not
given (or the download failed). The `[[function]]` table is written with its `source` folder
empty; run `gglift migrate --fetch-code` (the cloud Lambda versions still exist after V1's
end) or copy the code there."""),
    Code("GGM111", "warning", "the code needs porting", """\
`gglift port --check` found something in the function's code (each finding is listed with its
`GGL` code; `gglift port --explain GGL...`). Boto3 cloud calls that the Greengrass Core SDK can
serve are rewritten by `gglift port`; the rest need a person."""),
    Code("GGM112", "info", "Greengrass system function", """\
`arn:aws:lambda:::function:GG...` functions (IP detector, stream manager, ...) are parts of the
V1 core. Their V2 replacements are components (`aws.greengrass.clientdevices.IPDetector`,
`aws.greengrass.StreamManager`); they are not migrated as functions."""),
    Code("GGM113", "info", "would also work as a Lambda component", """\
The function uses nothing only gglift's host provides (no C executable, no local shadow), so it
would also run as a Lambda component on the Java nucleus: `target = "lambda"`."""),
    Code("GGM120", "warning", "field the Greengrass API does not know", """\
The export has a key that botocore's `greengrass` service model does not define. It is not
mapped; check whether the export was edited by hand or comes from a newer API."""),
    Code("GGM200", "info", "subscription migrated", """\
A subscription from a function to a function or to `cloud` becomes a `[[subscription]]` table
(LegacySubscriptionRouter on V2, the local core's router under `gglift run`)."""),
    Code("GGM201", "info", "cloud subscription became an IOT_CORE event source", """\
On V2 a Lambda function receives AWS IoT Core messages through its event sources. A V1
subscription from `cloud` to a function becomes
`eventSources = [{ topic = ..., type = "IOT_CORE" }]` on that function."""),
    Code("GGM202", "warning", "shadow subscription became a PUB_SUB event source", """\
A subscription from `GGShadowService` to a function delivered shadow documents. On V2 the
shadow manager publishes them on local pub/sub, so it becomes a `PUB_SUB` event source on the
function's shadow topic (the shadow service publishes `.../accepted`, `.../delta` locally)."""),
    Code("GGM203", "info", "subscription to the shadow service not needed", """\
A subscription from a function to `GGShadowService` let its shadow calls through. The V1 SDK's
shadow calls reach the shadow service directly under gglift's host, so no subscription is
written; the function is marked as using the local shadow (GGM102)."""),
    Code("GGM204", "error", "subscription with a client device", """\
A subscription to or from a device (a thing ARN) needs, on V2, the MQTT bridge
(`aws.greengrass.clientdevices.mqtt.Bridge`, topic mapping between local MQTT and pub/sub) and
client device auth (`aws.greengrass.clientdevices.Auth`). `components.json` gets the bridge's
`mqttTopicMapping` entry for the subscription and the devices' group for client device auth; a
function's publish to a device is routed to `component:aws.greengrass.clientdevices.mqtt.Bridge`.
gglift does not run client devices locally."""),
    Code("GGM205", "warning", "subscription to or from a function not migrated", """\
The subscription names a function that is not in the group's function definition or that was
left out (GGM104); it is dropped."""),
    Code("GGM206", "info", "subscription with a connector became a component route", """\
A subscription to or from a connector that has a V2 replacement component becomes a route to or
from `component:<name>` (the component's local pub/sub topics)."""),
    Code("GGM207", "error", "subscription with a connector that has no V2 component", """\
The subscription's connector has no V2 replacement (GGM401), so the subscription is dropped."""),
    Code("GGM208", "warning", "subscription gglift cannot express", """\
The subscription's source and target have no V2 meaning together (for example cloud to cloud,
or an endpoint that is neither a function, `cloud`, `GGShadowService`, a device nor a
connector); it is dropped."""),
    Code("GGM300", "info", "local volume resource", """\
A `LocalVolumeResourceData` resource becomes a `volumes` entry of every function with an access
policy for it (`permission` from the policy, `addGroupOwner` from `AutoAddGroupOwner`). A named
`GroupOwner` has no V2 equivalent and is reported."""),
    Code("GGM301", "info", "local device resource", """\
A `LocalDeviceResourceData` resource becomes a `devices` entry of every function with an access
policy for it."""),
    Code("GGM302", "error", "machine learning resource", """\
S3 and SageMaker machine learning model resources have no place in a Lambda component. Ship the
model as a component artifact (or use AWS's DLR/TensorFlow Lite components) and read it from
the artifact folder."""),
    Code("GGM303", "info", "secret resource", """\
A `SecretsManagerSecretResourceData` resource is served on V2 by `aws.greengrass.SecretManager`
(configured by `gglift package` from the secrets the code reads). Only its ARN is recorded;
gglift never reads or writes the value. For `gglift run`, put a value in a local file named by
`[local] secrets_file`."""),
    Code("GGM304", "warning", "resource not used or not found", """\
A resource no function has an access policy for is not migrated; an access policy naming a
resource the export does not have is dropped."""),
    Code("GGM400", "info", "connector with a V2 component", """\
CloudWatch metrics, Device Defender, Kinesis Firehose, Modbus-RTU and SNS connectors have V2
replacement components (`aws.greengrass.Cloudwatch`, `aws.greengrass.DeviceDefender`,
`aws.greengrass.KinesisFirehose`, `aws.greengrass.Modbus`, `aws.greengrass.SNS`). Deploy the
component with its configuration from `components.json`: the connector's parameters as they
were (where V2 renamed a parameter, the component's documentation says so)."""),
    Code("GGM401", "error", "connector without a V2 component", """\
The connector has no V2 replacement component; its work must be done by a function or a
component of your own."""),
    Code("GGM500", "info", "logger", """\
V1 loggers become the nucleus's `logging` configuration (system logs) and
`aws.greengrass.LogManager` (uploads to CloudWatch); `gglift run` prints logs itself."""),
    Code("GGM501", "info", "core", """\
The core's thing becomes `[local] thing_name` (and the region and account of its ARN
`[local] region` and `account`), so local shadows use the same thing name. `SyncShadow`
becomes the shadow manager's `synchronize` configuration on V2."""),
    Code("GGM502", "warning", "client devices", """\
V1 devices become client devices on V2: associate their things with the core device and deploy
client device auth, the MQTT bridge and the IP detector. `components.json` has a client device
auth group selecting the devices' things, with a policy that lets them connect, publish and
subscribe to any topic as V1 did: narrow it to the topics they use."""),
    Code("GGM503", "info", "group default configuration", """\
`DefaultConfig.Execution` (isolation mode, RunAs) applied to every function that does not set
its own."""),
    Code("GGM900", "warning", "file not recognised", """\
A JSON file in the export folder has the shape of none of the `greengrass` outputs gglift reads
(`get-group-version`, `get-*-definition-version`); it is ignored."""),
    Code("GGM901", "error", "input cannot be read", """\
The file is not valid JSON or YAML, or a value has the wrong type for botocore's `greengrass`
model. The error names the file and the JSON path; nothing is written."""),
    Code("GGM902", "error", "definition missing", """\
The group version names a function or subscription definition version the export does not
contain (for example `functions.json` is missing). Export it again; nothing is written."""),
    Code("GGM906", "warning", "definition not exported", """\
The group version names a core, device, resource, logger or connector definition that the
export does not hold (AWS's export script saves only the functions and subscriptions). The
rest is migrated without it: resource access policies become GGM304 items, and the core's thing
name is not known. Save the `get-*-definition-version` output in the folder to migrate it."""),
    Code("GGM903", "error", "unknown resource type", """\
A resource's data container, or a template resource, has a type the Greengrass V1 API does not
define; nothing is written rather than migrating the group without it."""),
    Code("GGM904", "error", "not a Greengrass V1 group", """\
The template declares no `AWS::Greengrass::*` definitions (or the folder holds no export), so
there is nothing to migrate."""),
    Code("GGM905", "error", "output folder exists", """\
`--out` exists and `--force` was not given, so nothing is written: a migration never replaces
a folder (perhaps an earlier migration you have since edited) unless asked to. With `--force`
the new project is written beside it and renamed into place before the old one is removed."""),
]

_CODES.sort(key=lambda entry: entry.code)
CODES = {code.code: code for code in _CODES}


def explain(code: str) -> str:
    """The ``--explain`` text for ``code`` (case-insensitive); KeyError if unknown."""
    entry = CODES[code.upper()]
    return f"{entry.code} ({entry.severity}): {entry.title}\n\n{entry.explanation}\n"


def render_codes_markdown() -> str:
    """The codes section of docs/migrate.md, generated from the registry."""
    out = ["## Report codes", "",
           "Generated from `gglift/migrate/codes.py`; `gglift migrate --explain CODE` prints the same text.", ""]
    for entry in _CODES:
        out += [f"### {entry.code} ({entry.severity}): {entry.title}", "", entry.explanation, ""]
    return "\n".join(out)
