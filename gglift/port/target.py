"""Findings that depend on the project a file belongs to, not on the file alone.

With ``target = "lambda"`` the file's shadow calls cannot run on Greengrass V2 (GGL190). They
are added after the cache, which keeps what the file alone says, so moving a file or changing
its project's target never serves a stale answer.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable, Optional

from gglift.port.model import FileResult
from gglift.port.rules import make_finding, shadow_call


def with_target_findings(result: FileResult, target_of: Callable[[Path], Optional[str]]) -> FileResult:
    """``result`` with GGL190 at each shadow call when ``target_of(path)`` is ``"lambda"``."""
    if not result.shadows or target_of(result.path) != "lambda":
        return result
    added = [make_finding("GGL190", shadow.line, 1, what=shadow_call("this code", shadow.value)) for shadow in result.shadows]
    findings = sorted(result.findings + added, key=lambda f: (f.line, f.col, f.code))
    return dataclasses.replace(result, findings=findings)
