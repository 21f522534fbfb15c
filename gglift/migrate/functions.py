"""One V1 function becomes a ``[[function]]``: its configuration, code, resources and report items."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from gglift.config.validate import PYTHON_RUNTIME
from gglift.migrate import code as codes_of
from gglift.migrate.arns import FUNCTION_ARN
from gglift.migrate.errors import MigrateError
from gglift.migrate.group import LambdaConfig
from gglift.migrate.report import Item, Report

if TYPE_CHECKING:
    from gglift.migrate.mapping import Context

FUNCTIONS_DIR = "functions"
EXECUTABLE_RUNTIME = "arn:aws:greengrass:::runtime/function/executable"  # a V1 Lambda executable's runtime
SYSTEM_FUNCTIONS = {
    "GGIPDetector": "aws.greengrass.clientdevices.IPDetector",
    "GGStreamManager": "aws.greengrass.StreamManager",
}


@dataclass
class Fn:
    """A migrated function: its ``[[function]]`` table and what the subscriptions add to it."""

    name: str
    arn: str
    table: dict
    shadow: bool = False
    executable: bool = False
    event_sources: list = field(default_factory=list)

    def add_event_source(self, topic: str, kind: str) -> None:
        source = {"topic": topic, "type": kind}
        if source not in self.event_sources:
            self.event_sources.append(source)


def migrate_function(ctx: Context, index: int, entry: dict) -> Optional[Fn]:
    """The ``[[function]]`` of one V1 function (None when it is not migrated), reported."""
    group, report = ctx.group, ctx.report
    definition = group.definitions["function"]
    where = f"{definition.path}.Functions[{index}]"
    arn = entry.get("FunctionArn", "")
    match = FUNCTION_ARN.match(arn)
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
    files_of, config = _code(ctx, name, arn, element)
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
    fn = Fn(name, arn, {}, executable=runtime == "executable")
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
    volumes, devices = _access(ctx, env, element)
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
        ctx.files[f"{FUNCTIONS_DIR}/{name}/{rel}"] = content
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


def _code(ctx: Context, name: str, arn: str, element: str):
    """The function's files and Lambda configuration: from the export, else (with --fetch-code) the cloud."""
    group, report = ctx.group, ctx.report
    folder = group.code_dir / name if group.code_dir else None
    config = group.lambdas.get(name, LambdaConfig())
    files = None
    if folder is not None and folder.is_dir():
        files = codes_of.read_folder(folder)
    elif folder is not None and folder.with_name(f"{name}.zip").is_file():  # the script's download, not unzipped
        files = codes_of.unzip_file(folder.with_name(f"{name}.zip"))
    if ctx.fetch_code and (files is None or config.handler is None or config.runtime is None):
        try:
            fetched, cloud = codes_of.fetch(arn, ctx.download or codes_of.download_url)
        except RuntimeError as exc:
            report.add("GGM110", element, f"lambda get-function {arn} failed: {exc}", "check credentials and region, then run again")
            return files or {}, config
        return (fetched if files is None else files), LambdaConfig(config.handler or cloud.handler, config.runtime or cloud.runtime)
    if files is None:
        report.add("GGM110", element, f"the export has no code for it (no lambda-code/{name}/)",
                   f"run gglift migrate --fetch-code, or copy the code to {FUNCTIONS_DIR}/{name}/")
        return {}, config
    return files, config


def _access(ctx: Context, env: dict, element: str) -> tuple[list, list]:
    """The volumes and devices a function's resource access policies give it; other resources reported."""
    report = ctx.report
    volumes, devices = [], []
    for policy in env.get("ResourceAccessPolicies", []):
        rid = policy.get("ResourceId")
        permission = policy.get("Permission", "ro")
        resource = ctx.resources.get(rid)
        if resource is None:
            report.add("GGM304", element, f"access policy for resource {rid!r}, which the group does not have; dropped",
                       "export the group's resource definition (get-resource-definition-version)")
            continue
        ctx.used_resources.add(rid)
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


def finish(fn: Fn, report: Report) -> None:
    """Once subscriptions are known: shadow use or Lambda-component fitness, and the summary item first."""
    element = f"function {fn.name}"
    if fn.shadow:
        report.add("GGM102", element, "uses the local shadow service: it runs unchanged with target = \"component\"",
                   "as a Lambda component it would need the IPC client's shadow operations")
    elif not fn.executable:
        report.lambda_components.append(fn.name)
        report.add("GGM113", element, "would also work as a Lambda component (target = \"lambda\")")
    report.items.insert(_first_index(report, element), _summary(fn))


def _summary(fn: Fn) -> Item:
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
