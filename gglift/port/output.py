"""Unified diffs of ported files, as ``--diff`` prints them."""

from __future__ import annotations

import difflib

from gglift.port.model import FileResult
from gglift.port.source import decode_source


def unified_diff(result: FileResult, original: bytes) -> str:
    """The diff from ``original`` to the result's ported source ('' if unchanged)."""
    if not result.changed or result.new_source is None:
        return ""
    before = decode_source(original).text.splitlines(keepends=True)
    after = decode_source(result.new_source).text.splitlines(keepends=True)
    path = result.path.as_posix()
    lines = difflib.unified_diff(before, after, f"{path}\t(original)", f"{path}\t(ported)")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
