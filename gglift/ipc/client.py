"""A Greengrass V2 IPC client on asyncio and the standard library (it runs on devices, where
``awscrt`` has no armv7l wheel).

The client connects to the nucleus's Unix socket with ``{"authToken": SVCUID}`` (or, from inside
the component's cgroup on nucleus lite, ``{"componentName": NAME}``, which is how nucleus lite's
launcher obtains an SVCUID), sends each operation on a new stream and matches replies by stream
id. Subscriptions stay open and feed a callback. When the connection drops (the nucleus
restarts) calls in flight fail with :class:`IpcConnectionError`, and the client reconnects with
backoff and renews its subscriptions; new calls wait for the connection to come back.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
from dataclasses import dataclass
from typing import Any, Callable, Optional

from gglift.ipc import eventstream as es
from gglift.ipc.errors import (AuthenticationError, IpcConnectionError, IpcError, MessageTooLargeError,
                               operation_error)

log = logging.getLogger("gglift.ipc")

SOCKET_ENV = "AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT"
TOKEN_ENVS = ("SVCUID", "AWS_CONTAINER_AUTHORIZATION_TOKEN")
NUCLEUS_LITE_MAX_MESSAGE = 10_000  # GGL_IPC_MAX_MSG_LEN in ggipcd: longer messages are dropped
PROTOCOL_VERSION = "0.1.0"
_BACKOFF_FIRST, _BACKOFF_MAX = 0.05, 5.0

# (topic, payload) -> None; payload is the message's bytes (a JSON message re-encoded as JSON)
MessageCallback = Callable[[str, bytes], None]


@dataclass
class _Stream:
    operation: str
    body: dict
    response: "asyncio.Future[dict]"
    on_event: Optional[Callable[[dict], None]] = None


class Subscription:
    """An open subscription; :meth:`close` ends it. Survives reconnects (it is renewed)."""

    def __init__(self, client: "IpcClient", stream: _Stream):
        self._client = client
        self._stream = stream

    async def close(self) -> None:
        await self._client._end_stream(self._stream)


class IpcClient:
    """Greengrass V2 IPC over the nucleus's socket; ``async with IpcClient() as ipc: ...``.

    ``socket_path`` and ``token`` default to the environment the nucleus gives a component
    (``AWS_GG_NUCLEUS_DOMAIN_SOCKET_FILEPATH_FOR_COMPONENT``, ``SVCUID``). ``component_name``:
    on nucleus lite, authenticate by cgroup when there is no token or the nucleus forgot it
    (ggipcd restarted). ``max_message_size``: refuse larger messages before sending
    (:data:`NUCLEUS_LITE_MAX_MESSAGE` on nucleus lite). ``timeout``: seconds a call waits for
    its answer or for the connection to come back.
    """

    def __init__(self, socket_path: Optional[str] = None, token: Optional[str] = None, *,
                 component_name: Optional[str] = None, max_message_size: Optional[int] = None,
                 reconnect: bool = True, timeout: float = 30.0):
        self.socket_path = socket_path or os.environ.get(SOCKET_ENV, "")
        self.token = token or next((os.environ[k] for k in TOKEN_ENVS if os.environ.get(k)), None)
        self.component_name = component_name
        self.max_message_size = max_message_size
        self.reconnect = reconnect
        self.timeout = timeout
        self._writer: Optional[asyncio.StreamWriter] = None
        self._reader_task: Optional[asyncio.Task] = None
        self._reconnect_task: Optional[asyncio.Task] = None
        self._connected = asyncio.Event()
        self._closing = False
        self._streams: dict[int, _Stream] = {}
        self._next_stream = 1

    async def __aenter__(self) -> "IpcClient":
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # -- connection ------------------------------------------------------------------------
    async def connect(self) -> None:
        """Connect and authenticate; raises :class:`IpcConnectionError` or :class:`AuthenticationError`."""
        if not self.socket_path:
            raise IpcConnectionError(f"no IPC socket: {SOCKET_ENV} is not set (is this running as a Greengrass component?)")
        if not self.token and not self.component_name:
            raise AuthenticationError("no SVCUID: neither SVCUID nor AWS_CONTAINER_AUTHORIZATION_TOKEN is set")
        try:
            await self._open(self.token and {"authToken": self.token} or {"componentName": self.component_name})
        except AuthenticationError:
            if not (self.token and self.component_name):
                raise
            await self._open({"componentName": self.component_name})  # nucleus lite after a restart

    async def _open(self, credentials: dict) -> None:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(self.socket_path), self.timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            raise IpcConnectionError(f"cannot connect to the nucleus's IPC socket {self.socket_path}: {exc}") from None
        writer.write(es.encode(es.Message({":message-type": es.CONNECT, ":message-flags": 0, ":stream-id": 0,
                                           ":version": PROTOCOL_VERSION}, json.dumps(credentials).encode())))
        decoder = es.Decoder()
        try:
            ack = await asyncio.wait_for(self._first_message(reader, decoder), self.timeout)
        except (OSError, asyncio.TimeoutError, es.FramingError):
            ack = None
        if ack is None or ack.message_type != es.CONNECT_ACK or not ack.flags & es.CONNECTION_ACCEPTED:
            writer.close()
            how = "SVCUID" if "authToken" in credentials else f"component name {self.component_name!r}"
            raise AuthenticationError(f"the nucleus refused the IPC connection: unknown {how}")
        if ack.headers.get("svcuid"):
            self.token = str(ack.headers["svcuid"])
        self._writer = writer
        self._reader_task = asyncio.get_running_loop().create_task(self._read(reader, decoder))
        self._connected.set()

    @staticmethod
    async def _first_message(reader: asyncio.StreamReader, decoder: es.Decoder) -> Optional[es.Message]:
        while True:
            data = await reader.read(65536)
            if not data:
                return None
            messages = decoder.feed(data)
            if messages:
                return messages[0]

    async def close(self) -> None:
        """Close the connection and stop reconnecting; calls in flight fail."""
        self._closing = True
        for task in (self._reconnect_task, self._reader_task):
            if task is not None:
                task.cancel()
        if self._writer is not None:
            self._writer.close()
        self._lost("the IPC client was closed")

    async def _read(self, reader: asyncio.StreamReader, decoder: es.Decoder) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for message in decoder.feed(data):
                    self._dispatch(message)
        except (OSError, es.FramingError) as exc:
            log.warning("IPC connection failed: %s", exc)
        if self._writer is not None:
            self._writer.close()
        self._lost("the connection to the nucleus was lost")
        if self.reconnect and not self._closing:
            self._reconnect_task = asyncio.get_running_loop().create_task(self._reconnect())

    def _lost(self, why: str) -> None:
        """Fail every call waiting for its answer; keep subscriptions to renew them."""
        self._connected.clear()
        self._writer = None
        for stream_id, stream in list(self._streams.items()):
            if not stream.response.done():
                stream.response.set_exception(IpcConnectionError(f"{stream.operation}: {why}"))
            if stream.on_event is None or self._closing:
                del self._streams[stream_id]

    async def _reconnect(self) -> None:
        delay = _BACKOFF_FIRST
        while not self._closing:
            await asyncio.sleep(delay)
            try:
                await self.connect()
            except IpcConnectionError as exc:
                log.info("IPC reconnect failed (%s); retrying in %.2f s", exc, min(delay * 2, _BACKOFF_MAX))
                delay = min(delay * 2, _BACKOFF_MAX)
                continue
            renewals = list(self._streams.values())
            self._streams.clear()
            for stream in renewals:
                stream.response = asyncio.get_running_loop().create_future()
                try:
                    await self._begin(stream)
                except IpcError as exc:
                    log.error("could not renew the %s subscription %s: %s", stream.operation, stream.body, exc)
            log.info("reconnected to the nucleus; %d subscription(s) renewed", len(renewals))
            return

    def _dispatch(self, message: es.Message) -> None:
        kind = message.message_type
        if kind == es.PING and self._writer is not None:
            self._writer.write(es.encode(es.Message({":message-type": es.PING_RESPONSE, ":message-flags": 0, ":stream-id": 0})))
            return
        stream = self._streams.get(message.stream_id)
        if stream is None:
            return
        if kind == es.APPLICATION_MESSAGE:
            try:
                body = json.loads(message.payload or b"{}")
            except ValueError:  # not JSON: this stream's answer fails; the connection goes on
                error = IpcError(f"{stream.operation}: the nucleus sent a message that is not JSON")
                if not stream.response.done():
                    stream.response.set_exception(error)
                    self._streams.pop(message.stream_id, None)
                else:
                    log.error("%s", error)
                return
            if not stream.response.done():
                stream.response.set_result(body)
            elif stream.on_event is not None:
                try:
                    stream.on_event(body)
                except Exception:  # a callback's bug must not end the connection
                    log.exception("a %s event handler failed", stream.operation)
        elif kind == es.APPLICATION_ERROR or kind in (es.PROTOCOL_ERROR, es.SERVER_ERROR):
            try:
                body = json.loads(message.payload or b"{}")
            except ValueError:
                body = {"_message": message.payload.decode("utf-8", "replace")}
            error = operation_error(stream.operation, str(message.headers.get("service-model-type", "")),
                                    str(body.get("_message") or body.get("message") or body))
            if not stream.response.done():
                stream.response.set_exception(error)
            else:
                log.error("%s stream ended: %s", stream.operation, error)
        if message.flags & es.TERMINATE_STREAM or kind != es.APPLICATION_MESSAGE:
            self._streams.pop(message.stream_id, None)

    # -- operations ------------------------------------------------------------------------
    async def call(self, operation: str, body: dict) -> dict:
        """Run ``operation`` (e.g. ``PublishToTopic``) with the JSON ``body``; its answer as a dict."""
        return await self._begin(_Stream(operation, body, asyncio.get_running_loop().create_future()))

    async def stream(self, operation: str, body: dict, on_event: Callable[[dict], None]) -> Subscription:
        """Start a streaming ``operation``; ``on_event(body)`` for each event, until closed."""
        stream = _Stream(operation, body, asyncio.get_running_loop().create_future(), on_event)
        await self._begin(stream)
        return Subscription(self, stream)

    def send(self, operation: str, body: dict) -> "asyncio.Future[dict]":
        """Send ``operation`` at once when connected (no task, nothing awaited), else as soon as
        the connection is back; the future gets the answer or the error. Raises
        :class:`MessageTooLargeError` at once."""
        stream = _Stream(operation, body, asyncio.get_running_loop().create_future())
        if self._connected.is_set():
            self._write(stream)
            return stream.response
        self.request_frame(operation, body)  # the size check, before waiting
        return asyncio.ensure_future(self._begin(stream))

    async def _begin(self, stream: _Stream) -> dict:
        """Send ``stream``'s request once connected and wait for its first answer."""
        operation = stream.operation
        if not self._connected.is_set():
            self.request_frame(operation, stream.body)  # too large: fail before waiting for a connection
            try:
                await asyncio.wait_for(self._connected.wait(), self.timeout)
            except asyncio.TimeoutError:
                raise IpcConnectionError(f"{operation}: not connected to the nucleus after {self.timeout:g} s") from None
        stream_id = self._write(stream)
        try:
            return await asyncio.wait_for(asyncio.shield(stream.response), self.timeout)
        except asyncio.TimeoutError:
            self._streams.pop(stream_id, None)
            raise IpcConnectionError(f"{operation}: no answer from the nucleus in {self.timeout:g} s") from None

    def _write(self, stream: _Stream) -> int:
        """Put ``stream``'s request on the wire on a new stream id (connected only); the id."""
        stream_id = self._next_stream
        frame = self.request_frame(stream.operation, stream.body, stream_id)
        self._next_stream = 1 if stream_id >= 0x7FFFFFFF else stream_id + 1
        self._streams[stream_id] = stream
        self._writer.write(frame)
        return stream_id

    def request_frame(self, operation: str, body: dict, stream_id: int = 0x7FFFFFFF) -> bytes:
        """The message that asks for ``operation``; :class:`MessageTooLargeError` when it is
        over ``max_message_size`` (callers may check a request this way before queuing it)."""
        payload = json.dumps(body, separators=(",", ":")).encode()
        frame = es.encode(es.Message({
            ":message-type": es.APPLICATION_MESSAGE, ":message-flags": 0, ":stream-id": stream_id,
            "operation": f"aws.greengrass#{operation}", ":content-type": "application/json",
            "service-model-type": f"aws.greengrass#{operation}Request"}, payload))
        if self.max_message_size is not None and len(frame) > self.max_message_size:
            raise MessageTooLargeError(
                f"{operation}: the IPC message would be {len(frame):,} bytes (its JSON body {len(payload):,}); "
                f"this nucleus accepts at most {self.max_message_size:,} bytes per message")
        return frame

    async def _end_stream(self, stream: _Stream) -> None:
        for stream_id, known in list(self._streams.items()):
            if known is stream:
                del self._streams[stream_id]
                if self._writer is not None:
                    self._writer.write(es.encode(es.Message({
                        ":message-type": es.APPLICATION_MESSAGE, ":message-flags": es.TERMINATE_STREAM,
                        ":stream-id": stream_id})))

    # Local pub/sub --------------------------------------------------------------------------
    async def publish_to_topic(self, topic: str, payload: Any) -> None:
        """Publish bytes (a binary message) or a JSON-able value (a JSON message) on local pub/sub."""
        await self.call("PublishToTopic", publish_to_topic_body(topic, payload))

    async def subscribe_to_topic(self, topic: str, callback: MessageCallback) -> Subscription:
        """``callback(topic, payload_bytes)`` for every local message matching ``topic``."""
        def on_event(event: dict) -> None:
            if "binaryMessage" in event:
                message = event["binaryMessage"]
                data = base64.b64decode(message.get("message") or "")
            else:
                message = event.get("jsonMessage") or {}
                data = json.dumps(message.get("message")).encode()
            callback(str((message.get("context") or {}).get("topic") or topic), data)
        return await self.stream("SubscribeToTopic", {"topic": topic}, on_event)

    # AWS IoT Core through the nucleus's MQTT connection ---------------------------------------
    async def publish_to_iot_core(self, topic: str, payload: bytes, qos: int = 0) -> None:
        await self.call("PublishToIoTCore", publish_to_iot_core_body(topic, payload, qos))

    async def subscribe_to_iot_core(self, topic: str, callback: MessageCallback, qos: int = 0) -> Subscription:
        def on_event(event: dict) -> None:
            message = event.get("message") or {}
            callback(str(message.get("topicName") or topic), base64.b64decode(message.get("payload") or ""))
        return await self.stream("SubscribeToIoTCore", {"topicName": topic, "qos": str(qos)}, on_event)

    # Shadows (ShadowManager) -----------------------------------------------------------------
    async def get_thing_shadow(self, thing: str, shadow: str = "") -> bytes:
        answer = await self.call("GetThingShadow", {"thingName": thing, "shadowName": shadow})
        return base64.b64decode(answer.get("payload") or "")

    async def update_thing_shadow(self, thing: str, payload: bytes, shadow: str = "") -> bytes:
        answer = await self.call("UpdateThingShadow", {"thingName": thing, "shadowName": shadow,
                                                       "payload": base64.b64encode(payload).decode()})
        return base64.b64decode(answer.get("payload") or "")

    async def delete_thing_shadow(self, thing: str, shadow: str = "") -> bytes:
        answer = await self.call("DeleteThingShadow", {"thingName": thing, "shadowName": shadow})
        return base64.b64decode(answer.get("payload") or "")

    # Secrets, lifecycle, configuration -------------------------------------------------------
    async def get_secret_value(self, secret_id: str, version_id: Optional[str] = None,
                               version_stage: Optional[str] = None) -> dict:
        """The answer as the model shapes it: ``secretId``, ``versionId``, ``versionStage``,
        ``secretValue`` (``{"secretString": ...}`` or ``{"secretBinary": <bytes>}``)."""
        body = {"secretId": secret_id}
        if version_id:
            body["versionId"] = version_id
        if version_stage:
            body["versionStage"] = version_stage
        answer = await self.call("GetSecretValue", body)
        value = answer.get("secretValue") or {}
        if "secretBinary" in value:
            value["secretBinary"] = base64.b64decode(value["secretBinary"])
        return answer

    async def update_state(self, state: str) -> None:
        """Report the component's state (``RUNNING``, ``ERRORED``)."""
        await self.call("UpdateState", {"state": state})

    async def get_configuration(self, key_path: list[str], component_name: Optional[str] = None) -> Any:
        body: dict = {"keyPath": key_path}
        if component_name:
            body["componentName"] = component_name
        return (await self.call("GetConfiguration", body)).get("value")


def publish_to_topic_body(topic: str, payload: Any) -> dict:
    """PublishToTopic's request: bytes as a binary message, anything else as a JSON message."""
    if isinstance(payload, (bytes, bytearray)):
        message = {"binaryMessage": {"message": base64.b64encode(payload).decode()}}
    else:
        message = {"jsonMessage": {"message": payload}}
    return {"topic": topic, "publishMessage": message}


def publish_to_iot_core_body(topic: str, payload: bytes, qos: int = 0) -> dict:
    """PublishToIoTCore's request (``qos`` 0 or 1)."""
    return {"topicName": topic, "qos": str(qos), "payload": base64.b64encode(payload).decode()}
