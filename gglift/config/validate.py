"""Semantic checks of a loaded project, run before anything is built or sent to AWS.

Two kinds of rule:

- the shapes and enums of botocore's own ``greengrassv2`` service model, applied to the
  ``create-component-version`` request each function becomes (so gglift never drifts from
  what the API accepts);
- the rules the service enforces late or with unhelpful errors (facts §3/§4): a Lambda ARN
  without a version, with ``$LATEST`` or an alias; a component version that is not semver;
  numbers below the launcher's minimums; topic filters MQTT refuses; executables that do not
  take binary input; volumes and devices the container cannot mount.

Every problem names the config file, the function, the key path, what is wrong and the fix.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from gglift.config.errors import Problem
from gglift.config import on_disk
from gglift.config.model import ARCHITECTURES, Function, Project
from gglift.routes import CLOUD, COMPONENT_PREFIX

# The launcher's minimums (facts §3), keyed by config path below the function.
MINIMUMS = {
    "maxInstancesCount": 1,
    "maxIdleTimeInSeconds": 30,
    "timeoutInSeconds": 1,
    "statusTimeoutInSeconds": 30,
    "maxQueueSize": 1,
    "linuxProcessParams.containerParams.memorySizeInKB": 2048,
}

# Semantic Versioning 2.0.0, as Greengrass requires for component versions.
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
LAMBDA_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]+(?::(?P<qualifier>[^:]*))?$")
PYTHON_RUNTIME = re.compile(r"^python3\.(?P<minor>\d+)$")
# Lambda no longer runs python3.7 and older (deprecated runtimes), so neither does a device's
# Lambda launcher with a current nucleus.
OLDEST_PYTHON_MINOR = 8
SUPPORTED_RUNTIMES = "python3.8 or newer (python3.8 to python3.13; python3.11 is the default)"
# Lambda's own rules for a function name and an environment variable name.
FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Greengrass's rule for a component name (its length comes from the service model); gglift
# also names output folders after it, so it must never be a path.
COMPONENT_NAME = re.compile(r"^[A-Za-z0-9._-]*$")
ENV_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# Request paths of create-component-version -> config key paths below function[i].
_REQUEST_TO_CONFIG = (
    ("lambdaFunction.componentLambdaParameters.", ""),
    ("lambdaFunction.componentName", "component.name"),
    ("lambdaFunction.componentVersion", "component.version"),
    ("lambdaFunction.componentPlatforms", "component.platforms"),
    ("lambdaFunction.lambdaArn", "lambda_arn"),
)


def validate(project: Project) -> list[Problem]:
    """Every semantic problem of ``project`` (empty when it is fine to build)."""
    problems: list[Problem] = []
    for index, fn in enumerate(project.functions):
        found = list(_function_problems(project, fn))
        if not any(key == "source" for key, _, _ in found):  # a refused folder's contents are not looked at
            found.extend(on_disk.function_problems(project, fn))
        for key, message, hint in found:
            problems.append(Problem(project.config_path, fn.name, f"function[{index}].{key}" if key else f"function[{index}]", message, hint))
    names = {fn.name for fn in project.functions}
    for index, sub in enumerate(project.subscriptions or ()):
        path = f"subscription[{index}]"
        for key in ("source", "target"):
            end = getattr(sub, key)
            if end != CLOUD and not end.startswith(COMPONENT_PREFIX) and end not in names:
                problems.append(Problem(project.config_path, None, f"{path}.{key}", f"{end!r} is not a function of this project, `cloud` or `component:<name>`",
                                        f"use one of: {', '.join(sorted(names))}, cloud, component:<name>"))
        for message in topic_filter_problems(sub.subject):
            problems.append(Problem(project.config_path, None, f"{path}.subject", message, "`+` and `#` must fill a whole level; `#` only as the last level"))
        if sub.qos not in (0, 1):
            problems.append(Problem(project.config_path, None, f"{path}.qos", f"QoS {sub.qos} is not supported", "use 0 or 1"))
        elif sub.qos and (sub.target != CLOUD or project.target != "component"):
            problems.append(Problem(project.config_path, None, f"{path}.qos", "qos applies to routes to `cloud` with target = \"component\" only",
                                    "remove it: local pub/sub has no QoS, and the V1 SDK's Lambda components publish QoS 0"))
    for key, message, hint in on_disk.local_problems(project):
        problems.append(Problem(project.config_path, None, key, message, hint))
    components = {}
    for index, fn in enumerate(project.functions):
        if project.target == "component":  # one host component, the first function's, runs them all
            continue
        other = components.setdefault(fn.component.name, fn.name)
        if other != fn.name:
            problems.append(Problem(project.config_path, fn.name, f"function[{index}].component.name",
                                    f"component name {fn.component.name!r} is already used by function {other!r}", "give each function its own component name"))
    return problems


def _function_problems(project: Project, fn: Function) -> Iterator[tuple[str, str, str]]:
    from gglift.package.requests import create_component_version  # the request this function becomes

    for request_path, message in check_shape(create_component_version(fn, project.function_arn(fn)), _request_shape()):
        yield _config_path(request_path), message, "see the CreateComponentVersion API reference for the allowed values"

    if not FUNCTION_NAME.match(fn.name):
        yield "name", f"{fn.name!r} is not a valid Lambda function name", "use 1 to 64 letters, digits, - and _"
    # (the default component name is the function's, whose own problem is reported above)
    named = fn.component.name != fn.name or FUNCTION_NAME.match(fn.name)
    if named and (not COMPONENT_NAME.match(fn.component.name) or fn.component.name in (".", "..")):
        yield ("component.name", f"{fn.component.name!r} is not a valid component name",
               "use 1 to 128 letters, digits, '.', '-' and '_', e.g. \"com.example.SensorGateway\"")
    yield from _path_problems(project, fn)
    for key in sorted(k for k, _ in fn.environmentVariables if not ENV_NAME.match(k)):
        yield f"environmentVariables.{key}", f"{key!r} is not a valid environment variable name", "start with a letter; use letters, digits and _"
    python = PYTHON_RUNTIME.match(fn.runtime)
    if not (fn.is_executable or python):
        yield "runtime", f"unsupported runtime {fn.runtime!r}", 'use "python3.x" (e.g. "python3.11") or "executable" for a C Lambda executable'
    elif python and int(python.group("minor")) < OLDEST_PYTHON_MINOR:
        yield "runtime", f"{fn.runtime} is a deprecated Lambda runtime", f"use {SUPPORTED_RUNTIMES}, and test the code on it"
    if fn.lambda_arn is not None:
        yield from _arn_problems(fn.lambda_arn)
    if not SEMVER.match(fn.component.version):
        yield "component.version", f"{fn.component.version!r} is not a semantic version", 'write MAJOR.MINOR.PATCH, e.g. "1.0.0" (Lambda version N is usually "N.0.0")'
    for name, version in fn.components:
        if not SEMVER.match(version):
            yield f"components.{name}", f"{version!r} is not a semantic version", 'write the version to deploy, e.g. "2.1.0"'
    for i, platform in enumerate(fn.component.platforms):
        if platform.architecture is not None and platform.architecture not in ARCHITECTURES:
            yield f"component.platforms[{i}].architecture", f"unknown architecture {platform.architecture!r}", f"use one of: {', '.join(ARCHITECTURES)}"
    for key, minimum in MINIMUMS.items():
        value = _get(fn, key)
        if value < minimum:
            yield key, f"{value} is below the minimum of {minimum}", f"set it to {minimum} or more, or remove it for the default"
    for i, source in enumerate(fn.eventSources):
        for message in topic_filter_problems(source.topic):
            yield f"eventSources[{i}].topic", message, "`+` and `#` must fill a whole level; `#` only as the last level"
    if fn.is_executable and fn.inputPayloadEncodingType != "binary":
        yield "inputPayloadEncodingType", "C Lambda executables take binary input only", 'set inputPayloadEncodingType = "binary" or remove the key'
    cp_path = "linuxProcessParams.containerParams"
    cp = fn.linuxProcessParams.containerParams
    for i, volume in enumerate(cp.volumes):
        for key in ("sourcePath", "destinationPath"):
            value = getattr(volume, key)
            if not value.startswith("/"):
                yield f"{cp_path}.volumes[{i}].{key}", f"{value!r} is not an absolute path", "write the full path, starting with /"
            elif _under(value, "/proc"):
                yield f"{cp_path}.volumes[{i}].{key}", f"{value!r} is inside /proc, which the container does not let you mount", "mount a folder outside /proc; set mountROSysfs = true for /sys"
            elif _under(value, "/dev"):
                yield f"{cp_path}.volumes[{i}].{key}", f"{value!r} is a device path", "list it under containerParams.devices instead"
    for i, device in enumerate(cp.devices):
        if not _under(device.path, "/dev") or device.path.rstrip("/") == "/dev":
            yield f"{cp_path}.devices[{i}].path", f"{device.path!r} is not a device under /dev", 'give the device file, e.g. "/dev/ttyUSB0"; mount folders as volumes'


def _path_problems(project: Project, fn: Function) -> Iterator[tuple[str, str, str]]:
    """``source`` inside the project, an executable ``handler`` inside ``source``: gglift reads
    from these paths and puts what it finds into artifacts that leave the machine."""
    from gglift.package.artifact import unsafe_name  # the handler is also the executable's archive name

    root = Path(os.path.realpath(project.root))
    source = Path(os.path.realpath(fn.source))
    if source != root and root not in source.parents:
        yield ("source", f"the source folder {fn.source} is outside the project folder {project.root} (symlinks count where they point)",
               "keep the function's code inside the project folder and point source at it")
    if fn.is_executable:
        why = unsafe_name(fn.handler)
        if not why and os.path.realpath(source / fn.handler) != os.path.join(source, fn.handler):
            why = "it leads through a symlink"
        if why:
            yield ("handler", f"the executable {fn.handler!r} is not a plain path inside the source folder: {why}",
                   "name the executable's file relative to source, e.g. \"build/my_lambda\", without '..' or symlinks")


def _arn_problems(arn: str) -> Iterator[tuple[str, str, str]]:
    match = LAMBDA_ARN.match(arn)
    if not match:
        yield "lambda_arn", f"{arn!r} is not a Lambda function ARN", "use arn:aws:lambda:<region>:<account>:function:<name>:<version>"
        return
    qualifier = match.group("qualifier")
    fix = f"append the published version number, e.g. {arn.split(':function:')[0]}:function:{arn.split(':')[6]}:1"
    if qualifier is None:
        yield "lambda_arn", "the ARN has no version: Greengrass imports only a published Lambda version", fix
    elif qualifier == "$LATEST":
        yield "lambda_arn", "$LATEST cannot be imported as a component: Greengrass needs a published version", fix
    elif not qualifier.isdigit():
        yield "lambda_arn", f"{qualifier!r} is an alias: Greengrass refuses aliases (with an AccessDenied error)", fix


def topic_filter_problems(topic: str) -> list[str]:
    """Why ``topic`` is not a valid MQTT topic filter (empty when it is valid).

    >>> topic_filter_problems("a/#/b")
    ['`#` must be the last level of the filter']
    >>> topic_filter_problems("a/b+")
    ['`+` must be a whole level, not part of "b+"']
    """
    if not topic:
        return ["the topic filter is empty"]
    problems = []
    if "\x00" in topic:
        problems.append("the topic filter contains a NUL character")
    if len(topic.encode("utf-8")) > 65535:
        problems.append("the topic filter is longer than 65535 bytes")
    levels = topic.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            problems.append("`#` must be the last level of the filter" if level == "#" else f'`#` must be a whole level, not part of "{level}"')
        if "+" in level and level != "+":
            problems.append(f'`+` must be a whole level, not part of "{level}"')
    return problems


def check_shape(value: Any, shape, path: str = "") -> Iterator[tuple[str, str]]:
    """Check ``value`` against a botocore shape: types, required members, enums, lengths.

    Yields ``(path, message)`` for each problem; botocore's own validator stops short of enums.
    """
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            yield path, "must be a table"
            return
        for name in shape.required_members:
            if name not in value:
                yield _join(path, name), "is required"
        for name, member in value.items():
            if name not in shape.members:
                yield _join(path, name), "is not a key the API knows"
            else:
                yield from check_shape(member, shape.members[name], _join(path, name))
    elif kind == "list":
        if not isinstance(value, list):
            yield path, "must be an array"
            return
        yield from _length(len(value), shape, path, "items")
        for i, item in enumerate(value):
            yield from check_shape(item, shape.member, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            yield path, "must be a table"
            return
        for key, item in value.items():
            yield from _length(len(key), shape.key, _join(path, key), "characters in the key")
            yield from check_shape(item, shape.value, _join(path, key))
    elif kind == "string":
        if not isinstance(value, str):
            yield path, "must be a string"
            return
        if shape.enum and value not in shape.enum:
            yield path, f"{value!r} is not one of {', '.join(shape.enum)}"
        yield from _length(len(value), shape, path, "characters")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            yield path, "must be an integer"
        elif "min" in shape.metadata and value < shape.metadata["min"]:
            yield path, f"{value} is below the minimum of {shape.metadata['min']}"
    elif kind == "boolean" and not isinstance(value, bool):
        yield path, "must be a boolean"


def _length(size: int, shape, path: str, unit: str) -> Iterator[tuple[str, str]]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        yield path, f"needs at least {low} {unit}"
    if high is not None and size > high:
        yield path, f"allows at most {high} {unit}"


@lru_cache(maxsize=None)
def _request_shape():
    import botocore.session

    model = botocore.session.get_session().get_service_model("greengrassv2")
    return model.operation_model("CreateComponentVersion").input_shape


def _config_path(request_path: str) -> str:
    for prefix, replacement in _REQUEST_TO_CONFIG:
        if request_path.startswith(prefix):
            return replacement + request_path[len(prefix):]
    return request_path


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _get(fn: Function, dotted: str) -> Any:
    value: Any = fn
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _under(path: str, root: str) -> bool:
    import posixpath

    normal = posixpath.normpath(path)
    return normal == root or normal.startswith(root + "/")
