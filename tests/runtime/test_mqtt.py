"""IOT_CORE through the embedded broker and through a real mosquitto, with paho as the outside world."""

from __future__ import annotations

import asyncio
import threading
import time

import paho.mqtt.client as paho

from .conftest import needs_embedded_broker, run_core

APP = '''
import json
import greengrasssdk
iot = greengrasssdk.client("iot-data")

def handler(event, context):
    iot.publish(topic="devices/out", payload=json.dumps({"seen": event, "on": context.client_context.custom["subject"]}))
'''

TOML = '''
[[function]]
name = "bridge"
handler = "app.handler"
eventSources = [{topic = "devices/+/in", type = "IotCore"}]

[[subscription]]
source = "bridge"
subject = "devices/out"
target = "cloud"
'''


def _round_trip(url: str) -> list:
    """Subscribe to devices/out, publish on devices/d1/in, return what came back."""
    host, port = url.split("//")[1].split(":")
    got, subscribed = [], threading.Event()
    sub = paho.Client(paho.CallbackAPIVersion.VERSION2)
    sub.on_subscribe = lambda *a: subscribed.set()
    sub.on_message = lambda c, u, m: got.append((m.topic, m.payload))
    sub.connect(host, int(port))
    sub.subscribe("devices/out")
    sub.loop_start()
    subscribed.wait(5)
    pub = paho.Client(paho.CallbackAPIVersion.VERSION2)
    pub.connect(host, int(port))
    pub.loop_start()
    pub.publish("devices/d1/in", b'{"temp": 20}').wait_for_publish(5)
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    for client in (pub, sub):
        client.loop_stop()
        client.disconnect()
    return got


def _check(project, mqtt):
    async def body(core, records):
        got = await asyncio.get_running_loop().run_in_executor(None, _round_trip, core.mqtt_url)
        await core.idle()
        return got

    assert run_core(project, body, mqtt=mqtt) == [("devices/out", b'{"seen": {"temp": 20}, "on": "devices/d1/in"}')]


@needs_embedded_broker
def test_iot_core_through_the_embedded_broker(make_project):
    _check(make_project(TOML, app=APP), "auto")


def test_iot_core_through_mosquitto(make_project, mosquitto):
    _check(make_project(TOML, app=APP), mosquitto)
