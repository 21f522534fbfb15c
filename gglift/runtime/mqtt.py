"""The ``IOT_CORE`` side: an MQTT broker standing in for AWS IoT Core, and the core's bridge to it.

:class:`EmbeddedBroker` runs amqtt (a maintained asyncio MQTT 3.1.1 broker) on a free port of
127.0.0.1, so ``mosquitto_pub``/``mosquitto_sub`` or a device can talk to the functions with no
setup; ``--mqtt mqtt://host:port`` uses an external broker (mosquitto) instead.
:class:`MqttBridge` (paho-mqtt) subscribes to the topics functions listen on as ``IOT_CORE``
and publishes their cloud-bound messages.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from typing import Callable, Optional
from urllib.parse import urlparse

log = logging.getLogger("gglift.runtime")


class MqttError(Exception):
    pass


def parse_url(url: str) -> tuple[str, int]:
    """``mqtt://host:port`` (or ``host:port``) → (host, port); the port defaults to 1883."""
    parsed = urlparse(url if "://" in url else f"mqtt://{url}")
    if parsed.scheme not in ("mqtt", "tcp") or not parsed.hostname:
        raise MqttError(f"not an MQTT URL: {url!r} (expected mqtt://host:port)")
    return parsed.hostname, parsed.port or 1883


class EmbeddedBroker:
    """An amqtt broker on 127.0.0.1; :attr:`url` once started."""

    def __init__(self):
        self.url = ""
        self._broker = None

    async def start(self) -> None:
        try:
            from amqtt.broker import Broker
        except ImportError as exc:  # amqtt needs Python 3.10+
            raise MqttError(f"the embedded MQTT broker needs amqtt ({exc}); use --mqtt mqtt://host:port") from exc
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
        }
        for name in ("amqtt", "transitions"):  # their INFO chatter is not the user's business
            logging.getLogger(name).setLevel(logging.WARNING)
        self._broker = Broker(config)
        await self._broker.start()
        self.url = f"mqtt://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._broker is not None:
            await self._broker.shutdown()
            self._broker = None


class MqttBridge:
    """Connects to the broker at ``url``, subscribes to ``filters`` and calls
    ``on_message(topic, payload)`` on the event loop for every message."""

    def __init__(self, url: str, filters: list[str], on_message: Callable[[str, bytes], None]):
        self.url = url
        self.host, self.port = parse_url(url)
        self.filters = filters
        self.on_message = on_message
        self._client = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._ready = threading.Event()

    async def start(self, timeout: float = 10.0) -> None:
        import paho.mqtt.client as paho

        self._loop = asyncio.get_running_loop()
        client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=f"gglift-core-{id(self):x}")
        client.on_connect = self._connected
        client.on_subscribe = lambda *args: self._ready.set()
        client.on_message = self._received
        self._client = client
        try:
            await self._loop.run_in_executor(None, client.connect, self.host, self.port, 30)
        except OSError as exc:
            raise MqttError(f"cannot connect to the MQTT broker at {self.url}: {exc}") from exc
        client.loop_start()
        if not await self._loop.run_in_executor(None, self._ready.wait, timeout):
            await self.stop()
            raise MqttError(f"the MQTT broker at {self.url} did not accept the connection within {timeout:g} s")

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT broker %s refused the connection: %s", self.url, reason_code)
            return
        if self.filters:
            client.subscribe([(f, 0) for f in self.filters])
        else:
            self._ready.set()

    def _received(self, client, userdata, message) -> None:
        self._loop.call_soon_threadsafe(self.on_message, message.topic, bytes(message.payload))

    def publish(self, topic: str, payload: bytes) -> None:
        """Send a function's cloud-bound message (QoS 0, as Greengrass's local messages)."""
        self._client.publish(topic, payload, qos=0)

    async def stop(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            client.disconnect()
            await asyncio.get_running_loop().run_in_executor(None, client.loop_stop)
