"""The project model: what ``gglift.toml`` describes, with Greengrass's defaults filled in.

Field names follow the Greengrass V2 API (``componentLambdaParameters``) so that a key in the
config file, an attribute here and a key in a request body are spelled the same way.
Defaults are those of the Lambda launcher (see docs/config.md).
"""

from __future__ import annotations

import platform as host_platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

# Greengrass accepts both spellings of event source types; AWS's own connectors use the
# short ones. We keep the API's spelling internally.
EVENT_SOURCE_TYPES = {"PUB_SUB": "PUB_SUB", "IOT_CORE": "IOT_CORE", "Pubsub": "PUB_SUB", "IotCore": "IOT_CORE"}

# Architectures a componentPlatforms entry may name -> the machine name in wheel tags (what
# pip vendors for such a device).
ARCHITECTURES = {"aarch64": "aarch64", "amd64": "x86_64", "x86_64": "x86_64", "armv7l": "armv7l", "arm": "armv7l", "x86": "i686"}

# What `gglift package` builds: "lambda" (a Lambda component, run by the nucleus's Lambda
# launcher) or "component" (a generic component running gglift's host, for the nucleus and
# nucleus lite). A config without the key keeps the Lambda components it was written for.
TARGETS = ("lambda", "component")
DEFAULT_TARGET = "lambda"

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class EventSource:
    """A topic filter that triggers the function; ``type`` is ``PUB_SUB`` or ``IOT_CORE``."""

    topic: str
    type: str = "PUB_SUB"


@dataclass(frozen=True)
class Volume:
    sourcePath: str
    destinationPath: str
    permission: str = "ro"
    addGroupOwner: bool = False


@dataclass(frozen=True)
class Device:
    path: str
    permission: str = "ro"
    addGroupOwner: bool = False


@dataclass(frozen=True)
class ContainerParams:
    memorySizeInKB: int = 16384
    mountROSysfs: bool = False
    volumes: tuple[Volume, ...] = ()
    devices: tuple[Device, ...] = ()


@dataclass(frozen=True)
class LinuxProcessParams:
    isolationMode: str = "GreengrassContainer"  # or "NoContainer"
    containerParams: ContainerParams = field(default_factory=ContainerParams)


@dataclass(frozen=True)
class Platform:
    """A ``componentPlatforms`` entry: ``os`` and ``architecture`` (``aarch64``, ``armv7l``, ``amd64``...)."""

    os: str = "linux"
    architecture: Optional[str] = None
    name: Optional[str] = None

    def machine(self) -> str:
        """The architecture, or this machine's when none is set (what pip targets then)."""
        return self.architecture or host_platform.machine()


@dataclass(frozen=True)
class ComponentSpec:
    name: str
    version: str = "1.0.0"
    platforms: tuple[Platform, ...] = (Platform(),)


@dataclass(frozen=True)
class Function:
    """One ``[[function]]`` table.

    ``source`` and ``requirements`` are absolute paths (resolved against the config file).
    """

    name: str
    handler: str
    runtime: str
    source: Path
    component: ComponentSpec
    requirements: Optional[Path] = None
    lambda_arn: Optional[str] = None
    pinned: bool = True
    timeoutInSeconds: int = 3
    maxInstancesCount: int = 100
    maxIdleTimeInSeconds: int = 60
    maxQueueSize: int = 1000
    statusTimeoutInSeconds: int = 60
    inputPayloadEncodingType: str = "json"
    execArgs: tuple[str, ...] = ()
    environmentVariables: tuple[tuple[str, str], ...] = ()
    eventSources: tuple[EventSource, ...] = ()
    linuxProcessParams: LinuxProcessParams = field(default_factory=LinuxProcessParams)
    # What the deployment needs that the code cannot show (gglift's keys, not the API's):
    secrets: tuple[str, ...] = ()  # secret ids or ARNs SecretManager must sync
    shadows: tuple[str, ...] = ()  # thing names whose shadows the function uses (adds ShadowManager)
    components: tuple[tuple[str, str], ...] = ()  # other components to deploy: (name, version)

    @property
    def is_executable(self) -> bool:
        return self.runtime == "executable"

    @property
    def environment(self) -> dict[str, str]:
        return dict(self.environmentVariables)

    @property
    def memory_limit_kb(self) -> Optional[int]:
        """The enforced memory limit, or None when the function runs without a container."""
        if self.linuxProcessParams.isolationMode == "NoContainer":
            return None
        return self.linuxProcessParams.containerParams.memorySizeInKB


@dataclass(frozen=True)
class Subscription:
    """A LegacySubscriptionRouter route. ``source``/``target``: a function name, ``cloud`` or ``component:<name>``."""

    source: str
    subject: str
    target: str
    qos: int = 0  # MQTT QoS of a route to `cloud` on the device host (0 or 1); the V1 SDK publishes QoS 0


@dataclass(frozen=True)
class LocalSettings:
    """The ``[local]`` table: what only ``gglift run`` uses."""

    thing_name: str = "gglift-local"
    secrets_file: Optional[Path] = None
    mqtt_url: Optional[str] = None
    region: str = DEFAULT_REGION
    account: str = DEFAULT_ACCOUNT
    state_dir: Optional[Path] = None  # shadows' SQLite file lives here; default <root>/.gglift


@dataclass(frozen=True)
class Project:
    """A loaded, validated project."""

    root: Path
    config_path: Path
    functions: tuple[Function, ...]
    subscriptions: Optional[tuple[Subscription, ...]] = None  # None: derive them from the code
    local: LocalSettings = field(default_factory=LocalSettings)
    target: str = DEFAULT_TARGET  # one of TARGETS
    shadow_sync: tuple[str, ...] = ()  # things whose local shadow is synced to the cloud shadow

    def function(self, name: str) -> Function:
        for fn in self.functions:
            if fn.name == name:
                return fn
        raise KeyError(name)

    def function_arn(self, fn: Function, qualified: bool = True) -> str:
        """The function's ARN: its ``lambda_arn`` if given, else a local one with version 1.

        >>> project.function_arn(fn)  # doctest: +SKIP
        'arn:aws:lambda:us-east-1:000000000000:function:hello:1'
        """
        if fn.lambda_arn:
            arn = fn.lambda_arn
        else:
            arn = f"arn:aws:lambda:{self.local.region}:{self.local.account}:function:{fn.name}:1"
        if not qualified and arn.count(":") >= 7:
            arn = arn.rsplit(":", 1)[0]
        return arn
