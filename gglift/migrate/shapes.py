"""botocore's ``greengrass`` service model: recognising export files and checking them.

The model is the reference for every field (facts §9): an export is recognised by the members
of its ``Definition``, then checked with the same shape walker ``gglift package`` uses for
``greengrassv2``. Unknown keys are reported (GGM120) rather than dropped silently; wrong types
and unknown resource types stop the migration.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from gglift.config.validate import check_shape
from gglift.migrate.errors import MigrateError
from gglift.migrate.report import Item

# The list member that tells each definition version apart, and the output it comes from.
MEMBERS = {
    "core": ("Cores", "GetCoreDefinitionVersion"),
    "device": ("Devices", "GetDeviceDefinitionVersion"),
    "function": ("Functions", "GetFunctionDefinitionVersion"),
    "subscription": ("Subscriptions", "GetSubscriptionDefinitionVersion"),
    "resource": ("Resources", "GetResourceDefinitionVersion"),
    "logger": ("Loggers", "GetLoggerDefinitionVersion"),
    "connector": ("Connectors", "GetConnectorDefinitionVersion"),
}
GROUP_OPERATION = "GetGroupVersion"
# GroupVersion member naming each kind's definition version ARN.
GROUP_MEMBERS = {kind: f"{kind.capitalize()}DefinitionVersionArn" for kind in MEMBERS}

UNKNOWN_KEY = "is not a key the API knows"  # what check_shape says about an unknown key
_RESOURCE_TYPE = re.compile(r"^Resources\[\d+\]\.ResourceDataContainer\.[^.]+$")


@lru_cache(maxsize=None)
def _model():
    import botocore.session

    return botocore.session.get_session().get_service_model("greengrass")


def output_shape(kind: str):
    """The response shape of the ``get-*-version`` call that exports ``kind`` (``group`` too)."""
    operation = GROUP_OPERATION if kind == "group" else MEMBERS[kind][1]
    return _model().operation_model(operation).output_shape


def recognise(document) -> Optional[str]:
    """The kind of export ``document`` is (``group``, ``function``...), or None.

    Recognised by shape, not by file name: a ``Definition`` whose members are those of one
    definition version (or of a group version) of the model.
    """
    if not isinstance(document, dict) or not isinstance(document.get("Definition"), dict):
        return None
    members = set(document["Definition"])
    if members and members <= set(output_shape("group").members["Definition"].members):
        return "group"
    for kind, (member, _) in MEMBERS.items():
        if member in members:
            return kind
    return None


def check(document: dict, kind: str, file: str) -> list[Item]:
    """Check an export against its output shape: GGM120 items for unknown keys; raises on the rest."""
    notes = []
    for path, message in check_shape(document, output_shape(kind)):
        where = f"$.{path}"
        inner = path[len("Definition."):] if path.startswith("Definition.") else path
        if message == UNKNOWN_KEY and kind == "resource" and _RESOURCE_TYPE.match(inner):
            raise MigrateError("GGM903", file, where, f"unknown resource type {path.rsplit('.', 1)[1]!r}",
                               "use one of: " + ", ".join(sorted(_resource_types())))
        if message == UNKNOWN_KEY:
            notes.append(Item("GGM120", f"file {file}", f"{where} {message}; it is not migrated"))
        else:
            raise MigrateError("GGM901", file, where, message, "compare with the AWS CLI's output for this call")
    if kind == "resource":
        for index, resource in enumerate(document["Definition"].get("Resources", [])):
            container = resource.get("ResourceDataContainer") if isinstance(resource, dict) else None
            if isinstance(container, dict) and not container:
                raise MigrateError("GGM903", file, f"$.Definition.Resources[{index}].ResourceDataContainer",
                                   "the resource has no data (no resource type)",
                                   "use one of: " + ", ".join(sorted(_resource_types())))
    return notes


def _resource_types() -> list[str]:
    return list(_model().shape_for("ResourceDataContainer").members)
