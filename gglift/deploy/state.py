"""The record of completed deploy steps (``build/deploy-state.json``), so a rerun continues.

Each step is stored with its outputs (e.g. the published Lambda version) under a key that
includes the artifact's SHA-256: new code means new steps, never a stale "already done".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from gglift.storage import write_text

STATE_NAME = "deploy-state.json"


class DeployState:
    """Completed steps by id; every change is written to disk at once (atomically)."""

    def __init__(self, path: Path, dry_run: bool = False):
        self.path = path
        self.dry_run = dry_run
        self.steps: dict[str, dict] = {}
        if path.is_file():
            try:
                self.steps = json.loads(path.read_text()).get("steps", {})
            except (ValueError, AttributeError):
                self.steps = {}  # an unreadable record only means steps are checked again

    def done(self, step: str) -> Optional[dict]:
        """The outputs of ``step`` if it completed before, else None."""
        return self.steps.get(step)

    def record(self, step: str, outputs: dict) -> None:
        self.steps[step] = outputs
        if not self.dry_run:
            write_text(self.path, json.dumps({"steps": self.steps}, indent=2, sort_keys=True) + "\n")
