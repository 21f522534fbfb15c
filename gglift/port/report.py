"""Reports of a port run (text, JSON, SARIF 2.1.0) and its exit code.

Exit codes, like black and ruff: 0 clean; 1 when a file would change (``--check``/``--diff``)
or an ``error`` finding remains (any mode); usage errors (2) are raised by click.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from typing import Sequence

from gglift import __version__
from gglift.port.model import RESOURCE_FIELDS, SEVERITIES, FileResult
from gglift.port.rules import RULES

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def summary(results: Sequence[FileResult]) -> dict:
    """Counts over a run: files, changed files, error findings, all findings."""
    findings = [f for r in results for f in r.findings]
    return {
        "files": len(results),
        "changed": sum(r.changed for r in results),
        "errors": sum(f.severity == "error" for f in findings),
        "findings": len(findings),
    }


def exit_code(results: Sequence[FileResult], *, check: bool) -> int:
    """1 if an error finding remains, or (``check``) a file would change; else 0."""
    counts = summary(results)
    return 1 if counts["errors"] or (check and counts["changed"]) else 0


def findings_and_resources(result: FileResult) -> dict:
    """A result's findings and resources as plain lists of dicts (JSON report and cache)."""
    data: dict = {"findings": [asdict(f) for f in result.findings]}
    for name in RESOURCE_FIELDS:
        data[name] = [asdict(r) for r in getattr(result, name)]
    return data


def to_json(results: Sequence[FileResult]) -> str:
    """The JSON report: every file with its findings and resources, and a summary."""
    files = []
    for result in results:
        files.append(
            {
                "path": result.path.as_posix(),
                "changed": result.changed,
                "error": result.error,
                **findings_and_resources(result),
            }
        )
    return json.dumps({"files": files, "summary": summary(results)}, indent=2) + "\n"


def to_sarif(results: Sequence[FileResult]) -> str:
    """A SARIF 2.1.0 log with one run, for code-scanning dashboards."""
    rules = [
        {
            "id": rule.code,
            "name": rule.title,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.explanation},
            "help": {"text": rule.explanation},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
        }
        for rule in RULES.values()
    ]
    index = {code: i for i, code in enumerate(RULES)}
    sarif_results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message} (hint: {f.hint})"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": r.path.as_posix()},
                        "region": {"startLine": f.line, "startColumn": f.col},
                    }
                }
            ],
        }
        for r in results
        for f in r.findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gglift",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/gglift/",
                        "rules": rules,
                    }
                },
                "results": sarif_results,
                "columnKind": "unicodeCodePoints",  # columns count characters, not UTF-16 units
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _resource_text(result: FileResult) -> list[str]:
    lines = []
    for name in RESOURCE_FIELDS:
        values = [r.value if r.resolved else f"<{r.value}>" for r in getattr(result, name)]
        if values:
            lines.append(f"  {name}: {', '.join(dict.fromkeys(values))}")
    return lines


def to_text(results: Sequence[FileResult], *, check: bool) -> str:
    """Human-readable report: findings as ``path:line:col: CODE severity: message``."""
    out = []
    for result in results:
        path = result.path.as_posix()
        for f in result.findings:
            out.append(f"{path}:{f.line}:{f.col}: {f.code} {f.severity}: {f.message}")
            out.append(f"  hint: {f.hint}")
        resources = _resource_text(result)
        if result.changed:
            out.append(f"{'would port' if check else 'ported'} {path}")
        elif resources:
            out.append(f"{path} (unchanged)")
        out.extend(resources)
    counts = summary(results)
    severities = Counter(f.severity for r in results for f in r.findings)
    changed = counts["changed"]
    verb = "would be ported" if check else "ported"
    parts = [_plural(severities[s], s) for s in SEVERITIES if severities[s]]
    found = f"{_plural(counts['findings'], 'finding')} ({', '.join(parts)})" if parts else "no findings"
    out.append(f"{_plural(changed, 'file')} {verb}, {counts['files'] - changed} unchanged; {found}")
    return "\n".join(out) + "\n"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 or noun == "info" else f"{count} {noun}s"
