"""Stream manager in a deployment: which functions use it, the component they need with its
configuration, and the permissions their exports need in the token exchange role.

A function uses stream manager when its code imports ``stream_manager`` (the PyPI package) or
``greengrasssdk.stream_manager``, or asks ``greengrasssdk.client("streammanager")``. The exports
it sets up are found by their config classes (``KinesisConfig(...)`` and so on); the component
exports with the device's token exchange role, which needs each service's write action.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from gglift.config.model import Project
from gglift.port.source import SourceError, read_source
from gglift.routes import function_files

COMPONENT = ("aws.greengrass.StreamManager", "2.2.0")
# The component's defaults, written out: Lambda workers find the port in
# STREAM_MANAGER_SERVER_PORT, and clients authenticate with their component's token.
CONFIGURATION = {"STREAM_MANAGER_SERVER_PORT": "8088", "STREAM_MANAGER_AUTHENTICATE_CLIENT": "true"}

PERMISSIONS = {
    "KinesisConfig": ("kinesis:PutRecords",),
    "IoTAnalyticsConfig": ("iotanalytics:BatchPutMessage",),
    "IoTSiteWiseConfig": ("iotsitewise:BatchPutAssetPropertyValue",),
    "S3ExportTaskExecutorConfig": ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
    "HTTPConfig": (),
}

NUCLEUS_LITE_NOTE = (
    "stream manager on nucleus lite is not supported by gglift: nucleus lite runs no Lambda components, and "
    "AWS's StreamManager component (Java) on nucleus lite 2.0.1 or later is untested here")

_USES = re.compile(
    r"^\s*(?:from\s+(?:greengrasssdk\.)?stream_manager\b|import\s+(?:greengrasssdk\.)?stream_manager\b"
    r"|from\s+greengrasssdk\s+import\s+.*\bstream_manager\b)|\bclient\(\s*['\"]streammanager['\"]", re.M)
_EXPORTS = re.compile(r"\b(" + "|".join(PERMISSIONS) + r")\s*\(")


@dataclass(frozen=True)
class Use:
    """One place a function's code uses stream manager: ``what`` is ``client`` or an export config class."""
    function: str
    what: str
    path: Path
    line: int


def find(project: Project) -> tuple[Use, ...]:
    """Every use of stream manager in the project's functions, in file and line order."""
    found = []
    for fn in project.functions:
        if fn.is_executable:
            continue
        for path in function_files(fn):  # its handler's import closure, as routes are derived
            try:
                text = read_source(path).decode("utf-8")
            except (SourceError, UnicodeDecodeError):
                continue  # the port reports files it cannot read (FIFOs and devices are never opened)
            if "stream_manager" not in text and "streammanager" not in text:
                continue
            for match in _USES.finditer(text):
                found.append(Use(fn.name, "client", path, text.count("\n", 0, match.start()) + 1))
                break
            for match in _EXPORTS.finditer(text):
                found.append(Use(fn.name, match.group(1), path, text.count("\n", 0, match.start()) + 1))
    return tuple(found)


def deployment_component(uses: tuple[Use, ...]) -> dict:
    """The ``components`` entry for aws.greengrass.StreamManager ({} when nothing uses it)."""
    if not uses:
        return {}
    name, version = COMPONENT
    return {name: {"componentVersion": version,
                   "configurationUpdate": {"merge": json.dumps(CONFIGURATION, sort_keys=True)}}}


def permissions(uses: tuple[Use, ...]) -> list[str]:
    """The IAM actions the token exchange role needs for the exports found, sorted."""
    return sorted({action for use in uses for action in PERMISSIONS.get(use.what, ())})


def report_lines(uses: tuple[Use, ...], rel) -> list[str]:
    """The package report's stream manager section; ``rel(path)`` shortens paths."""
    if not uses:
        return []
    name, version = COMPONENT
    settings = ", ".join(f"{k}={v}" for k, v in sorted(CONFIGURATION.items()))
    lines = [f"stream manager: {name} {version} added to the deployment ({settings})"]
    for use in uses:
        kind = "client" if use.what == "client" else f"export {use.what}"
        lines.append(f"  {kind:<34} ({rel(use.path)}:{use.line}, function {use.function})")
    actions = permissions(uses)
    if actions:
        lines.append(f"  token exchange role needs: {', '.join(actions)} (on the export targets)")
    lines.append(f"  note: {NUCLEUS_LITE_NOTE}")
    return lines
