"""A three-function Greengrass V1 group built through moto's V1 API and exported as AWS's script does.

The group: ``sensor`` (Python, pinned, a volume and a serial device) converts cloud readings
and publishes them to ``thermostat`` (Python, updates the core's local shadow and reports the
accepted state to the cloud) and ``filter`` (a C executable, root, no container); a secret
resource for the thermostat; the core ``plant-core``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
CODE = HERE / "group_code"
REGION = "us-east-1"
ACCOUNT = "123456789012"
CORE_THING = "plant-core"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:greengrass-thermostat-AbCdEf"
EXECUTABLE_RUNTIME = "arn:aws:greengrass:::runtime/function/executable"


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}:1"


SHADOW_UPDATE = f"$aws/things/{CORE_THING}/shadow/update"

FUNCTIONS = [
    {"Id": "sensor", "FunctionArn": arn("sensor"), "FunctionConfiguration": {
        "Pinned": True, "Timeout": 5, "MemorySize": 32768, "EncodingType": "json",
        "Environment": {"Variables": {"UNITS": "celsius"}, "AccessSysfs": True,
                        "Execution": {"IsolationMode": "GreengrassContainer"},
                        "ResourceAccessPolicies": [{"ResourceId": "data-volume", "Permission": "rw"},
                                                   {"ResourceId": "serial-port", "Permission": "ro"}]}}},
    {"Id": "thermostat", "FunctionArn": arn("thermostat"), "FunctionConfiguration": {
        "Pinned": False, "Timeout": 10, "MemorySize": 16384,
        "Environment": {"Variables": {"THING_NAME": CORE_THING},
                        "Execution": {"IsolationMode": "GreengrassContainer", "RunAs": {"Uid": 1000, "Gid": 1000}},
                        "ResourceAccessPolicies": [{"ResourceId": "thermostat-secret", "Permission": "ro"}]}}},
    {"Id": "filter", "FunctionArn": arn("filter"), "FunctionConfiguration": {
        "Executable": "filter", "ExecArgs": "--threshold 30", "EncodingType": "binary", "Pinned": False, "Timeout": 3,
        "Environment": {"Execution": {"IsolationMode": "NoContainer", "RunAs": {"Uid": 0, "Gid": 0}}}}},
]
SUBSCRIPTIONS = [
    {"Id": "1", "Source": "cloud", "Subject": "sensors/+/raw", "Target": arn("sensor")},
    {"Id": "2", "Source": arn("sensor"), "Subject": "sensors/+/celsius", "Target": arn("thermostat")},
    {"Id": "3", "Source": arn("sensor"), "Subject": "sensors/+/celsius", "Target": arn("filter")},
    {"Id": "4", "Source": arn("thermostat"), "Subject": SHADOW_UPDATE, "Target": "GGShadowService"},
    {"Id": "5", "Source": "GGShadowService", "Subject": f"{SHADOW_UPDATE}/accepted", "Target": arn("thermostat")},
    {"Id": "6", "Source": arn("thermostat"), "Subject": "thermostat/state", "Target": "cloud"},
]
RESOURCES = [
    {"Id": "data-volume", "Name": "SensorData", "ResourceDataContainer": {"LocalVolumeResourceData": {
        "SourcePath": "/var/lib/sensor", "DestinationPath": "/data", "GroupOwnerSetting": {"AutoAddGroupOwner": True}}}},
    {"Id": "serial-port", "Name": "SerialPort", "ResourceDataContainer": {"LocalDeviceResourceData": {
        "SourcePath": "/dev/ttyUSB0", "GroupOwnerSetting": {"AutoAddGroupOwner": False}}}},
    {"Id": "thermostat-secret", "Name": "ThermostatKey", "ResourceDataContainer": {"SecretsManagerSecretResourceData": {
        "ARN": SECRET_ARN}}},
]
CORES = [{"Id": "core", "ThingArn": f"arn:aws:iot:{REGION}:{ACCOUNT}:thing/{CORE_THING}",
          "CertificateArn": f"arn:aws:iot:{REGION}:{ACCOUNT}:cert/{'ab' * 32}", "SyncShadow": True}]
LAMBDAS = {  # name -> (runtime, handler, folder of code)
    "sensor": ("python3.8", "app.function_handler"),
    "thermostat": ("python3.8", "thermostat.function_handler"),
    "filter": (EXECUTABLE_RUNTIME, "filter"),
}


def build_filter(out: Path) -> Path:
    """Compile the C executable against gglift's Core SDK for C."""
    binary = out / "filter"
    subprocess.run([sys.executable, "-m", "gglift", "native", "build", str(CODE / "filter" / "filter.c"), "-o", str(binary)],
                   check=True, capture_output=True)
    return binary


def code_zip(name: str, filter_binary: Path) -> bytes:
    """The Lambda deployment package of ``name``: its code (the C function ships its binary)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        if name == "filter":
            info = zipfile.ZipInfo("filter")
            info.external_attr = 0o755 << 16
            archive.writestr(info, filter_binary.read_bytes())
        else:
            for path in sorted((CODE / name).glob("*.py")):
                archive.writestr(path.name, path.read_bytes())
    return buf.getvalue()


def create_group(session, filter_binary: Path) -> str:
    """Create the Lambda functions and the V1 group through moto; returns the group id."""
    iam = session.client("iam")
    role = iam.create_role(RoleName="gg-lambda", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = session.client("lambda")
    for name, (runtime, handler) in LAMBDAS.items():
        lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler=handler,
                            Code={"ZipFile": code_zip(name, filter_binary)}, Publish=True)
    gg = session.client("greengrass")
    core = gg.create_core_definition(Name="core", InitialVersion={"Cores": CORES})
    functions = gg.create_function_definition(Name="functions", InitialVersion={"Functions": FUNCTIONS})
    resources = gg.create_resource_definition(Name="resources", InitialVersion={"Resources": RESOURCES})
    subscriptions = gg.create_subscription_definition(Name="subscriptions", InitialVersion={"Subscriptions": SUBSCRIPTIONS})
    group = gg.create_group(Name="plant")
    gg.create_group_version(
        GroupId=group["Id"],
        CoreDefinitionVersionArn=core["LatestVersionArn"],
        FunctionDefinitionVersionArn=functions["LatestVersionArn"],
        ResourceDefinitionVersionArn=resources["LatestVersionArn"],
        SubscriptionDefinitionVersionArn=subscriptions["LatestVersionArn"],
    )
    return group["Id"]


def moto_code(location: str) -> bytes:
    """What GET on a ``Code.Location`` URL returns: moto answers get-function with the URL but
    does not serve it, so the package is read from moto's Lambda backend by the URL's key."""
    from moto.awslambda.models import lambda_backends

    key = urlparse(location).path.lstrip("/")
    for function in lambda_backends[ACCOUNT][REGION].list_functions():
        if function.code.get("S3Key") == key:
            return function.code_bytes
    raise OSError(f"404 for {location}")


def export_group(session, group_id: str, out: Path) -> None:
    """What AWS's export_ggv1.sh writes (group.json, functions.json, lambda-code/, subscriptions.json),
    plus the resource and core definition versions saved under names of their own."""
    gg, lam = session.client("greengrass"), session.client("lambda")
    out.mkdir(parents=True, exist_ok=True)
    version = gg.get_group(GroupId=group_id)["LatestVersion"]
    group = _save(out / "group.json", gg.get_group_version(GroupId=group_id, GroupVersionId=version))
    definition = group["Definition"]
    functions = _save(out / "functions.json", gg.get_function_definition_version(
        **_ids(definition["FunctionDefinitionVersionArn"], "FunctionDefinitionId", "FunctionDefinitionVersionId")))
    for function in functions["Definition"]["Functions"]:
        name = function["FunctionArn"].split(":")[-2]
        location = lam.get_function(FunctionName=function["FunctionArn"])["Code"]["Location"]
        with zipfile.ZipFile(io.BytesIO(moto_code(location))) as archive:
            for info in archive.infolist():  # unzip keeps the executable bit, as unzip(1) does
                target = out / "lambda-code" / name / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(info))
                target.chmod((info.external_attr >> 16) or 0o644)
    _save(out / "subscriptions.json", gg.get_subscription_definition_version(
        **_ids(definition["SubscriptionDefinitionVersionArn"], "SubscriptionDefinitionId", "SubscriptionDefinitionVersionId")))
    _save(out / "saved-resources.json", gg.get_resource_definition_version(
        **_ids(definition["ResourceDefinitionVersionArn"], "ResourceDefinitionId", "ResourceDefinitionVersionId")))
    _save(out / "core-2023.json", gg.get_core_definition_version(
        **_ids(definition["CoreDefinitionVersionArn"], "CoreDefinitionId", "CoreDefinitionVersionId")))


def _ids(version_arn: str, id_key: str, version_key: str) -> dict:
    parts = version_arn.split("/")  # .../definition/<kind>/<id>/versions/<version>, as the script's awk reads it
    return {id_key: parts[-3], version_key: parts[-1]}


def _save(path: Path, response: dict) -> dict:
    response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    path.write_text(json.dumps(response, indent=4) + "\n")  # the AWS CLI's JSON output
    return response
