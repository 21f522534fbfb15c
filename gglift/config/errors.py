"""Configuration problems: each names the file, the function, the key path, what is wrong and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional


@dataclass(frozen=True)
class Problem:
    file: Path
    function: Optional[str]  # the [[function]] name, or None for project-level keys
    key: str  # dotted key path, e.g. "function[0].linuxProcessParams.containerParams.memorySizeInKB"
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else str(self.file)
        if self.function:
            where += f" (function {self.function!r})"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ConfigError(Exception):
    """The project config is invalid; ``problems`` lists every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
