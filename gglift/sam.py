"""A gglift.toml from an AWS SAM template: where most Lambda projects start.

Each ``AWS::Serverless::Function`` (and plain ``AWS::Lambda::Function`` with a local code
folder) becomes a ``[[function]]`` with the same handler, runtime, code folder, timeout,
memory and environment (``Globals.Function`` included). ``IoTRule`` events become ``IOT_CORE``
event sources on the rule's topic; events Greengrass has no counterpart for (API Gateway,
schedules, queues) and values computed by CloudFormation (``!Ref``, ``!Sub``...) are listed
as comments in the config, so nothing is dropped silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from gglift.toml_writer import value

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
# FROM 'topic/filter' in an IoT rule's SQL.
RULE_TOPIC = re.compile(r"\bFROM\s+'([^']+)'", re.I)


class SamError(Exception):
    """The template cannot be read or holds no function gglift can take."""


@dataclass
class Converted:
    """The config text and what could not be carried over."""

    toml: str
    functions: list[str]
    skipped: list[str] = field(default_factory=list)


def read_template(path: Path) -> dict:
    """The template as data; CloudFormation's short tags (``!Ref x``) become ``{"Ref": x}``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SamError(f"cannot read {path}: {exc.strerror}") from None
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise SamError(f"{path}: not valid JSON: {exc}") from None
    try:
        import yaml

        from gglift import cfn_yaml
    except ImportError:
        raise SamError("reading a YAML template needs PyYAML: pip install PyYAML") from None
    try:
        data = cfn_yaml.load(text)
    except yaml.YAMLError as exc:
        raise SamError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SamError(f"{path}: not a CloudFormation template (no top-level mapping)")
    return data


def convert(template: dict, root: Path) -> Converted:
    """The gglift.toml text for ``template``, whose code folders are relative to ``root``."""
    defaults = (template.get("Globals") or {}).get("Function") or {}
    resources = template.get("Resources") or {}
    blocks, names, skipped = [], [], []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in FUNCTION_TYPES:
            continue
        props = {**defaults, **(resource.get("Properties") or {})}
        text, notes = _function(logical_id, props, root)
        if text is None:
            skipped.append(f"{logical_id}: {notes[0]}")
            continue
        blocks.append(text)
        names.append(logical_id)
        skipped.extend(f"{logical_id}: {note}" for note in notes)
    if not blocks:
        raise SamError("the template has no AWS::Serverless::Function with a local CodeUri and a Handler"
                       + (f" ({'; '.join(skipped)})" if skipped else ""))
    header = "# gglift project config, from a SAM template. docs/config.md lists every key.\n"
    if skipped:
        header += "# Not carried over (Greengrass has no counterpart, or CloudFormation computes it):\n"
        header += "".join(f"#   {item}\n" for item in skipped)
    return Converted(header + "\n" + "\n".join(blocks), names, skipped)


def _function(logical_id: str, props: dict, root: Path) -> tuple[str | None, list[str]]:
    notes: list[str] = []
    code = props.get("CodeUri", props.get("Code", "."))
    if not isinstance(code, str) or code.startswith("s3://"):
        return None, ["its code is not a local folder (CodeUri)"]
    handler, runtime = props.get("Handler"), props.get("Runtime", "python3.11")
    if not isinstance(handler, str):
        return None, ["no Handler"]
    if not (isinstance(runtime, str) and runtime.startswith("python")):
        return None, [f"runtime {runtime!r}: gglift runs Python functions (and C executables)"]
    name = props.get("FunctionName") if isinstance(props.get("FunctionName"), str) else logical_id
    lines = ["[[function]]", f"name = {value(name)}", f"handler = {value(handler)}", f"runtime = {value(runtime)}",
             f"source = {value(code.rstrip('/') or '.')}"]
    if (root / code / "requirements.txt").is_file():
        lines.append(f"requirements = {value(str(Path(code) / 'requirements.txt'))}")
    if isinstance(props.get("Timeout"), int):
        lines.append(f"timeoutInSeconds = {props['Timeout']}")
    env = ((props.get("Environment") or {}).get("Variables") or {})
    plain = {k: v for k, v in env.items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)}
    notes.extend(f"environment variable {k} (computed by CloudFormation)" for k in env if k not in plain)
    if plain:
        lines.append(f"environmentVariables = {value({k: str(v) for k, v in plain.items()})}")
    sources = []
    for name, event in (props.get("Events") or {}).items():
        kind = (event or {}).get("Type")
        sql = ((event or {}).get("Properties") or {}).get("Sql")
        topic = RULE_TOPIC.search(sql) if isinstance(sql, str) else None
        if kind == "IoTRule" and topic:
            sources.append(f'{{ topic = {value(topic.group(1))}, type = "IOT_CORE" }}')
        else:
            notes.append(f"event {name} ({kind})")
    if sources:
        lines.append(f"eventSources = [{', '.join(sources)}]")
    if isinstance(props.get("MemorySize"), int):
        lines.append(f"linuxProcessParams = {{ containerParams = {{ memorySizeInKB = {max(2048, props['MemorySize'] * 1024)} }} }}")
    return "\n".join(lines) + "\n", notes


