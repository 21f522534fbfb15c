"""The seam between the engine (router, pools, IPC transport) and what lies outside the functions.

A :class:`~gglift.runtime.core.Core` runs functions the same way everywhere; its backend is
where their messages, shadows and secrets go. :class:`LocalBackend` is the local core of
``gglift run``: an MQTT broker or bridge for the cloud, a SQLite shadow store, a secrets file.
``gglift.host.backend.IpcBackend`` is the device: Greengrass V2 IPC to the nucleus.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from gglift.config import Function
from gglift.runtime import launch
from gglift.runtime.mqtt import EmbeddedBroker, MqttBridge, MqttError
from gglift.runtime.router import CLOUD, IOT_CORE
from gglift.runtime.secrets import SecretStore
from gglift.runtime.shadow import ShadowError, ShadowStore, shadow_topic, split_subject
from gglift.runtime.shadowsync import ShadowSync
from gglift.runtime.work import Result

if TYPE_CHECKING:  # pragma: no cover
    from gglift.runtime.core import Core

AUTO = "auto"  # mqtt: embedded broker when something uses IOT_CORE or the cloud


class Backend:
    """What a core reaches outside its functions. Messages arriving from outside go to
    ``core.publish(topic, payload, PUB_SUB or IOT_CORE)``."""

    mqtt_url: Optional[str] = None  # the MQTT broker standing in for AWS IoT Core, if any
    stream_port: Optional[int] = None  # the stream manager server workers reach, if this backend runs one

    def busy(self) -> bool:
        """True while work the backend does for the functions is due (stream exports)."""
        return False

    def python(self, fn: Function) -> str:
        """The interpreter ``fn``'s workers run on: on a device, the host's own."""
        return sys.executable

    def python_path(self, fn: Function) -> list[str]:
        """``sys.path`` entries ``fn``'s workers add (see :mod:`gglift.runtime.launch`)."""
        return launch.device_path(fn)

    async def start(self, core: "Core") -> None:
        """Connect and subscribe to what the core's functions listen on."""

    async def stop(self) -> None:
        """Disconnect; called once the functions have stopped."""

    def publish_cloud(self, topic: str, payload: bytes) -> None:
        """A function's publish routed to ``cloud`` (AWS IoT Core)."""

    def publish_local(self, topic: str, payload: bytes) -> None:
        """A function's publish routed to local pub/sub (``component:<name>``)."""

    async def shadow(self, subject: str, payload: bytes) -> Result:
        """A GGShadowService request on ``$aws/things/<thing>/shadow/<op>``."""
        raise NotImplementedError

    async def secret(self, payload: bytes) -> Result:
        """A GGSecretManager request (``{"SecretId", "VersionId", "VersionStage"}``)."""
        raise NotImplementedError


class LocalShadows:
    """The persistent local shadow service: answers, and publishes the shadow topics to the
    core's local listeners as a device's GGShadowService does."""

    def __init__(self, path: Path):
        self.path = path
        self._store: Optional[ShadowStore] = None
        self._core: Optional["Core"] = None
        self.sync: Optional[ShadowSync] = None  # set by a backend syncing to the cloud shadow

    def open(self, core: "Core") -> None:
        self._core = core  # the store itself opens at the first request (SQLite: 1.3 MB)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def handle(self, subject: str, payload: bytes) -> Result:
        """A function's request; what is accepted goes to the cloud shadow when synced."""
        result, accepted = self._serve(subject, payload)
        if accepted and self.sync is not None:
            self.sync.local_change(*split_subject(subject), payload)  # accepted: a valid subject
        return result

    def apply(self, thing: str, update: bytes) -> None:
        """An update from the cloud shadow (not synced back)."""
        self._serve(shadow_topic(thing, "update"), update)

    def _serve(self, subject: str, payload: bytes) -> tuple[Result, bool]:
        if self._store is None:
            self._store = ShadowStore(self.path)
        try:
            result, published = self._store.handle(subject, payload)
        except RecursionError:
            return ShadowError(400, "the shadow document is nested too deeply").result(), False
        for topic, body in published:
            self._core.shadow_published(topic, body)
        return result, bool(published) and published[0][0].endswith("/accepted")


class LocalBackend(Backend):
    """``gglift run``: MQTT (``mqtt``: ``"auto"``, ``"embedded"``, an ``mqtt://`` URL or
    ``None``), shadows and streams under ``state_dir``, secrets from ``secrets``; ``export``:
    the stream manager's exports call AWS."""

    def __init__(self, mqtt: Optional[str], state_dir: Path, secrets: SecretStore, export: bool = False):
        self.mqtt_setting = mqtt
        self.state_dir = state_dir
        self.shadows = LocalShadows(state_dir / "shadows.sqlite")
        self.secrets = secrets
        self.export = export
        self.streams = None
        self._broker = None
        self._bridge = None

    async def start(self, core: "Core") -> None:
        # Imported here: the device host imports this module, and the stream manager server
        # (CBOR) is the local core's alone: on a device it is AWS's component.
        from gglift.runtime.streams import Exports, StreamServer

        self.shadows.open(core)
        self.streams = StreamServer(self.state_dir / "streams", core.stream_client,
                                    Exports(core.emit, send=self.export, region=core.project.local.region))
        await self.streams.start()
        self.stream_port = self.streams.port
        router = core.router
        setting = self.mqtt_setting
        things = core.project.shadow_sync
        if setting == AUTO:
            uses_cloud = router.cloud_filters() or any(s.target == CLOUD for s in router.subscriptions) or things
            setting = "embedded" if uses_cloud else None
        if not setting:
            return
        if setting == "embedded" and things:
            raise MqttError("shadow_sync needs an MQTT broker that carries $aws/things/... topics, which the embedded "
                            "broker (amqtt) refuses: run mosquitto and pass --mqtt mqtt://127.0.0.1:1883")
        if setting == "embedded":
            self._broker = EmbeddedBroker()
            await self._broker.start()
            setting = self._broker.url
        sync = self.shadows.sync = ShadowSync(things, self.publish_cloud, self.shadows.apply) if things else None

        def received(topic: str, data: bytes) -> None:
            if sync is not None and sync.handles(topic):
                sync.cloud_message(topic, data)
            else:
                core.receive(topic, data, IOT_CORE)

        self._bridge = MqttBridge(setting, router.cloud_filters() + (sync.filters() if sync else []), received)
        await self._bridge.start()
        self.mqtt_url = setting
        if sync is not None:
            sync.start()

    def busy(self) -> bool:
        return self.streams is not None and self.streams.busy()

    def python(self, fn: Function) -> str:
        from gglift.worker_env import worker_runtime  # the declared python3.X when it is installed

        return worker_runtime(fn)[0]

    def python_path(self, fn: Function) -> list[str]:
        return launch.worker_path(fn)  # what the artifact would hold, installed for this machine

    async def stop(self) -> None:
        if self.streams is not None:
            await self.streams.stop()
        if self._bridge is not None:
            await self._bridge.stop()
        if self._broker is not None:
            await self._broker.stop()
        self.shadows.close()

    def publish_cloud(self, topic: str, payload: bytes) -> None:
        if self._bridge is not None:
            self._bridge.publish(topic, payload)

    async def shadow(self, subject: str, payload: bytes) -> Result:
        return self.shadows.handle(subject, payload)

    async def secret(self, payload: bytes) -> Result:
        return self.secrets.handle(payload)
