"""AWS request bodies for a function: Lambda create-function/publish-version, greengrassv2
create-component-version (``lambdaFunction``) and create-deployment.

Each body is a plain dict in the API's own spelling, so it can be written as JSON for
``aws ... --cli-input-json file://...``, passed to boto3 as ``**body``, and checked against
botocore's service model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from gglift.config.model import Function, Project, Subscription
from gglift.routes import CLOUD, COMPONENT_PREFIX, Derived

EXECUTABLE_RUNTIME = "arn:aws:greengrass:::runtime/function/executable"

# Versions pinned in derived deployments (create-deployment needs exact versions).
LEGACY_SUBSCRIPTION_ROUTER = ("aws.greengrass.LegacySubscriptionRouter", "2.1.14")
SECRET_MANAGER = ("aws.greengrass.SecretManager", "2.2.0")
SHADOW_MANAGER = ("aws.greengrass.ShadowManager", "2.3.0")

LAMBDA_DEPENDENCIES = {
    "aws.greengrass.LambdaLauncher": {"versionRequirement": ">=2.0.0 <3.0.0", "dependencyType": "HARD"},
    "aws.greengrass.TokenExchangeService": {"versionRequirement": ">=2.0.0 <3.0.0", "dependencyType": "HARD"},
    "aws.greengrass.LambdaRuntimes": {"versionRequirement": ">=2.0.0 <3.0.0", "dependencyType": "SOFT"},
}


@dataclass(frozen=True)
class Target:
    """Where the packaged function goes in AWS: used in ARNs and S3 locations."""

    region: str
    account: str
    bucket: str
    role: str

    @classmethod
    def default(cls, project: Project, region: Optional[str] = None, account: Optional[str] = None,
                bucket: Optional[str] = None, role: Optional[str] = None) -> "Target":
        """Fill what is not given from ``[local]`` and gglift's naming convention."""
        region = region or project.local.region
        account = account or project.local.account
        return cls(
            region=region,
            account=account,
            bucket=bucket or f"gglift-artifacts-{account}-{region}",
            role=role or f"arn:aws:iam::{account}:role/gglift-lambda",
        )

    def function_arn(self, fn: Function, version: Optional[str] = None) -> str:
        """The function's ARN in this target; ``lambda_arn`` wins when the config gives one."""
        if fn.lambda_arn:
            return fn.lambda_arn if version is None else fn.lambda_arn.rsplit(":", 1)[0] + f":{version}"
        arn = f"arn:aws:lambda:{self.region}:{self.account}:function:{fn.name}"
        return arn if version is None else f"{arn}:{version}"

    def thing_arn(self, thing: Optional[str] = None, group: Optional[str] = None) -> str:
        kind, name = ("thinggroup", group) if group else ("thing", thing)
        return f"arn:aws:iot:{self.region}:{self.account}:{kind}/{name}"


def lambda_parameters(fn: Function) -> dict:
    """``componentLambdaParameters`` for ``fn``: every launcher parameter, spelled as the API does."""
    cp = fn.linuxProcessParams.containerParams
    return {
        "eventSources": [{"topic": s.topic, "type": s.type} for s in fn.eventSources],
        "maxQueueSize": fn.maxQueueSize,
        "maxInstancesCount": fn.maxInstancesCount,
        "maxIdleTimeInSeconds": fn.maxIdleTimeInSeconds,
        "timeoutInSeconds": fn.timeoutInSeconds,
        "statusTimeoutInSeconds": fn.statusTimeoutInSeconds,
        "pinned": fn.pinned,
        "inputPayloadEncodingType": fn.inputPayloadEncodingType,
        "execArgs": list(fn.execArgs),
        "environmentVariables": fn.environment,
        "linuxProcessParams": {
            "isolationMode": fn.linuxProcessParams.isolationMode,
            "containerParams": {
                "memorySizeInKB": cp.memorySizeInKB,
                "mountROSysfs": cp.mountROSysfs,
                "volumes": [
                    {"sourcePath": v.sourcePath, "destinationPath": v.destinationPath,
                     "permission": v.permission, "addGroupOwner": v.addGroupOwner}
                    for v in cp.volumes
                ],
                "devices": [{"path": d.path, "permission": d.permission, "addGroupOwner": d.addGroupOwner} for d in cp.devices],
            },
        },
    }


def platforms(fn: Function) -> list[dict]:
    """``componentPlatforms``: one entry per configured platform."""
    out = []
    for p in fn.component.platforms:
        attributes = {"os": p.os}
        if p.architecture:
            attributes["architecture"] = p.architecture
        entry: dict = {"attributes": attributes}
        if p.name:
            entry["name"] = p.name
        out.append(entry)
    return out


def create_component_version(fn: Function, lambda_arn: str) -> dict:
    """greengrassv2 ``CreateComponentVersion`` importing the Lambda version ``lambda_arn``."""
    return {
        "lambdaFunction": {
            "lambdaArn": lambda_arn,
            "componentName": fn.component.name,
            "componentVersion": fn.component.version,
            "componentPlatforms": platforms(fn),
            "componentDependencies": {k: dict(v) for k, v in LAMBDA_DEPENDENCIES.items()},
            "componentLambdaParameters": lambda_parameters(fn),
        }
    }


def function_configuration(fn: Function, target: Target) -> dict:
    """Lambda ``UpdateFunctionConfiguration``: what a published version carries besides code.

    A C executable gets the Greengrass V1 executable runtime and its executable name as handler.
    """
    return {
        "FunctionName": fn.name,
        "Runtime": EXECUTABLE_RUNTIME if fn.is_executable else fn.runtime,
        "Role": target.role,
        "Handler": fn.handler,
        "Timeout": fn.timeoutInSeconds,
        "Environment": {"Variables": fn.environment},
    }


def create_function(fn: Function, target: Target, s3_key: str) -> dict:
    """Lambda ``CreateFunction`` for the artifact at ``s3://<bucket>/<s3_key>``."""
    return {
        **function_configuration(fn, target),
        "Code": {"S3Bucket": target.bucket, "S3Key": s3_key},
        "Description": f"{fn.component.name} {fn.component.version}, packaged by gglift",
        "Publish": False,
    }


def configuration_matches(current: dict, wanted: dict) -> bool:
    """True when a Lambda function or version configuration (as AWS returns it) is ``wanted``."""
    same = all(current.get(key) == wanted[key] for key in ("Runtime", "Role", "Handler", "Timeout"))
    return same and current.get("Environment", {}).get("Variables", {}) == wanted["Environment"]["Variables"]


def update_function_code(fn: Function, target: Target, s3_key: str) -> dict:
    """Lambda ``UpdateFunctionCode``: the same function, new artifact."""
    return {"FunctionName": fn.name, "S3Bucket": target.bucket, "S3Key": s3_key}


def publish_version(fn: Function, code_sha256: str) -> dict:
    """Lambda ``PublishVersion``; ``CodeSha256`` makes it refuse to publish code other than ours."""
    return {"FunctionName": fn.name, "CodeSha256": code_sha256, "Description": f"{fn.component.name} {fn.component.version}"}


def subscription_endpoint(project: Project, name: str, target: Target, versions: Mapping[str, str]) -> str:
    """A subscription endpoint as LegacySubscriptionRouter wants it: a versioned ARN, cloud or component."""
    if name == CLOUD or name.startswith(COMPONENT_PREFIX):
        return name
    fn = project.function(name)
    return target.function_arn(fn, versions.get(name, "1"))


def router_configuration(project: Project, subscriptions: Iterable[Subscription], target: Target,
                         versions: Mapping[str, str]) -> dict:
    """LegacySubscriptionRouter's ``subscriptions`` map, with stable ids."""
    routes = {}
    for index, sub in enumerate(subscriptions, start=1):
        sid = f"gglift-{index}"
        routes[sid] = {
            "id": sid,
            "source": subscription_endpoint(project, sub.source, target, versions),
            "subject": sub.subject,
            "target": subscription_endpoint(project, sub.target, target, versions),
        }
    return {"subscriptions": routes}


def secret_arn(secret_id: str, target: Target) -> str:
    """SecretManager takes ARNs; a bare name becomes a partial ARN in the target account."""
    if secret_id.startswith("arn:"):
        return secret_id
    return f"arn:aws:secretsmanager:{target.region}:{target.account}:secret:{secret_id}"


def deployment_components(project: Project, subscriptions: Iterable[Subscription], derived: Derived,
                          target: Target, versions: Mapping[str, str]) -> dict:
    """The ``components`` map: every Lambda component plus the Greengrass components its code needs."""
    subscriptions = tuple(subscriptions)
    components: dict = {
        fn.component.name: {"componentVersion": fn.component.version}
        for fn in project.functions
        if not fn.is_executable
    }
    if subscriptions:
        name, version = LEGACY_SUBSCRIPTION_ROUTER
        merge = router_configuration(project, subscriptions, target, versions)
        components[name] = {"componentVersion": version, "configurationUpdate": {"merge": json.dumps(merge, sort_keys=True)}}
    components.update(secret_manager_component(derived, target))
    components.update(shadow_manager_component(derived))
    for fn in project.functions:  # what [[function]] components declares, as given
        for name, version in fn.components:
            components.setdefault(name, {"componentVersion": version})
    return components


def secret_manager_component(derived: Derived, target: Target) -> dict:
    """The ``components`` entry for aws.greengrass.SecretManager with the secrets the code
    reads ({} when it reads none)."""
    if not derived.secrets:
        return {}
    name, version = SECRET_MANAGER
    merge = {"cloudSecrets": [{"arn": secret_arn(s, target)} for s in derived.secrets]}
    return {name: {"componentVersion": version, "configurationUpdate": {"merge": json.dumps(merge, sort_keys=True)}}}


def shadow_manager_component(derived: Derived, sync: tuple[str, ...] = ()) -> dict:
    """The ``components`` entry for aws.greengrass.ShadowManager when the code uses shadows or
    ``sync`` names things whose shadows it synchronizes with the cloud ({} otherwise)."""
    if not (derived.shadows or sync):
        return {}
    name, version = SHADOW_MANAGER
    entry: dict = {"componentVersion": version}
    if sync:
        merge = {"synchronize": {"direction": "betweenDeviceAndCloud", "shadowDocuments": [
            {"thingName": thing, "classic": True, "namedShadows": []} for thing in sync]}}
        entry["configurationUpdate"] = {"merge": json.dumps(merge, sort_keys=True)}
    return {name: entry}


def create_deployment(project: Project, target_arn: str, components: dict, name: Optional[str] = None) -> dict:
    """greengrassv2 ``CreateDeployment`` of ``components`` to a thing or thing group ARN."""
    return {
        "targetArn": target_arn,
        "deploymentName": name or f"gglift-{project.root.name}",
        "components": components,
        "deploymentPolicies": {
            "failureHandlingPolicy": "ROLLBACK",
            "componentUpdatePolicy": {"action": "NOTIFY_COMPONENTS", "timeoutInSeconds": 60},
        },
    }
