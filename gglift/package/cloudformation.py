"""CloudFormation resources (``AWS::GreengrassV2::ComponentVersion`` and ``::Deployment``)
from the same request bodies the CLI path uses, so both paths deploy the same thing.

CloudFormation spells the API's camelCase members in PascalCase; map keys chosen by the user
(environment variables, component and dependency names) keep their spelling.
"""

from __future__ import annotations

from gglift.config.model import Function
from gglift.package.requests import create_component_version

# Members whose value is a map keyed by user-chosen names.
_USER_KEYED = {"environmentVariables", "componentDependencies", "components", "attributes"}
# Where CloudFormation's spelling is not just the first letter upper-cased.
_SPELLING = {"memorySizeInKB": "MemorySizeInKB", "mountROSysfs": "MountROSysfs"}


def pascal(value, user_keyed: bool = False):
    """Convert an API request body to CloudFormation's property spelling."""
    if isinstance(value, dict):
        return {
            (key if user_keyed else _SPELLING.get(key, key[:1].upper() + key[1:])): pascal(item, key in _USER_KEYED and not user_keyed)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [pascal(item) for item in value]
    return value


def component_resource(fn: Function, lambda_arn: str) -> dict:
    """An ``AWS::GreengrassV2::ComponentVersion`` importing ``lambda_arn``."""
    return {"Type": "AWS::GreengrassV2::ComponentVersion", "Properties": pascal(create_component_version(fn, lambda_arn))}


def deployment_resource(deployment: dict, depends_on: list[str]) -> dict:
    """An ``AWS::GreengrassV2::Deployment`` of the create-deployment body ``deployment``."""
    resource = {"Type": "AWS::GreengrassV2::Deployment", "Properties": pascal(deployment)}
    if depends_on:
        resource["DependsOn"] = depends_on
    return resource
