"""A folder of AWS CLI exports of a V1 group, recognised by shape.

AWS's export script writes ``group.json`` (``get-group-version``), ``functions.json`` and
``subscriptions.json`` and ``lambda-code/<name>/``; users also saved the other
``get-*-definition-version`` outputs, and ``lambda get-function`` outputs, under any name.
Every ``*.json`` file of the folder is read; the group version picks its definitions by ARN.
"""

from __future__ import annotations

from pathlib import Path

from gglift.migrate import shapes
from gglift.migrate.errors import MigrateError
from gglift.migrate.group import Definition, Group, LambdaConfig
from gglift.migrate.reading import read_json
from gglift.migrate.report import Item

CODE_DIR = "lambda-code"
# Definitions a group cannot be migrated without; AWS's script exports these two.
REQUIRED = ("function", "subscription")


def read_exports(folder: Path) -> Group:
    """Read the exports in ``folder`` into a :class:`Group`; raises :class:`MigrateError`."""
    found: dict[str, list[tuple[str, dict]]] = {}
    group = Group(code_dir=folder / CODE_DIR)
    for path in sorted(folder.glob("*.json")):
        label = path.name
        document = read_json(path, label)
        kind = shapes.recognise(document)
        if kind is None and _is_get_function(document):
            config = document["Configuration"]
            group.lambdas[config["FunctionName"]] = LambdaConfig(config.get("Handler"), config.get("Runtime"))
            continue
        if kind is None:
            group.notes.append(Item("GGM900", f"file {label}", "not a Greengrass V1 export (get-group-version or "
                                    "get-*-definition-version output); ignored"))
            continue
        group.notes.extend(shapes.check(document, kind, label))
        found.setdefault(kind, []).append((label, document))
    if not found:
        raise MigrateError("GGM904", str(folder), "", "no Greengrass V1 export here",
                           "give the folder AWS's export script wrote (group.json, functions.json, ...) or a template")
    groups = found.pop("group", [])
    if len(groups) > 1:
        raise MigrateError("GGM901", groups[1][0], "$", f"a second group version (the first is {groups[0][0]})",
                           "keep one group's export per folder")
    if groups:
        label, document = groups[0]
        _select_by_group(group, label, document["Definition"], found)
    else:
        _select_alone(group, found)
    return group


def _select_by_group(group: Group, label: str, version: dict, found: dict) -> None:
    for kind in shapes.MEMBERS:
        member = shapes.GROUP_MEMBERS[kind]
        arn = version.get(member)
        if arn is None:
            continue
        matches = [(file, doc) for file, doc in found.get(kind, []) if doc.get("Arn") == arn]
        hint = f"save `aws greengrass {_cli_name(shapes.MEMBERS[kind][1])}` for it in the folder"
        if not matches and kind in REQUIRED:
            raise MigrateError("GGM902", label, f"$.Definition.{member}", f"names {arn}, which no file of the export holds", hint)
        if not matches:
            group.notes.append(Item("GGM906", "group", f"the {kind} definition ({member}) is not in the export; "
                                    "its settings are not migrated", hint))
            continue
        file, document = matches[0]
        group.definitions[kind] = Definition(kind, document["Definition"], file, "$.Definition")


def _select_alone(group: Group, found: dict) -> None:
    """Without a group version, each kind may have one definition version only."""
    for kind, documents in found.items():
        if len(documents) > 1:
            raise MigrateError("GGM901", documents[1][0], "$",
                               f"a second {kind} definition (the first is {documents[0][0]}) and no group version to choose",
                               "add the group's get-group-version output (group.json)")
        file, document = documents[0]
        group.definitions[kind] = Definition(kind, document["Definition"], file, "$.Definition")


def _is_get_function(document) -> bool:
    config = document.get("Configuration") if isinstance(document, dict) else None
    return isinstance(config, dict) and isinstance(config.get("FunctionName"), str) and "FunctionArn" in config


def _cli_name(operation: str) -> str:
    """``GetFunctionDefinitionVersion`` -> ``get-function-definition-version``."""
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in operation).lstrip("-")
