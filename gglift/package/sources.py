"""What goes into an artifact from the function's own folder, and which modules it imports."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from gglift.package.artifact import Skipped, collect, special_file
from gglift.routes import SKIPPED_DIRS, python_files

TEST_FILE = re.compile(r"(^|/)(test_[^/]*\.py|[^/]*_test\.py|conftest\.py)$")


class SourceError(Exception):
    """The function's code or its requirements files cannot be read or parsed."""


def source_entries(source: Path) -> tuple[dict[str, Path], list[Skipped]]:
    """The function's files by archive name (caches, tests, build output and VCS data left
    out), and the files skipped because they cannot go into an artifact, with the reason."""
    return collect(source, skip_dirs=SKIPPED_DIRS | {".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", "node_modules"},
                   skip=lambda rel: bool(TEST_FILE.search(rel)) or rel.endswith(".egg-info"))


def imported_modules(source: Path) -> set[str]:
    """Top-level names of every module the function's code imports (absolute imports only).

    Only the regular files that go into the artifact count: links, FIFOs and devices are
    skipped unread (a FIFO would block, a device never end).
    """
    names: set[str] = set()
    for path in python_files(source):
        if special_file(path):  # a link, FIFO or device
            continue
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except SyntaxError as exc:
            raise SourceError(f"{path}:{exc.lineno}: cannot parse: {exc.msg}") from None
        except (RecursionError, MemoryError, ValueError) as exc:  # nesting CPython refuses, NUL bytes
            reason = "nested too deeply for Python to compile" if isinstance(exc, RecursionError) else str(exc) or "out of memory"
            raise SourceError(f"{path}: cannot parse: {reason}") from None
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


@dataclass(frozen=True)
class Requirements:
    """A function's requirements: its file, the files that file pulls in, and lines gglift adds.

    pip is given the function's own file (so ``-r``, ``-c`` and ``--find-links`` in it resolve
    against its folder, as when the user runs pip there); ``texts`` holds every file read,
    so an edit to a file pulled in with ``-r`` changes the vendoring cache key.
    """

    file: Optional[Path] = None
    lines: tuple[str, ...] = ()  # requirement lines of the file and of every file it pulls in
    texts: tuple[tuple[str, str], ...] = ()  # (path, content) of each file read
    extra: tuple[str, ...] = ()  # lines gglift adds (greengrasssdk)

    def __bool__(self) -> bool:
        return bool(self.lines or self.extra)

    def names(self) -> set[str]:
        """The normalized project names the requirements name."""
        return {requirement_name(line) for line in self.lines + self.extra}

    def adding(self, line: str) -> "Requirements":
        return replace(self, extra=self.extra + (line,))


# pip's options that name another requirements file, relative to the file that names them
_INCLUDE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?<=^-r)|(?<=^-c))(?P<file>\S.*)$")


def read_requirements(path: Path | None) -> Requirements:
    """The function's requirements file and, recursively, the files it names with ``-r``/``-c``
    (resolved against the folder of the file naming them, as pip does)."""
    if path is None:
        return Requirements()
    lines: list[str] = []
    texts: list[tuple[str, str]] = []

    def read(file: Path, named_in: Optional[Path]) -> None:
        if any(seen == str(file) for seen, _ in texts):
            return  # already read: includes may form a cycle
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            where = f" (named in {named_in})" if named_in else ""
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SourceError(f"cannot read the requirements file {file}{where}: {reason}") from None
        texts.append((str(file), text))
        for line in _logical_lines(text):
            include = _INCLUDE.match(line)
            if include:
                value = include.group("file")
                if "://" not in value:  # a URL is pip's to fetch
                    read((file.parent / value).resolve(), file)
            elif not line.startswith("-"):
                lines.append(line)

    read(path.resolve(), None)
    return Requirements(path.resolve(), tuple(lines), tuple(texts))


def _logical_lines(text: str) -> list[str]:
    """Lines without comments and blanks, continuation lines joined (pip's own reading)."""
    joined = re.sub(r"\\\n", "", text)
    lines = []
    for line in joined.splitlines():
        line = re.sub(r"(^|\s+)#.*$", "", line).strip()
        if line:
            lines.append(line)
    return lines


def requirement_name(line: str) -> str:
    """The normalized project name of a requirement line (``Foo_Bar>=1`` -> ``foo-bar``)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    return re.sub(r"[-_.]+", "-", match.group(0)).lower() if match else line
