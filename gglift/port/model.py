"""What a port run learns about one file: findings and the resources the code uses.

This is the contract between ``gglift port`` and the packaging step, which turns
``publishes``/``secrets``/``invokes``/``shadows`` into LegacySubscriptionRouter
subscriptions and SecretManager/ShadowManager configuration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

SEVERITIES = ("error", "warning", "info")
# The FileResult lists of what the code uses, in report order.
RESOURCE_FIELDS = ("publishes", "secrets", "invokes", "shadows")


@dataclass(frozen=True)
class Finding:
    code: str  # stable rule code, e.g. "GGL100"
    severity: str  # "error" | "warning" | "info"
    line: int  # 1-based
    col: int  # 1-based, as editors and SARIF count
    message: str
    hint: str


@dataclass(frozen=True)
class Resource:
    """A topic, secret id, function ARN or thing name the code uses.

    ``value`` is the literal when the argument is a string constant, or a pattern such as
    ``"sensors/+/data"`` built from an f-string with ``+`` for each unknown level (``*`` for
    each unknown part of secret ids and ARNs); ``literal`` says which. ``resolved=False``
    means it could not be resolved statically (``value`` holds the source text of the
    expression then, for the report).
    """

    value: str
    literal: bool
    line: int
    resolved: bool = True


@dataclass
class FileResult:
    path: Path
    changed: bool = False
    error: Optional[str] = None  # set for GGL900-type failures: the file was left byte-identical
    findings: list[Finding] = field(default_factory=list)
    publishes: list[Resource] = field(default_factory=list)
    secrets: list[Resource] = field(default_factory=list)
    invokes: list[Resource] = field(default_factory=list)
    shadows: list[Resource] = field(default_factory=list)  # thing names used with shadow calls
    new_source: Optional[bytes] = None  # the ported file, when it changed (not in reports)
    # the result also depends on other modules of the file's source tree (clients imported
    # from them or by them), so the file's own bytes cannot key it in a cache
    depends_on_tree: bool = False

