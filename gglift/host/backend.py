"""The device host's backend: the functions' outside world through Greengrass V2 IPC.

| Lambda IPC (greengrasssdk)      | nucleus                         | nucleus lite                          |
|---------------------------------|---------------------------------|---------------------------------------|
| event source ``PUB_SUB``        | SubscribeToTopic                | SubscribeToTopic                      |
| event source ``IOT_CORE``       | SubscribeToIoTCore              | SubscribeToIoTCore                    |
| publish routed to ``cloud``     | PublishToIoTCore                | PublishToIoTCore                      |
| publish routed to a component   | PublishToTopic                  | PublishToTopic                        |
| shadow get/update/delete        | Get/Update/DeleteThingShadow    | the host's own SQLite shadow store    |
| secret                          | GetSecretValue                  | component configuration ``secrets``   |

Publishes leave in the order the functions made them, at once. A publish the nucleus
refuses is logged with the nucleus's error; one over the nucleus's message limit is refused
to the function at once (HTTP 413), so it sees the error.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import functools
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from gglift.host.description import LITE
from gglift.ipc import IpcClient, IpcError, MessageTooLargeError
from gglift.ipc.client import publish_to_iot_core_body, publish_to_topic_body
from gglift.ipc.errors import ConflictError, InvalidArgumentsError, ResourceNotFoundError, UnauthorizedError
from gglift.routes import topic_matches
from gglift.runtime.backend import Backend, LocalShadows
from gglift.runtime.dispatch import IpcError as HttpError
from gglift.runtime.router import CLOUD, IOT_CORE, PUB_SUB
from gglift.runtime.secrets import secret_error, secret_name
from gglift.runtime.shadow import ShadowError
from gglift.runtime.shadowsync import ShadowSync
from gglift.runtime.work import Result

if TYPE_CHECKING:  # pragma: no cover
    from gglift.runtime.core import Core

log = logging.getLogger("gglift.host")

# IPC errors as the V1 shadow service's error codes
_SHADOW_CODES = ((ResourceNotFoundError, 404), (ConflictError, 409), (InvalidArgumentsError, 400), (UnauthorizedError, 401))
SECRETS_KEY = "secrets"  # nucleus lite: component configuration key holding secret values


class IpcBackend(Backend):
    """Greengrass V2 IPC through ``client``; ``platform`` is ``nucleus`` or ``lite`` (no
    ShadowManager, no SecretManager: shadows in ``shadow_path``, secrets from configuration)."""

    def __init__(self, client: IpcClient, platform: str, shadow_path: Path):
        self.client = client
        self.platform = platform
        self._cloud_routes: tuple = ()
        self.shadows: Optional[LocalShadows] = LocalShadows(shadow_path) if platform == LITE else None
        self._local_filters: list[str] = []
        self._echoes: collections.Counter = collections.Counter()  # our own local publishes coming back
        self._in_flight: set[asyncio.Future] = set()  # publishes awaiting the nucleus's answer

    async def start(self, core: "Core") -> None:
        if self.shadows is not None:
            self.shadows.open(core)
        await self.client.connect()
        functions = core.project.functions
        self._cloud_routes = tuple(s for s in core.router.subscriptions if s.target == CLOUD)
        self._local_filters = sorted({es.topic for fn in functions for es in fn.eventSources if es.type == PUB_SUB})
        cloud_filters = core.router.cloud_filters()
        for topic in self._local_filters:
            await self.client.subscribe_to_topic(topic, self._inbound(core, PUB_SUB, topic, self._local_filters))
        for topic in cloud_filters:
            await self.client.subscribe_to_iot_core(topic, self._inbound(core, IOT_CORE, topic, cloud_filters))
        if self.shadows is not None and core.project.shadow_sync:  # the nucleus's ShadowManager syncs itself
            await self._start_sync(core.project.shadow_sync)

    async def _start_sync(self, things: tuple[str, ...]) -> None:
        """Sync the local store's ``things`` to their cloud shadows through AWS IoT Core."""
        sync = self.shadows.sync = ShadowSync(
            things, lambda topic, payload: self._queue("PublishToIoTCore", publish_to_iot_core_body(topic, payload, 1)),
            self.shadows.apply)
        for topic in sync.filters():
            await self.client.subscribe_to_iot_core(topic, sync.cloud_message)
        sync.start()

    def _inbound(self, core: "Core", source: str, subscribed: str, filters: list[str]):
        """The callback of the subscription to ``subscribed``. A message matching several of the
        host's filters arrives once per subscription; only the first matching filter passes it
        on, so each function gets it once."""
        def on_message(topic: str, payload: bytes) -> None:
            if next((f for f in filters if topic_matches(f, topic)), subscribed) != subscribed:
                return
            if source == PUB_SUB and self._echoes[(topic, payload)]:
                self._echoes[(topic, payload)] -= 1  # already delivered inside the host
                return
            core.receive(topic, payload, source)
        return on_message

    async def stop(self) -> None:
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self.client.timeout)
        await self.client.close()
        if self.shadows is not None:
            self.shadows.close()

    # -- publishes -------------------------------------------------------------------------
    def publish_local(self, topic: str, payload: bytes) -> None:
        self._queue("PublishToTopic", publish_to_topic_body(topic, payload))
        if any(topic_matches(f, topic) for f in self._local_filters):
            self._echoes[(topic, payload)] += 1

    def publish_cloud(self, topic: str, payload: bytes) -> None:
        self._queue("PublishToIoTCore", publish_to_iot_core_body(topic, payload, self._qos(topic)))

    @functools.lru_cache(maxsize=1024)
    def _qos(self, topic: str) -> int:
        """The QoS of the routes to cloud matching ``topic`` (the highest when several do)."""
        return max((s.qos for s in self._cloud_routes if topic_matches(s.subject, topic)), default=0)

    def _queue(self, operation: str, body: dict) -> None:
        """Send now (publishes leave in the order the functions made them); the answer is
        checked when it comes."""
        try:
            answer = self.client.send(operation, body)
        except MessageTooLargeError as exc:
            raise HttpError(413, str(exc)) from None
        self._in_flight.add(answer)
        answer.add_done_callback(lambda done: self._answered(done, operation, body))

    def _answered(self, answer: asyncio.Future, operation: str, body: dict) -> None:
        self._in_flight.discard(answer)
        if not answer.cancelled() and answer.exception() is not None:
            log.error("%s to %r failed: %s", operation, body.get("topic") or body.get("topicName"), answer.exception())

    # -- shadows and secrets ---------------------------------------------------------------
    async def shadow(self, subject: str, payload: bytes) -> Result:
        if self.shadows is not None:
            return self.shadows.handle(subject, payload)
        parts = subject.split("/")
        if len(parts) == 7 and parts[4] == "name":
            thing, shadow, op = parts[2], parts[5], parts[6]
        elif len(parts) == 5:
            thing, shadow, op = parts[2], "", parts[4]
        else:
            return ShadowError(400, f"unsupported shadow topic: {subject}").result()
        try:
            if op == "get":
                answer = await self.client.get_thing_shadow(thing, shadow)
            elif op == "update":
                answer = await self.client.update_thing_shadow(thing, payload, shadow)
            elif op == "delete":
                answer = await self.client.delete_thing_shadow(thing, shadow)
            else:
                return ShadowError(400, f"unsupported shadow operation: {op}").result()
        except IpcError as exc:
            code = next((c for kind, c in _SHADOW_CODES if isinstance(exc, kind)), 500)
            return ShadowError(code, str(exc)).result()
        return Result(answer)

    async def secret(self, payload: bytes) -> Result:
        try:
            request = json.loads(payload or b"{}")
            secret_id = str(request["SecretId"])
        except (ValueError, KeyError, TypeError):
            return secret_error(400, "the request must be JSON with a SecretId")
        if self.platform == LITE:
            return await self._configured_secret(secret_id)
        try:
            answer = await self.client.get_secret_value(secret_id, request.get("VersionId"), request.get("VersionStage"))
        except IpcError as exc:
            status = 404 if isinstance(exc, ResourceNotFoundError) else 403 if isinstance(exc, UnauthorizedError) else 500
            return secret_error(status, str(exc))
        value = answer.get("secretValue") or {}
        body = {"ARN": answer.get("secretId") or secret_id, "Name": secret_name(secret_id),
                "VersionId": answer.get("versionId"), "VersionStages": answer.get("versionStage") or []}
        if "secretString" in value:
            body["SecretString"] = value["secretString"]
        if "secretBinary" in value:
            body["SecretBinary"] = base64.b64encode(value["secretBinary"]).decode()
        return Result(json.dumps(body).encode())

    async def _configured_secret(self, secret_id: str) -> Result:
        """Nucleus lite has no SecretManager: the host reads ``secrets.<name>`` of its own
        component configuration (set by the deployment's configuration update)."""
        name = secret_name(secret_id)
        try:
            value = await self.client.get_configuration([SECRETS_KEY, name])
        except IpcError as exc:
            value = None
            log.debug("GetConfiguration %s/%s: %s", SECRETS_KEY, name, exc)
        if isinstance(value, dict):  # a leaf comes back as {last key: value}
            value = value.get(name)
        if not isinstance(value, str):
            return secret_error(404, f"nucleus lite has no SecretManager (GetSecretValue); gglift's host reads secrets "
                                     f"there from the component configuration key {SECRETS_KEY}/{name}, which is not set")
        return Result(json.dumps({"ARN": secret_id, "Name": name, "VersionStages": ["AWSCURRENT"],
                                  "SecretString": value}).encode())
