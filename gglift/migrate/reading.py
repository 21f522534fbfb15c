"""Reading JSON and YAML input with errors that name the file, line and JSON path.

A truncated or broken export is common (an interrupted script, a hand edit), and "Expecting
',' delimiter: line 40" is not enough to find it in a 2,000-line definition, so a JSON error
also says which member was being read when the text ended or went wrong.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gglift.migrate.errors import MigrateError

# JSON tokens that change the path: strings (keys or values), brackets, colons and commas.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def read_json(path: Path, label: str) -> Any:
    """Parse ``path`` as JSON; a syntax error becomes a :class:`MigrateError` with its JSON path."""
    text = read_text(path, label)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = json_path_at(text, exc.pos)
        raise MigrateError("GGM901", label, where, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                           "the file looks cut short or edited; export it again") from None


def read_text(path: Path, label: str) -> str:
    """The file's text (UTF-8), or a :class:`MigrateError` naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise MigrateError("GGM901", label, "", f"cannot read: {reason}") from None


def json_path_at(text: str, pos: int) -> str:
    """The JSON path of the member being read at offset ``pos`` of ``text`` (``$`` at the top).

    >>> json_path_at('{"Definition": {"Functions": [{"Id": "a"}, {"Id": ', 52)
    '$.Definition.Functions[1].Id'
    """
    stack: list[list] = []  # [kind, key or index]; kind "{" or "["
    expecting_key = False
    for match in _TOKENS.finditer(text, 0, pos):
        token = match.group()
        if token in "{[":
            stack.append([token, None if token == "{" else 0])
            expecting_key = token == "{"
        elif token in "}]":
            if stack:
                stack.pop()
            expecting_key = False
        elif token == ",":
            if stack and stack[-1][0] == "[":
                stack[-1][1] += 1
            expecting_key = bool(stack) and stack[-1][0] == "{"
        elif token == ":":
            expecting_key = False
        elif expecting_key and stack:
            stack[-1][1] = json.loads(token)
    return format_path(entry[1] for entry in stack if entry[1] is not None)


def format_path(parts) -> str:
    """``$.a.b[0]`` from ``["a", "b", 0]``."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out
