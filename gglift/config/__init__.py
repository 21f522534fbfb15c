"""Project configuration: ``gglift.toml`` (or ``[tool.gglift]`` in ``pyproject.toml``).

>>> from gglift.config import load_project
>>> project = load_project("examples/hello")  # doctest: +SKIP
>>> [fn.name for fn in project.functions]  # doctest: +SKIP
['hello']
"""

from gglift.config.errors import ConfigError, Problem
from gglift.config.loader import find_config, load_project
from gglift.config.model import (
    ComponentSpec,
    ContainerParams,
    Device,
    EventSource,
    Function,
    LinuxProcessParams,
    LocalSettings,
    Platform,
    Project,
    Subscription,
    Volume,
)

__all__ = [
    "ComponentSpec",
    "ConfigError",
    "ContainerParams",
    "Device",
    "EventSource",
    "Function",
    "LinuxProcessParams",
    "LocalSettings",
    "Platform",
    "Problem",
    "Project",
    "Subscription",
    "Volume",
    "find_config",
    "load_project",
]
