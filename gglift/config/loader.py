"""Find and read a project's config (``gglift.toml`` or ``[tool.gglift]`` in ``pyproject.toml``).

The loader turns TOML into the frozen model of :mod:`gglift.config.model`, checking types,
required and unknown keys as it goes and collecting every problem before it raises, so a user
fixes a config in one pass instead of one error at a time.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any, Callable, Optional

from gglift.config import model
from gglift.config.errors import ConfigError, Problem


CONFIG_NAME = "gglift.toml"


def find_config(path: Path | str | None = None) -> Path:
    """Return the config file for ``path``: a file itself, or the nearest folder, from ``path``
    (default: the current folder) upwards, holding ``gglift.toml`` or a ``pyproject.toml`` with
    a ``[tool.gglift]`` table, as ruff and black find theirs.

    >>> find_config("examples/hello/src")  # doctest: +SKIP
    PosixPath('examples/hello/gglift.toml')
    """
    start = Path(path or ".")
    if start.is_file():
        return start
    for folder in (start.resolve(), *start.resolve().parents):
        found = _config_in(folder)
        if found is not None:
            return found
    raise ConfigError(
        [
            Problem(
                file=start / CONFIG_NAME,
                function=None,
                key="",
                message=f"no gglift.toml in {start.resolve()} or any folder above it, "
                "and no pyproject.toml with a [tool.gglift] table there",
                hint="run `gglift init` to write a starter config, or pass the project folder",
            )
        ]
    )


def _config_in(folder: Path) -> Optional[Path]:
    """``folder``'s own config: its ``gglift.toml``, else its ``pyproject.toml`` with a
    ``[tool.gglift]`` table; None when it has neither (ConfigError for unreadable TOML)."""
    candidate = folder / CONFIG_NAME
    if candidate.is_file():
        return candidate
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and "gglift" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    return None


def load_project(path: Path | str | None = None) -> model.Project:
    """Load, check and return the project at ``path`` (a folder or a config file).

    Raises :class:`ConfigError` listing every problem found.
    """
    config_path = find_config(path).resolve()
    data = _read_toml(config_path)
    if config_path.name == "pyproject.toml":
        data = data.get("tool", {}).get("gglift", {})
    reader = _Reader(config_path)
    project = reader.project(data)
    # The reader puts defaults in place of values it rejected and leaves out functions it
    # could not build, so the semantic rules run over the rest: one pass shows every problem.
    from gglift.config.validate import validate

    problems = reader.problems + validate(project)
    if problems:
        raise ConfigError(problems)
    return project


def project_target(folder: Path) -> Optional[str]:
    """The ``target`` of the project holding ``folder``: the nearest config from ``folder``
    upwards; None when there is none, or it cannot be read (nothing is known then)."""
    start = Path(folder).resolve()
    for folder in (start, *start.parents):
        try:  # each folder on its own: find_config would walk up the same folders again
            config_path = folder if folder.is_file() else _config_in(folder)
        except ConfigError:
            continue
        if config_path is None:
            continue
        try:
            data = _read_toml(config_path)
        except ConfigError:
            return None
        if config_path.name == "pyproject.toml":
            data = data.get("tool", {}).get("gglift", {})
        target = data.get("target", model.DEFAULT_TARGET)
        return target if target in model.TARGETS else None
    return None


def _read_toml(path: Path) -> dict:
    # Imported here: the device host imports gglift.config for its model on a python3 that may
    # have neither tomllib (3.11+) nor tomli, and never reads TOML.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older interpreters only
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(path, None, "", f"not valid TOML: {exc}", "fix the syntax at the line shown")]) from None
    except OSError as exc:
        raise ConfigError([Problem(path, None, "", f"cannot read: {exc.strerror}")]) from None


class _Reader:
    """Walks the TOML tables, recording a Problem for each bad key instead of stopping."""

    def __init__(self, config_path: Path):
        self.config_path = config_path
        self.root = config_path.parent
        self.problems: list[Problem] = []
        self._function: Optional[str] = None

    # -- helpers ---------------------------------------------------------------------------
    def problem(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.config_path, self._function, key, message, hint))

    def table(self, data: Any, key: str, allowed: set[str]) -> dict:
        if not isinstance(data, dict):
            self.problem(key, f"must be a table, not {_type_name(data)}")
            return {}
        for unknown in sorted(set(data) - allowed):
            close = _closest(unknown, allowed)
            self.problem(
                f"{key}.{unknown}" if key else unknown,
                "unknown key",
                f"did you mean {close!r}?" if close else f"allowed keys: {', '.join(sorted(allowed))}",
            )
        return data

    def value(self, data: dict, key: str, path: str, kind: type | tuple, default: Any = None, required: bool = False):
        if key not in data:
            if required:
                self.problem(f"{path}.{key}" if path else key, "is required")
            return default
        value = data[key]
        # bool is an int in Python; a config that says `pinned = 1` is a mistake, not a bool.
        ok = isinstance(value, kind) and not (isinstance(value, bool) and bool not in _as_tuple(kind))
        if not ok:
            want = " or ".join(_TYPE_NAMES[t] for t in _as_tuple(kind))
            self.problem(f"{path}.{key}" if path else key, f"must be {want}, not {_type_name(value)}")
            return default
        return value

    def path_value(self, data: dict, key: str, path: str, required: bool = False) -> Optional[Path]:
        raw = self.value(data, key, path, str, required=required)
        return (self.root / raw).resolve() if raw is not None else None

    # -- tables ----------------------------------------------------------------------------
    def project(self, data: dict) -> model.Project:
        data = self.table(data, "", {"target", "function", "subscription", "local", "shadow_sync"})
        target = self.value(data, "target", "", str, default=model.DEFAULT_TARGET)
        if target not in model.TARGETS:
            self.problem("target", f"must be one of {', '.join(map(repr, model.TARGETS))}, not {target!r}",
                         'use "component" for a generic component running gglift\'s host, "lambda" for a Lambda component')
            target = model.DEFAULT_TARGET
        functions_raw = data.get("function", [])
        if not isinstance(functions_raw, list) or not functions_raw:
            self.problem("function", "at least one [[function]] table is required", "see `gglift init` for an example")
            functions_raw = []
        functions = []
        for index, raw in enumerate(functions_raw):
            fn = self.function(raw, f"function[{index}]")
            if fn is not None:
                functions.append(fn)
        self._function = None
        names = [fn.name for fn in functions]
        for name in sorted({n for n in names if names.count(n) > 1}):
            self.problem("function", f"function name {name!r} is used more than once", "give each function its own name")
        subscriptions = None
        if "subscription" in data:
            subscriptions = tuple(
                self.subscription(raw, f"subscription[{i}]") for i, raw in enumerate(_as_list(data["subscription"]))
            )
        local = self.local(data.get("local", {}))
        shadow_sync = self.value(data, "shadow_sync", "", list, default=[])
        if not all(isinstance(t, str) and t and not set(t) & set("/+#") for t in shadow_sync):
            self.problem("shadow_sync", "must be a list of thing names", 'for example shadow_sync = ["thermostat-1"]')
            shadow_sync = []
        return model.Project(
            root=self.root,
            config_path=self.config_path,
            functions=tuple(functions),
            subscriptions=subscriptions,
            local=local,
            target=target,
            shadow_sync=tuple(shadow_sync),
        )

    def function(self, raw: Any, path: str) -> Optional[model.Function]:
        allowed = {f for f in model.Function.__dataclass_fields__}
        # Name the function in every problem, including unknown keys found before "name" is read.
        self._function = raw.get("name") if isinstance(raw, dict) and isinstance(raw.get("name"), str) else None
        raw = self.table(raw, path, allowed)
        name = self.value(raw, "name", path, str, required=True)
        handler = self.value(raw, "handler", path, str, required=True)
        runtime = self.value(raw, "runtime", path, str, default="python3.11")
        source = self.path_value(raw, "source", path) or self.root
        component = self.component(raw.get("component", {}), f"{path}.component", name or "function")
        kwargs: dict[str, Any] = {}
        for key, kind in (
            ("pinned", bool),
            ("timeoutInSeconds", int),
            ("maxInstancesCount", int),
            ("maxIdleTimeInSeconds", int),
            ("maxQueueSize", int),
            ("statusTimeoutInSeconds", int),
            ("inputPayloadEncodingType", str),
            ("lambda_arn", str),
        ):
            value = self.value(raw, key, path, kind)
            if value is not None:
                kwargs[key] = value
        if runtime == "executable":
            # C executables take binary input only, so that is their default (facts §3).
            kwargs.setdefault("inputPayloadEncodingType", "binary")
        exec_args = self.value(raw, "execArgs", path, list, default=[])
        if not all(isinstance(a, str) for a in exec_args):
            self.problem(f"{path}.execArgs", "must be a list of strings")
            exec_args = []
        env = self.value(raw, "environmentVariables", path, dict, default={})
        for key, val in env.items():
            if not isinstance(val, str):
                self.problem(f"{path}.environmentVariables.{key}", f"must be a string, not {_type_name(val)}", f'write it quoted: {key} = "{val}"')
        sources = tuple(
            self.event_source(item, f"{path}.eventSources[{i}]")
            for i, item in enumerate(self.value(raw, "eventSources", path, list, default=[]))
        )
        lpp = self.linux_process_params(raw.get("linuxProcessParams", {}), f"{path}.linuxProcessParams")
        for key in ("secrets", "shadows"):
            values = self.value(raw, key, path, list, default=[])
            if all(isinstance(v, str) and v for v in values):
                kwargs[key] = tuple(values)
            else:
                self.problem(f"{path}.{key}", "must be a list of non-empty strings", f'e.g. {key} = ["{"db-password" if key == "secrets" else "sensor-1"}"]')
        components = self.value(raw, "components", path, dict, default={})
        for key, val in components.items():
            if not isinstance(val, str):
                self.problem(f"{path}.components.{key}", f"must be a version string, not {_type_name(val)}", f'e.g. "{key}" = "2.1.0"')
        kwargs["components"] = tuple((k, v) for k, v in components.items() if isinstance(v, str))
        if name is None or handler is None:
            return None
        return model.Function(
            name=name,
            handler=handler,
            runtime=runtime,
            source=source,
            component=component,
            requirements=self.path_value(raw, "requirements", path),
            execArgs=tuple(exec_args),
            environmentVariables=tuple((k, v) for k, v in env.items() if isinstance(v, str)),
            eventSources=sources,
            linuxProcessParams=lpp,
            **kwargs,
        )

    def component(self, raw: Any, path: str, function_name: str) -> model.ComponentSpec:
        raw = self.table(raw, path, {"name", "version", "platforms"})
        platforms = []
        for i, item in enumerate(self.value(raw, "platforms", path, list, default=[])):
            item = self.table(item, f"{path}.platforms[{i}]", {"os", "architecture", "name"})
            platforms.append(
                model.Platform(
                    os=self.value(item, "os", f"{path}.platforms[{i}]", str, default="linux"),
                    architecture=self.value(item, "architecture", f"{path}.platforms[{i}]", str),
                    name=self.value(item, "name", f"{path}.platforms[{i}]", str),
                )
            )
        return model.ComponentSpec(
            name=self.value(raw, "name", path, str, default=function_name),
            version=self.value(raw, "version", path, str, default="1.0.0"),
            platforms=tuple(platforms) or (model.Platform(),),
        )

    def event_source(self, raw: Any, path: str) -> model.EventSource:
        raw = self.table(raw, path, {"topic", "type"})
        topic = self.value(raw, "topic", path, str, required=True) or ""
        kind = self.value(raw, "type", path, str, default="PUB_SUB")
        if kind not in model.EVENT_SOURCE_TYPES:
            self.problem(f"{path}.type", f"unknown event source type {kind!r}", "use PUB_SUB or IOT_CORE")
            kind = "PUB_SUB"
        return model.EventSource(topic=topic, type=model.EVENT_SOURCE_TYPES[kind])

    def linux_process_params(self, raw: Any, path: str) -> model.LinuxProcessParams:
        raw = self.table(raw, path, {"isolationMode", "containerParams"})
        cp_path = f"{path}.containerParams"
        cp = self.table(raw.get("containerParams", {}), cp_path, {"memorySizeInKB", "mountROSysfs", "volumes", "devices"})
        volumes = tuple(
            self.entry(item, f"{cp_path}.volumes[{i}]", model.Volume)
            for i, item in enumerate(self.value(cp, "volumes", cp_path, list, default=[]))
        )
        devices = tuple(
            self.entry(item, f"{cp_path}.devices[{i}]", model.Device)
            for i, item in enumerate(self.value(cp, "devices", cp_path, list, default=[]))
        )
        return model.LinuxProcessParams(
            isolationMode=self.value(raw, "isolationMode", path, str, default="GreengrassContainer"),
            containerParams=model.ContainerParams(
                memorySizeInKB=self.value(cp, "memorySizeInKB", cp_path, int, default=16384),
                mountROSysfs=self.value(cp, "mountROSysfs", cp_path, bool, default=False),
                volumes=tuple(v for v in volumes if v is not None),
                devices=tuple(d for d in devices if d is not None),
            ),
        )

    def entry(self, raw: Any, path: str, cls: Callable):
        """Read a flat table whose keys and types are those of the dataclass ``cls``."""
        fields = cls.__dataclass_fields__
        raw = self.table(raw, path, set(fields))
        kwargs = {}
        for name, f in fields.items():
            kind = {"bool": bool, "str": str}[str(f.type)]
            value = self.value(raw, name, path, kind, required=f.default is dataclasses.MISSING)
            if value is not None:
                kwargs[name] = value
        try:
            return cls(**kwargs)
        except TypeError:
            return None  # a required key was missing; already reported

    def subscription(self, raw: Any, path: str) -> model.Subscription:
        raw = self.table(raw, path, {"source", "subject", "target", "qos"})
        return model.Subscription(
            source=self.value(raw, "source", path, str, required=True) or "",
            subject=self.value(raw, "subject", path, str, required=True) or "",
            target=self.value(raw, "target", path, str, required=True) or "",
            qos=self.value(raw, "qos", path, int, default=0),
        )

    def local(self, raw: Any) -> model.LocalSettings:
        raw = self.table(raw, "local", {"thing_name", "secrets_file", "mqtt_url", "region", "account", "state_dir"})
        defaults = model.LocalSettings()
        return model.LocalSettings(
            thing_name=self.value(raw, "thing_name", "local", str, default=defaults.thing_name),
            secrets_file=self.path_value(raw, "secrets_file", "local"),
            mqtt_url=self.value(raw, "mqtt_url", "local", str),
            region=self.value(raw, "region", "local", str, default=defaults.region),
            account=self.value(raw, "account", "local", str, default=defaults.account),
            state_dir=self.path_value(raw, "state_dir", "local"),
        )


def _as_tuple(kind: type | tuple) -> tuple:
    return kind if isinstance(kind, tuple) else (kind,)


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


_TYPE_NAMES = {dict: "a table", list: "an array", str: "a string", bool: "a boolean", int: "an integer", float: "a float"}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _closest(word: str, options: set[str]) -> Optional[str]:
    import difflib

    match = difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return match[0] if match else None
