"""What goes into an artifact from the function's own folder, and which modules it imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from gglift.package.artifact import collect
from gglift.routes import SKIPPED_DIRS, python_files

TEST_FILE = re.compile(r"(^|/)(test_[^/]*\.py|[^/]*_test\.py|conftest\.py)$")


class SourceError(Exception):
    """The function's code cannot be read or parsed."""


def source_entries(source: Path) -> dict[str, Path]:
    """The function's files by archive name: caches, tests, build output and VCS data left out."""
    return collect(source, skip_dirs=SKIPPED_DIRS | {".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", "node_modules"},
                   skip=lambda rel: bool(TEST_FILE.search(rel)) or rel.endswith(".egg-info"))


def imported_modules(source: Path) -> set[str]:
    """Top-level names of every module the function's code imports (absolute imports only)."""
    names: set[str] = set()
    for path in python_files(source):
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except SyntaxError as exc:
            raise SourceError(f"{path}:{exc.lineno}: cannot parse: {exc.msg}") from None
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def requirement_lines(path: Path | None) -> list[str]:
    """The requirement lines of a requirements file, without comments and blank lines."""
    if path is None:
        return []
    lines = []
    for line in path.read_text().splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def requirement_name(line: str) -> str:
    """The normalized project name of a requirement line (``Foo_Bar>=1`` -> ``foo-bar``)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    return re.sub(r"[-_.]+", "-", match.group(0)).lower() if match else line
