"""``gglift migrate``: a saved Greengrass V1 group becomes a gglift project.

Reading (:mod:`~gglift.migrate.exports` for AWS CLI exports, :mod:`~gglift.migrate.cloudformation`
for templates) gives a :class:`~gglift.migrate.group.Group` in the ``greengrass`` API's shapes;
:mod:`~gglift.migrate.mapping` turns it into the project's data, code files and report
(:mod:`~gglift.migrate.functions`, :mod:`~gglift.migrate.subscriptions`,
:mod:`~gglift.migrate.elements`; codes in :mod:`~gglift.migrate.codes`);
:mod:`~gglift.toml_writer` and :mod:`~gglift.migrate.output` write it.

>>> plan = plan_migration(Path("v1-export"))  # doctest: +SKIP
>>> sorted(plan.files)[:2]  # doctest: +SKIP
['functions/sensor/app.py', 'gglift.toml']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Optional

from gglift.config.model import DEFAULT_ACCOUNT, DEFAULT_REGION
from gglift.migrate.errors import MigrateError
from gglift.migrate.mapping import Plan
from gglift.migrate.report import Report

CONFIG = "gglift.toml"
REPORT = "migration-report.json"
COMPONENTS = "components.json"  # configuration of the V2 components replacing connectors and V1 device support

__all__ = ["COMPONENTS", "CONFIG", "REPORT", "MigrateError", "Plan", "Report", "plan_migration"]


def plan_migration(source: Path, *, fetch_code: bool = False, region: str = DEFAULT_REGION,
                   account: str = DEFAULT_ACCOUNT, download: Optional[Callable[[str], bytes]] = None) -> Plan:
    """Read ``source`` (an export folder or a template) and plan the project, writing nothing.

    ``region`` and ``account`` resolve a template's pseudo parameters; ``download`` fetches a
    ``Code.Location`` URL (default: HTTPS with the standard library). The plan's ``files``
    hold ``gglift.toml``, ``migration-report.json``, the functions' code and, when the group
    had connectors or client devices, ``components.json``.
    """
    from gglift import toml_writer
    from gglift.migrate import cloudformation, exports, mapping, report

    if source.is_dir():
        group = exports.read_exports(source)
    elif source.is_file():
        group = cloudformation.read_template(source, region, account)
    else:
        raise MigrateError("GGM901", str(source), "", "no such file or folder")
    label = source.resolve().name  # a name, not a path: the report stays the same wherever SOURCE is
    plan = mapping.build(group, label, fetch_code=fetch_code, download=download)
    # The header names no input file: an export and a template of one group give the same file.
    header = [
        "Migrated from a Greengrass V1 group by `gglift migrate`.",
        f"What changed meaning or could not move: {REPORT} (`gglift migrate --explain CODE`).",
    ]
    plan.files[CONFIG] = (toml_writer.render(plan.project, header).encode("utf-8"), 0o644)
    plan.files[REPORT] = (report.to_json(plan.report).encode("utf-8"), 0o644)
    if plan.components:
        text = json.dumps(plan.components, indent=2, ensure_ascii=False) + "\n"
        plan.files[COMPONENTS] = (text.encode("utf-8"), 0o644)
    return plan
