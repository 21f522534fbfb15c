"""The migration report: one item per thing migrated, changed or left behind, with a code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional

from gglift.migrate.codes import CODES

SEVERITY_ORDER = ("error", "warning", "info")


@dataclass(frozen=True)
class Item:
    code: str  # a key of gglift.migrate.codes.CODES
    element: str  # "function sensor", "subscription 3", "resource vol-1", "group", "file x.json"
    message: str
    hint: str = ""
    detail: Optional[dict] = None  # machine-readable extras (suggested configuration, findings)

    @property
    def severity(self) -> str:
        return CODES[self.code].severity


@dataclass
class Report:
    source: str
    target: str = "component"
    functions: list[str] = field(default_factory=list)  # migrated, in gglift.toml order
    lambda_components: list[str] = field(default_factory=list)  # would also work as target = "lambda"
    items: list[Item] = field(default_factory=list)

    def add(self, code: str, element: str, message: str, hint: str = "", detail: Optional[dict] = None) -> None:
        self.items.append(Item(code, element, message, hint, detail))

    def count(self, severity: str) -> int:
        return sum(1 for item in self.items if item.severity == severity)

    def exit_code(self) -> int:
        """0 migrated; 1 migrated, but something could not move (an error item)."""
        return 1 if self.count("error") else 0


def to_json(report: Report) -> str:
    """The report as JSON (stable key order, no timestamps: the same input gives the same bytes)."""
    data: dict[str, Any] = {
        "source": report.source,
        "target": report.target,
        "functions": report.functions,
        "lambda_components": report.lambda_components,
        "summary": {severity: report.count(severity) for severity in SEVERITY_ORDER},
        "items": [_item_json(item) for item in grouped(report)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def grouped(report: Report) -> list[Item]:
    """The items, each element's together, elements in the order they were first reported."""
    order: dict[str, int] = {}
    for item in report.items:
        order.setdefault(item.element, len(order))
    return sorted(report.items, key=lambda item: order[item.element])  # stable: keeps each element's order


def _item_json(item: Item) -> dict:
    data: dict[str, Any] = {"code": item.code, "severity": item.severity, "element": item.element, "message": item.message}
    if item.hint:
        data["hint"] = item.hint
    if item.detail is not None:
        data["detail"] = item.detail
    return data


def to_text(report: Report) -> str:
    """The report for people: items grouped by element, in the order they were found."""
    lines = [f"gglift migrate {report.source}"]
    element = None
    for item in grouped(report):
        if item.element != element:
            element = item.element
            lines += ["", element]
        lines.append(f"  {item.code} {item.severity:<7} {item.message}")
        if item.hint:
            lines.append(f"          fix: {item.hint}")
        for finding in (item.detail or {}).get("findings", []):
            lines.append(f"          {finding['file']}:{finding['line']}: {finding['code']} {finding['message']}")
    lines.append("")
    lambda_note = ", ".join(report.lambda_components) or "none"
    lines.append(f"target = \"{report.target}\"; would also work as Lambda components: {lambda_note}")
    lines.append(f"{len(report.functions)} function(s) migrated; "
                 + ", ".join(f"{report.count(s)} {s}(s)" for s in SEVERITY_ORDER))
    return "\n".join(lines) + "\n"
