"""A V1 group as it was read, in the ``greengrass`` API's own shapes, before any mapping.

Both readers (CLI exports, CloudFormation) produce a :class:`Group`; the mapping to a gglift
project only ever sees this, so the two inputs give the same project for the same group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from gglift.migrate.report import Item

# Definition kinds, in the order a group version lists them (and the report walks them).
KINDS = ("core", "device", "function", "subscription", "resource", "logger", "connector")


@dataclass(frozen=True)
class Definition:
    """One definition version's ``Definition`` body and where it was read from."""

    kind: str  # one of KINDS
    body: dict
    file: str  # the input file, relative to SOURCE, for messages
    path: str  # JSON path of ``body`` in that file


@dataclass(frozen=True)
class LambdaConfig:
    """What the cloud Lambda says about a function: only a template or ``get-function`` has it."""

    handler: Optional[str] = None
    runtime: Optional[str] = None


@dataclass
class Group:
    definitions: dict[str, Definition] = field(default_factory=dict)  # kind -> definition
    lambdas: dict[str, LambdaConfig] = field(default_factory=dict)  # function name -> configuration
    code_dir: Optional[Path] = None  # the folder holding lambda-code/<name>/
    notes: list[Item] = field(default_factory=list)  # what reading found (unknown files, fields)

    def items(self, kind: str, member: str) -> list[dict]:
        """The list ``member`` of the ``kind`` definition (empty when the group has none)."""
        definition = self.definitions.get(kind)
        return list(definition.body.get(member, [])) if definition else []
