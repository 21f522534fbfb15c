"""The project as the device host reads it: JSON written at package time.

The host must start with only the device's ``python3``: it cannot read ``gglift.toml`` (tomllib
is 3.11+) or derive routes from the code (libcst). ``gglift package`` writes what it resolved,
the functions with their settings, the routes and the component's name, and the host rebuilds
the same :mod:`gglift.config.model` objects from it. Function sources are stored relative to
the artifacts folder.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

from gglift.config.model import Function, LocalSettings, Project, Subscription

FORMAT = 1
NUCLEUS, LITE = "nucleus", "lite"  # platforms the host runs on


class DescriptionError(Exception):
    """The description file is missing, not JSON, or of another format."""


@dataclasses.dataclass(frozen=True)
class HostConfig:
    """What the host runs: the project, its routes, the component it runs as."""

    project: Project
    subscriptions: tuple[Subscription, ...]
    component: str


def describe(project: Project, subscriptions: tuple[Subscription, ...], component: str,
             sources: dict[str, str]) -> dict:
    """The description of ``project``; ``sources`` maps each function to its folder relative
    to the artifacts folder on the device."""
    functions = []
    for fn in project.functions:
        data = _dump(fn)
        data["source"] = sources[fn.name]
        data["requirements"] = None
        functions.append(data)
    local = _dump(project.local)
    local.update(secrets_file=None, state_dir=None, mqtt_url=None)
    document = {"format": FORMAT, "component": component, "functions": functions,
                "subscriptions": [_dump(s) for s in subscriptions], "local": local}
    if project.shadow_sync:
        document["shadow_sync"] = list(project.shadow_sync)
    return document


def dumps(description: dict) -> bytes:
    """Canonical bytes (sorted keys, no whitespace differences): rebuilds are byte-identical."""
    return (json.dumps(description, sort_keys=True, indent=1) + "\n").encode()


def load(path: Path, artifacts: Path) -> HostConfig:
    """Read the description at ``path``; function sources resolve against ``artifacts``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DescriptionError(f"cannot read the project description {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DescriptionError(f"{path} is not a gglift host description of format {FORMAT}; "
                               "rebuild the component with the same gglift version as its host")
    try:
        functions = tuple(dataclasses.replace(_load(Function, fn), source=(artifacts / fn["source"]).resolve())
                          for fn in data["functions"])
        local = _load(LocalSettings, data["local"])
        subscriptions = tuple(_load(Subscription, s) for s in data["subscriptions"])
        shadow_sync = tuple(str(thing) for thing in data.get("shadow_sync", ()))
    except (KeyError, TypeError, ValueError) as exc:
        raise DescriptionError(f"{path}: malformed description ({exc})") from None
    project = Project(root=artifacts, config_path=path, functions=functions, subscriptions=subscriptions,
                      local=local, target="component", shadow_sync=shadow_sync)
    return HostConfig(project, subscriptions, str(data["component"]))


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_dump(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _load(kind: Any, value: Any) -> Any:
    """``value`` (from JSON) as an instance of the annotation ``kind``."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin is typing.Union:  # Optional[X]
        return _load(next(a for a in typing.get_args(kind) if a is not type(None)), value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], v) for v in value)
        return tuple(_load(a, v) for a, v in zip(args, value))
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _load(hints[f.name], value[f.name]) for f in dataclasses.fields(kind)
                       if f.name in value})
    if kind is Path:
        return Path(value)
    return value
