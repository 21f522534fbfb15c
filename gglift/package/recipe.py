"""The component recipe Greengrass V2 generates when it imports a Lambda version (facts §4).

``recipe_values`` computes every field; the ``recipe.json.j2``/``recipe.yaml.j2`` templates
lay them out. Writing the recipe ourselves lets a user deploy locally with ``greengrass-cli``
and see exactly what the cloud import will produce.
"""

from __future__ import annotations

import json

from gglift.config.model import Function
from gglift.package.render import render
from gglift.package.requests import LAMBDA_DEPENDENCIES, lambda_parameters, platforms

ARTIFACT_NAME = "lambda-artifact.zip"
LAUNCHER = "{aws.greengrass.LambdaLauncher:artifacts:path}/lambda-launcher"


def default_configuration(fn: Function) -> dict:
    """``ComponentConfiguration.DefaultConfiguration``: the launcher's keys (facts §3).

    Greengrass generates it from the import request's ``componentLambdaParameters``, so it is
    built from :func:`lambda_parameters` too: lists become maps keyed "0", "1", ...
    """
    params = lambda_parameters(fn)
    linux = params["linuxProcessParams"]
    cp = linux["containerParams"]
    return {
        "lambdaExecutionParameters": {"EnvironmentVariables": params["environmentVariables"]},
        "containerParams": {
            "memorySize": cp["memorySizeInKB"],
            "mountROSysfs": cp["mountROSysfs"],
            "volumes": _indexed(cp["volumes"]),
            "devices": _indexed(cp["devices"]),
        },
        "containerMode": linux["isolationMode"],
        **{key: params[key] for key in ("timeoutInSeconds", "maxInstancesCount", "inputPayloadEncodingType", "maxQueueSize",
                                        "pinned", "maxIdleTimeInSeconds", "statusTimeoutInSeconds")},
        "pubsubTopics": _indexed(params["eventSources"]),
    }


def _indexed(items: list) -> dict:
    return {str(i): item for i, item in enumerate(items)}


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
