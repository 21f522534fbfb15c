"""From a V1 :class:`~gglift.migrate.group.Group` to a gglift project, item by item, with the report.

The project is built as plain ordered data (what ``gglift.toml`` holds) so that writing it is
a separate, deterministic step. Every V1 element gives at least one report item: what it
became, what changed meaning, or why it cannot move.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Callable, Optional

from gglift.config.validate import PYTHON_RUNTIME
from gglift.migrate import code as codes_of
from gglift.migrate.errors import MigrateError
from gglift.migrate.group import Group, LambdaConfig
from gglift.migrate.report import Report
from gglift.routes import CLOUD, COMPONENT_PREFIX

TARGET = "component"
FUNCTIONS_DIR = "functions"
SHADOW = "GGShadowService"
EXECUTABLE_RUNTIME = "arn:aws:greengrass:::runtime/function/executable"  # a V1 Lambda executable's runtime
BRIDGE = "aws.greengrass.clientdevices.mqtt.Bridge"
AUTH = "aws.greengrass.clientdevices.Auth"
DEVICE_GROUP = "MigratedV1Devices"
# V1 connectors with a V2 replacement component (facts §9, issue 13).
CONNECTORS = {
    "CloudWatchMetrics": "aws.greengrass.Cloudwatch",
    "DeviceDefender": "aws.greengrass.DeviceDefender",
    "KinesisFirehose": "aws.greengrass.KinesisFirehose",
    "ModbusRTUProtocolAdapter": "aws.greengrass.Modbus",
    "SNS": "aws.greengrass.SNS",
}
SYSTEM_FUNCTIONS = {
    "GGIPDetector": "aws.greengrass.clientdevices.IPDetector",
    "GGStreamManager": "aws.greengrass.StreamManager",
}
_FUNCTION_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]*):(\d*):function:([^:]+)(?::([^:]+))?$")
_THING_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:iot:([a-z0-9-]+):(\d{12}):thing/(.+)$")
_CONNECTOR_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:greengrass:[a-z0-9-]*::/connectors/([^/]+)/versions/")


@dataclass
class Plan:
    """What ``gglift migrate`` will write: the project's data, the code files, the report."""

    project: dict
    files: dict  # relative path -> (bytes, mode)
    report: Report
    components: dict = field(default_factory=dict)  # V2 component -> configuration to merge (components.json)


@dataclass
class _Fn:
    name: str
    arn: str
    table: dict
    shadow: bool = False
    executable: bool = False
    event_sources: list = field(default_factory=list)


def build(group: Group, source_label: str, fetch_code: bool = False,
          download: Optional[Callable[[str], bytes]] = None) -> Plan:
    """Map ``group`` to a project; raises :class:`MigrateError` for input it cannot read."""
    report = Report(source=source_label, target=TARGET)
    report.items.extend(group.notes)
    files: dict = {}
    resources = {r.get("Id"): r for r in group.items("resource", "Resources")}
    components: dict = {}
    connectors = _connectors(group, report, components)
    functions: dict[str, Optional[_Fn]] = {}  # V1 function ARN -> migrated function (None: left out)
    used_resources: set = set()
    for index, entry in enumerate(group.items("function", "Functions")):
        arn = entry.get("FunctionArn", "")
        functions[arn] = _function(group, index, entry, resources, used_resources, files, report, fetch_code, download)
    migrated = [fn for fn in functions.values() if fn is not None]
    subscriptions = _subscriptions(group, functions, connectors, report, components)
    _unused_resources(resources, used_resources, report)
    for fn in migrated:
        _finish(fn, report)
    local = _local(group, migrated, report)
    _loggers_and_devices(group, report, components)
    if not migrated:
        definition = group.definitions.get("function")
        raise MigrateError("GGM904", definition.file if definition else source_label, "$.Definition.Functions",
                           "the group has no function gglift can migrate", "see the report codes GGM104 and GGM112")
    project: dict = {"target": TARGET}
    if local:
        project["local"] = local
    project["function"] = [fn.table for fn in migrated]
    if subscriptions:
        project["subscription"] = subscriptions
    report.functions = [fn.name for fn in migrated]
    return Plan(project, files, report, components)


# -- functions ----------------------------------------------------------------------------------
def _function(group, index, entry, resources, used_resources, files, report, fetch_code, download) -> Optional[_Fn]:
    definition = group.definitions["function"]
    where = f"{definition.path}.Functions[{index}]"
    arn = entry.get("FunctionArn", "")
    match = _FUNCTION_ARN.match(arn)
    if not match:
        raise MigrateError("GGM901", definition.file, f"{where}.FunctionArn", f"{arn!r} is not a Lambda function ARN")
    name, qualifier = match.group(3), match.group(4)
    element = f"function {name}"
    if not match.group(1) and name.startswith("GG"):
        replacement = SYSTEM_FUNCTIONS.get(name, "a V2 component of the nucleus")
        report.add("GGM112", element, f"{arn} is part of the V1 core; on V2 it is {replacement}", f"deploy {replacement} if the device needs it")
        return None
    conf = entry.get("FunctionConfiguration", {})
    env = conf.get("Environment", {})
    if _cannot_run(conf.get("FunctionRuntimeOverride") or group.lambdas.get(name, LambdaConfig()).runtime, element, report):
        return None  # known before any code is read or fetched
    files_of, config = _code(group, name, arn, element, report, fetch_code, download)
    runtime = conf.get("FunctionRuntimeOverride") or config.runtime
    handler = config.handler
    if conf.get("Executable"):
        runtime, handler = "executable", conf["Executable"]
        report.add("GGM105", element, f"Executable {handler!r} becomes handler = {handler!r}, runtime = \"executable\"")
    if runtime == EXECUTABLE_RUNTIME:
        runtime = "executable"
    if handler is None or runtime is None:
        guess = codes_of.infer(files_of) or LambdaConfig("lambda_function.function_handler", codes_of.ASSUMED_PYTHON)
        handler, runtime = handler or guess.handler, runtime or guess.runtime
        report.add("GGM109", element, f"handler = {handler!r}, runtime = {runtime!r} chosen from the code",
                   "check them against the Lambda function's configuration (or migrate with --fetch-code)")
    if _cannot_run(runtime, element, report):
        return None
    if runtime == "python2.7":
        runtime = codes_of.ASSUMED_PYTHON
        report.add("GGM103", element, f"python2.7 code migrated with runtime = \"{runtime}\"", "port the code to Python 3")
    elif runtime != "executable" and not PYTHON_RUNTIME.match(runtime):
        raise MigrateError("GGM901", definition.file, f"{where}.FunctionConfiguration.FunctionRuntimeOverride",
                           f"unknown runtime {runtime!r}", "use a python3.x runtime or the executable runtime")
    fn = _Fn(name, arn, {}, executable=runtime == "executable")
    table = fn.table
    table.update(name=name, handler=handler, runtime=runtime, source=f"{FUNCTIONS_DIR}/{name}")
    if qualifier and qualifier.isdigit():
        table["lambda_arn"] = arn
    else:
        report.add("GGM108", element, f"{arn} names {'no version' if not qualifier else repr(qualifier)}; lambda_arn left out",
                   "publish a version and set lambda_arn to its ARN before importing it as a Lambda component")
    table["pinned"] = bool(conf.get("Pinned", False))
    table["timeoutInSeconds"] = conf.get("Timeout", 3)
    table["inputPayloadEncodingType"] = conf.get("EncodingType", "binary" if fn.executable else "json")
    try:
        table["execArgs"] = shlex.split(conf.get("ExecArgs", ""))
    except ValueError as exc:
        raise MigrateError("GGM901", definition.file, f"{where}.FunctionConfiguration.ExecArgs", f"cannot be split into arguments: {exc}") from None
    table["environmentVariables"] = dict(env.get("Variables", {}))
    table["eventSources"] = fn.event_sources
    execution = env.get("Execution")
    if execution is None:
        execution = group.definitions["function"].body.get("DefaultConfig", {}).get("Execution", {})
        if execution:
            report.add("GGM503", element, "the group's DefaultConfig.Execution applies: " + _describe(execution))
    isolation = execution.get("IsolationMode", "GreengrassContainer")
    volumes, devices = _access(entry, env, resources, used_resources, element, report, where, definition.file)
    table["linuxProcessParams"] = {
        "isolationMode": isolation,
        "containerParams": {
            "memorySizeInKB": conf.get("MemorySize", 16384),
            "mountROSysfs": bool(env.get("AccessSysfs", False)),
            "volumes": volumes,
            "devices": devices,
        },
    }
    run_as = execution.get("RunAs")
    if run_as:
        uid, gid = run_as.get("Uid"), run_as.get("Gid")
        user = f"{'' if uid is None else uid}:{'' if gid is None else gid}"
        if 0 in (uid, gid):
            report.add("GGM106", element, f"RunAs {user} runs the function as root",
                       'set runWith.posixUser = "root" in the deployment and allow it on the nucleus, or drop root')
        else:
            report.add("GGM107", element, f"RunAs {user} becomes the deployment's runWith.posixUser = \"{user}\"")
    if fn.executable:
        report.add("GGM101", element, "a C/C++ Lambda executable: it runs with target = \"component\" and gglift's Core SDK for C",
                   f"rebuild it for the device: gglift native build <source.c> -o {FUNCTIONS_DIR}/{name}/{handler}")
    for rel, content in files_of.items():
        files[f"{FUNCTIONS_DIR}/{name}/{rel}"] = content
    findings, fn.shadow = codes_of.port_check(files_of)
    if findings:
        report.add("GGM111", element, f"gglift port --check: {len(findings)} finding(s) in the code",
                   f"run gglift port {FUNCTIONS_DIR}/{name} and read each GGL code with gglift port --explain",
                   {"findings": findings})
    return fn


def _cannot_run(runtime: Optional[str], element: str, report: Report) -> bool:
    """True (and reported, GGM104) for a runtime neither V2's Lambda components nor gglift run."""
    if runtime is None or not runtime.startswith(("nodejs", "java", "dotnet", "go", "ruby", "provided")):
        return False
    report.add("GGM104", element, f"runtime {runtime!r} cannot run on V2 as a Lambda component nor under gglift; not migrated",
               "rewrite the function in Python or as a generic component")
    return True


def _code(group, name, arn, element, report, fetch_code, download):
    """The function's files and Lambda configuration: from the export, else (with --fetch-code) the cloud."""
    folder = group.code_dir / name if group.code_dir else None
    config = group.lambdas.get(name, LambdaConfig())
    files = codes_of.read_folder(folder) if folder is not None and folder.is_dir() else None
    if fetch_code and (files is None or config.handler is None or config.runtime is None):
        try:
            fetched, cloud = codes_of.fetch(arn, download or codes_of.download_url)
        except RuntimeError as exc:
            report.add("GGM110", element, f"lambda get-function {arn} failed: {exc}", "check credentials and region, then run again")
            return files or {}, config
        return (fetched if files is None else files), LambdaConfig(config.handler or cloud.handler, config.runtime or cloud.runtime)
    if files is None:
        report.add("GGM110", element, f"the export has no code for it (no lambda-code/{name}/)",
                   f"run gglift migrate --fetch-code, or copy the code to {FUNCTIONS_DIR}/{name}/")
        return {}, config
    return files, config


def _access(entry, env, resources, used, element, report, where, file):
    volumes, devices = [], []
    for index, policy in enumerate(env.get("ResourceAccessPolicies", [])):
        rid = policy.get("ResourceId")
        permission = policy.get("Permission", "ro")
        resource = resources.get(rid)
        if resource is None:
            report.add("GGM304", element, f"access policy for resource {rid!r}, which the group does not have; dropped",
                       "export the group's resource definition (get-resource-definition-version)")
            continue
        used.add(rid)
        kind, data = next(iter(resource["ResourceDataContainer"].items()))
        owner = data.get("GroupOwnerSetting", {})
        add_owner = bool(owner.get("AutoAddGroupOwner", False))
        relement = f"resource {rid}"
        if kind == "LocalVolumeResourceData":
            volumes.append({"sourcePath": data["SourcePath"], "destinationPath": data.get("DestinationPath", data["SourcePath"]),
                            "permission": permission, "addGroupOwner": add_owner})
            report.add("GGM300", relement, f"{data['SourcePath']} mounted for {element} ({permission})", *_owner_hint(owner))
        elif kind == "LocalDeviceResourceData":
            devices.append({"path": data["SourcePath"], "permission": permission, "addGroupOwner": add_owner})
            report.add("GGM301", relement, f"{data['SourcePath']} available to {element} ({permission})", *_owner_hint(owner))
        elif kind == "SecretsManagerSecretResourceData":
            report.add("GGM303", relement, f"secret {data.get('ARN')} read by {element}: served by aws.greengrass.SecretManager",
                       "for gglift run, put its value in a JSON file named by [local] secrets_file (never in gglift.toml)",
                       {"arn": data.get("ARN"), "labels": data.get("AdditionalStagingLabelsToDownload", [])})
        else:
            report.add("GGM302", relement, f"{kind} for {element} cannot move to a Lambda component",
                       "ship the model as a component artifact, or use AWS's machine learning components")
    return volumes, devices


def _owner_hint(owner: dict) -> tuple:
    if owner.get("GroupOwner"):
        return (f"GroupOwner {owner['GroupOwner']!r} has no V2 equivalent: make the file group-readable by the component's user",)
    return ()


def _finish(fn: _Fn, report: Report) -> None:
    element = f"function {fn.name}"
    if fn.shadow:
        report.add("GGM102", element, "uses the local shadow service: it runs unchanged with target = \"component\"",
                   "as a Lambda component it would need the IPC client's shadow operations")
    elif not fn.executable:
        report.lambda_components.append(fn.name)
        report.add("GGM113", element, "would also work as a Lambda component (target = \"lambda\")")
    report.items.insert(_first_index(report, element), _summary(fn))


def _summary(fn: _Fn):
    from gglift.migrate.report import Item

    table = fn.table
    params = table["linuxProcessParams"]
    parts = [f"pinned = {str(table['pinned']).lower()}", f"timeoutInSeconds = {table['timeoutInSeconds']}",
             f"isolationMode = {params['isolationMode']}"]
    return Item("GGM100", f"function {fn.name}", f"{fn.arn} -> [[function]] {fn.name} ({', '.join(parts)})")


def _first_index(report: Report, element: str) -> int:
    for index, item in enumerate(report.items):
        if item.element == element:
            return index
    return len(report.items)


def _describe(execution: dict) -> str:
    parts = [f"IsolationMode {execution['IsolationMode']}"] if "IsolationMode" in execution else []
    if "RunAs" in execution:
        parts.append(f"RunAs {execution['RunAs'].get('Uid', '')}:{execution['RunAs'].get('Gid', '')}")
    return ", ".join(parts)


# -- subscriptions -------------------------------------------------------------------------------
def _endpoint(value: str, functions: dict, connectors: dict) -> tuple:
    """What a V1 subscription end is: ("function", fn), ("cloud",), ("shadow",), ("device", thing),
    ("connector", component or None), ("gone", arn) or ("unknown", value)."""
    if value == CLOUD:
        return ("cloud",)
    if value == SHADOW:
        return ("shadow",)
    if value in functions:
        fn = functions[value]
        return ("function", fn) if fn is not None else ("gone", value)
    if _FUNCTION_ARN.match(value):
        return ("gone", value)
    thing = _THING_ARN.match(value)
    if thing:
        return ("device", thing.group(3))
    if value in connectors:
        return ("connector", connectors[value])
    return ("unknown", value)


def _subscriptions(group: Group, functions: dict, connectors: dict, report: Report, components: dict) -> list:
    tables = []
    for entry in group.items("subscription", "Subscriptions"):
        element = f"subscription {entry.get('Id')}"
        source = _endpoint(entry.get("Source", ""), functions, connectors)
        target = _endpoint(entry.get("Target", ""), functions, connectors)
        subject = entry.get("Subject", "")
        route = f"{entry.get('Source')} -> {subject} -> {entry.get('Target')}"
        kinds = (source[0], target[0])
        if "gone" in kinds:
            gone = source[1] if source[0] == "gone" else target[1]
            report.add("GGM205", element, f"{route}: {gone} is not migrated; dropped")
        elif any(end[0] == "connector" and end[1] is None for end in (source, target)):
            report.add("GGM207", element, f"{route}: the connector has no V2 component; dropped")
        elif "device" in kinds:
            tables.extend(_device_route(source, target, entry, route, element, report, components))
        elif source[0] == "function" and target[0] in ("function", "cloud", "connector"):
            end = target[1].name if target[0] == "function" else CLOUD if target[0] == "cloud" else COMPONENT_PREFIX + target[1]
            tables.append({"source": source[1].name, "subject": subject, "target": end})
            report.add("GGM206" if target[0] == "connector" else "GGM200", element, f"{route} -> [[subscription]] {source[1].name} -> {end}")
        elif target[0] == "function" and source[0] in ("cloud", "shadow", "connector"):
            fn = target[1]
            kind = "IOT_CORE" if source[0] == "cloud" else "PUB_SUB"
            _add_event_source(fn, subject, kind)
            if source[0] == "shadow":
                fn.shadow = True
            code = {"cloud": "GGM201", "shadow": "GGM202", "connector": "GGM206"}[source[0]]
            report.add(code, element, f"{route} -> eventSources {{ topic = {subject!r}, type = {kind!r} }} of {fn.name}")
        elif source[0] == "function" and target[0] == "shadow":
            source[1].shadow = True
            report.add("GGM203", element, f"{route}: not needed; {source[1].name} uses the local shadow")
        else:
            report.add("GGM208", element, f"{route}: no V2 equivalent; dropped")
    return tables


def _device_route(source, target, entry, route, element, report, components) -> list:
    """A client device subscription: the MQTT bridge mapping it needs, and the route to the bridge."""
    side = {"device": "LocalMqtt", "cloud": "IotCore", "function": "Pubsub", "shadow": "Pubsub", "connector": "Pubsub"}
    subject = entry.get("Subject", "")
    mapping = {"topic": subject, "source": side[source[0]], "target": side[target[0]]}
    bridge = components.setdefault(BRIDGE, {"mqttTopicMapping": {}})
    bridge["mqttTopicMapping"][f"V1Subscription{entry.get('Id')}"] = mapping
    for end in (source, target):
        if end[0] == "device":
            _add_device(components, end[1])
    tables = []
    if source[0] == "function":
        tables.append({"source": source[1].name, "subject": subject, "target": COMPONENT_PREFIX + BRIDGE})
    if target[0] == "function":
        _add_event_source(target[1], subject, "PUB_SUB")
    report.add("GGM204", element, f"{route}: needs the MQTT bridge and client device auth",
               f"deploy {BRIDGE} and {AUTH} with their configuration in components.json",
               {"mqttTopicMapping": mapping})
    return tables


def _add_device(components: dict, thing: str) -> None:
    """Client device auth for the migrated devices: one device group, allowed to connect, publish
    and subscribe to any topic (narrow the policy to the topics the devices use)."""
    if AUTH not in components:
        allow = {op: {"statementDescription": f"V1 devices could {op.split(':')[1]}", "operations": [op], "resources": ["*"]}
                 for op in ("mqtt:connect", "mqtt:publish", "mqtt:subscribe")}
        components[AUTH] = {"deviceGroups": {"formatVersion": "2021-03-05", "definitions": {
            DEVICE_GROUP: {"selectionRule": "", "policyName": f"{DEVICE_GROUP}Policy"}},
            "policies": {f"{DEVICE_GROUP}Policy": {f"Allow{op.split(':')[1].capitalize()}": s for op, s in allow.items()}}}}
    group = components[AUTH]["deviceGroups"]["definitions"][DEVICE_GROUP]
    rules = [rule for rule in group["selectionRule"].split(" OR ") if rule]
    if f"thingName: {thing}" not in rules:
        group["selectionRule"] = " OR ".join(rules + [f"thingName: {thing}"])


def _add_event_source(fn: _Fn, topic: str, kind: str) -> None:
    source = {"topic": topic, "type": kind}
    if source not in fn.event_sources:
        fn.event_sources.append(source)


# -- other group elements ----------------------------------------------------------------------
def _connectors(group: Group, report: Report, components: dict) -> dict:
    """Connector ARN -> V2 component name (None when there is none); reports each connector."""
    found = {}
    for entry in group.items("connector", "Connectors"):
        arn = entry.get("ConnectorArn", "")
        match = _CONNECTOR_ARN.match(arn)
        short = match.group(1) if match else arn
        component = CONNECTORS.get(short)
        found[arn] = component
        element = f"connector {entry.get('Id')}"
        if component:
            configuration = dict(entry.get("Parameters", {}))
            components[component] = configuration
            report.add("GGM400", element, f"{short} -> {component}", f"deploy {component} with its configuration in components.json",
                       {"component": component, "configuration": configuration})
        else:
            report.add("GGM401", element, f"{short} has no V2 component", "do its work in a function or a component of your own")
    return found


def _unused_resources(resources: dict, used: set, report: Report) -> None:
    for rid, resource in resources.items():
        if rid not in used:
            kind = next(iter(resource.get("ResourceDataContainer", {"?": 0})))
            report.add("GGM304", f"resource {rid}", f"{kind} {resource.get('Name', '')!r} is used by no function; not migrated")


def _local(group: Group, functions: list, report: Report) -> dict:
    local: dict = {}
    cores = group.items("core", "Cores")
    thing = _THING_ARN.match(cores[0].get("ThingArn", "")) if cores else None
    if thing:
        local["thing_name"] = thing.group(3)
        local["region"], local["account"] = thing.group(1), thing.group(2)
        sync = " SyncShadow becomes the shadow manager's synchronize configuration." if cores[0].get("SyncShadow") else ""
        report.add("GGM501", "group", f"core thing {thing.group(3)} -> [local] thing_name.{sync}")
    else:
        for fn in functions:
            match = _FUNCTION_ARN.match(fn.arn)
            if match and match.group(1) and match.group(2):
                local["region"], local["account"] = match.group(1), match.group(2)
                break
    return local


def _loggers_and_devices(group: Group, report: Report, components: dict) -> None:
    loggers = group.items("logger", "Loggers")
    if loggers:
        described = ", ".join(f"{l.get('Component')} {l.get('Type')} {l.get('Level')}" for l in loggers)
        report.add("GGM500", "group", f"loggers ({described}) -> nucleus logging and aws.greengrass.LogManager",
                   "configure aws.greengrass.LogManager for CloudWatch uploads", {"loggers": loggers})
    devices = [m.group(3) for m in (_THING_ARN.match(d.get("ThingArn", "")) for d in group.items("device", "Devices")) if m]
    for thing in devices:
        _add_device(components, thing)
    if devices:
        report.add("GGM502", "group", f"client devices: {', '.join(devices)}",
                   f"associate them with the core device; deploy {AUTH} (configuration in components.json), "
                   "the MQTT bridge and the IP detector")

