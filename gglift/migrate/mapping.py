"""From a V1 :class:`~gglift.migrate.group.Group` to a gglift project, item by item, with the report.

The project is built as plain ordered data (what ``gglift.toml`` holds) so that writing it is
a separate, deterministic step. Every V1 element gives at least one report item: what it
became, what changed meaning, or why it cannot move. Functions (:mod:`.functions`) are mapped
first, then subscriptions (:mod:`.subscriptions`), which add event sources and mark shadow
use, then the group's other elements (:mod:`.elements`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from gglift.migrate import elements
from gglift.migrate.errors import MigrateError
from gglift.migrate.functions import finish, migrate_function
from gglift.migrate.group import Group
from gglift.migrate.report import Report
from gglift.migrate.subscriptions import migrate_subscriptions

TARGET = "component"


@dataclass
class Plan:
    """What ``gglift migrate`` will write: the project's data, the code files, the report."""

    project: dict
    files: dict  # relative path -> (bytes, mode)
    report: Report
    components: dict = field(default_factory=dict)  # V2 component -> configuration to merge (components.json)


@dataclass
class Context:
    """What the mapping steps share while one group is migrated."""

    group: Group
    report: Report
    fetch_code: bool = False
    download: Optional[Callable[[str], bytes]] = None
    files: dict = field(default_factory=dict)
    components: dict = field(default_factory=dict)
    resources: dict = field(default_factory=dict)  # resource id -> resource
    used_resources: set = field(default_factory=set)


def build(group: Group, source_label: str, fetch_code: bool = False,
          download: Optional[Callable[[str], bytes]] = None) -> Plan:
    """Map ``group`` to a project; raises :class:`MigrateError` for input it cannot read."""
    ctx = Context(group, Report(source=source_label, target=TARGET), fetch_code, download)
    report = ctx.report
    report.items.extend(group.notes)
    ctx.resources = {r.get("Id"): r for r in group.items("resource", "Resources")}
    connectors = elements.connectors(group, report, ctx.components)
    functions = {entry.get("FunctionArn", ""): migrate_function(ctx, index, entry)  # None: left out
                 for index, entry in enumerate(group.items("function", "Functions"))}
    migrated = [fn for fn in functions.values() if fn is not None]
    subscriptions = migrate_subscriptions(ctx, functions, connectors)
    elements.unused_resources(ctx.resources, ctx.used_resources, report)
    for fn in migrated:
        finish(fn, report)
    local = elements.local_settings(group, migrated, report)
    elements.loggers_and_devices(group, report, ctx.components)
    if not migrated:
        definition = group.definitions.get("function")
        raise MigrateError("GGM904", definition.file if definition else source_label, "$.Definition.Functions",
                           "the group has no function gglift can migrate", "see the report codes GGM104 and GGM112")
    project: dict = {"target": TARGET}
    if local:
        project["local"] = local
    project["function"] = [fn.table for fn in migrated]
    if subscriptions:
        project["subscription"] = subscriptions
    report.functions = [fn.name for fn in migrated]
    return Plan(project, ctx.files, report, ctx.components)
