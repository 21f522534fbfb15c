"""``gglift.toml`` text from a project's data, byte for byte the same for the same data.

A small writer rather than a TOML library: the file carries comments that say where it came
from, nested settings are written as dotted keys under each ``[[function]]`` (which no
general-purpose writer does), and gglift needs no new runtime dependency for it. ``gglift
migrate`` writes whole files with :func:`render`; ``gglift init --from-sam`` writes its keys
and values with :func:`key` and :func:`value`. What it writes is read back by ``tomllib`` in
the tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def render(project: dict, header: list[str]) -> str:
    """The TOML text of ``project`` (``target``, ``[local]``, ``[[function]]``, ``[[subscription]]``)."""
    lines = [f"# {line}" if line else "#" for line in header]
    lines += ["", f"target = {value(project['target'])}"]
    if "local" in project:
        lines += ["", "[local]"] + [f"{key(k)} = {value(v)}" for k, v in project["local"].items()]
    for table in project.get("function", []):
        lines += ["", "[[function]]"] + list(_dotted(table, ""))
    for table in project.get("subscription", []):
        lines += ["", "[[subscription]]"] + [f"{key(k)} = {value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _dotted(table: dict, prefix: str):
    """Scalars and arrays as ``a.b = v``; non-empty tables of scalars are written key by key."""
    for k, v in table.items():
        name = f"{prefix}{key(k)}"
        if isinstance(v, dict) and v:
            yield from _dotted(v, f"{name}.")
        else:
            yield f"{name} = {value(v)}"


def key(name: str) -> str:
    """A TOML key: bare when it can be, else quoted."""
    return name if _BARE_KEY.match(name) else json.dumps(name, ensure_ascii=False)


def value(v: Any) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), inline arrays and tables."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False).replace("\x7f", "\\u007f")  # TOML wants DEL escaped too
    if isinstance(v, list):
        return "[" + ", ".join(value(item) for item in v) + "]"
    if isinstance(v, dict):
        return "{}" if not v else "{ " + ", ".join(f"{key(k)} = {value(i)}" for k, i in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")
