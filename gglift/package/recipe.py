"""The component recipe Greengrass V2 generates when it imports a Lambda version (facts §4).

``recipe_values`` computes every field; the ``recipe.json.j2``/``recipe.yaml.j2`` templates
lay them out. Writing the recipe ourselves lets a user deploy locally with ``greengrass-cli``
and see exactly what the cloud import will produce.
"""

from __future__ import annotations

import json

from gglift.config.model import Function
from gglift.package.render import render
from gglift.package.requests import LAMBDA_DEPENDENCIES, platforms

ARTIFACT_NAME = "lambda-artifact.zip"
LAUNCHER = "{aws.greengrass.LambdaLauncher:artifacts:path}/lambda-launcher"


def default_configuration(fn: Function) -> dict:
    """``ComponentConfiguration.DefaultConfiguration``: the launcher's keys (facts §3)."""
    cp = fn.linuxProcessParams.containerParams
    return {
        "lambdaExecutionParameters": {"EnvironmentVariables": fn.environment},
        "containerParams": {
            "memorySize": cp.memorySizeInKB,
            "mountROSysfs": cp.mountROSysfs,
            "volumes": {
                str(i): {"sourcePath": v.sourcePath, "destinationPath": v.destinationPath,
                         "permission": v.permission, "addGroupOwner": v.addGroupOwner}
                for i, v in enumerate(cp.volumes)
            },
            "devices": {
                str(i): {"path": d.path, "permission": d.permission, "addGroupOwner": d.addGroupOwner}
                for i, d in enumerate(cp.devices)
            },
        },
        "containerMode": fn.linuxProcessParams.isolationMode,
        "timeoutInSeconds": fn.timeoutInSeconds,
        "maxInstancesCount": fn.maxInstancesCount,
        "inputPayloadEncodingType": fn.inputPayloadEncodingType,
        "maxQueueSize": fn.maxQueueSize,
        "pinned": fn.pinned,
        "maxIdleTimeInSeconds": fn.maxIdleTimeInSeconds,
        "statusTimeoutInSeconds": fn.statusTimeoutInSeconds,
        "pubsubTopics": {str(i): {"topic": s.topic, "type": s.type} for i, s in enumerate(fn.eventSources)},
    }


def exec_args(fn: Function) -> list[str]:
    """The command line the launcher starts the Python runtime with, then the user's execArgs."""
    return [fn.runtime, "-u", "/runtime/python/lambda_runtime.py", f"--handler={fn.handler}", *fn.execArgs]


def recipe_values(fn: Function, lambda_arn: str, digest: str) -> dict:
    """Every field of the recipe for ``fn`` imported from ``lambda_arn``; ``digest`` is the
    artifact's base64 SHA-256."""
    return {
        "name": fn.component.name,
        "version": fn.component.version,
        "source": lambda_arn,
        "configuration": default_configuration(fn),
        "dependencies": {
            name: {"VersionRequirement": dep["versionRequirement"], "DependencyType": dep["dependencyType"]}
            for name, dep in LAMBDA_DEPENDENCIES.items()
        },
        "platforms": [p["attributes"] for p in platforms(fn)],
        "artifact": {"uri": f"greengrass:{ARTIFACT_NAME}", "digest": digest},
        "startup": f"{LAUNCHER} start",
        "shutdown": f"{LAUNCHER} stop; {LAUNCHER} clean",
        "setenv": {
            "AWS_GREENGRASS_LAMBDA_CONTAINER_MODE": "{configuration:/containerMode}",
            "AWS_GREENGRASS_LAMBDA_ARN": lambda_arn,
            "AWS_GREENGRASS_LAMBDA_FUNCTION_HANDLER": fn.handler,
            "AWS_GREENGRASS_LAMBDA_ARTIFACT_PATH": "{artifacts:decompressedPath}/lambda-artifact",
            "AWS_GREENGRASS_LAMBDA_CONTAINER_PARAMS": "{configuration:/containerParams}",
            "AWS_GREENGRASS_LAMBDA_STATUS_TIMEOUT_SECONDS": "{configuration:/statusTimeoutInSeconds}",
            "AWS_GREENGRASS_LAMBDA_ENCODING_TYPE": "{configuration:/inputPayloadEncodingType}",
            "AWS_GREENGRASS_LAMBDA_PARAMS": "{configuration:/lambdaExecutionParameters}",
            "AWS_GREENGRASS_LAMBDA_RUNTIME_PATH": "{aws.greengrass.LambdaRuntimes:artifacts:decompressedPath}/runtime/",
            "AWS_GREENGRASS_LAMBDA_EXEC_ARGS": json.dumps(exec_args(fn)),
            "AWS_GREENGRASS_LAMBDA_RUNTIME": fn.runtime,
        },
    }


def render_recipe(fn: Function, lambda_arn: str, digest: str) -> tuple[str, str]:
    """The recipe as (JSON text, YAML text)."""
    values = recipe_values(fn, lambda_arn, digest)
    return render("recipe.json.j2", r=values), render("recipe.yaml.j2", r=values)
