"""Shadow sync to the cloud shadow over the classic topics, through the local core's MQTT
bridge and a real broker (mosquitto) where a paho client plays AWS IoT Core. The host on
nucleus lite runs the same ShadowSync over PublishToIoTCore/SubscribeToIoTCore."""

from __future__ import annotations

import asyncio
import json

import paho.mqtt.client as paho

import pytest

from gglift.runtime import Core
from gglift.runtime.mqtt import MqttError, parse_url

from .conftest import kinds

APP = '''
import json
import greengrasssdk

iot = greengrasssdk.client("iot-data")

def lamp(event, context):
    if "report" in event:
        iot.update_thing_shadow(thingName="lamp", payload=json.dumps({"state": {"reported": event["report"]}}))
    if "other" in event:
        iot.update_thing_shadow(thingName="door", payload=json.dumps({"state": {"reported": event["other"]}}))
    return json.loads(iot.get_thing_shadow(thingName="lamp")["payload"])["state"]

def on_delta(event, context):
    return event
'''

TOML = '''
target = "component"
shadow_sync = ["lamp"]

[[function]]
name = "lamp"
handler = "app.lamp"

[[function]]
name = "delta"
handler = "app.on_delta"
eventSources = [{topic = "$aws/things/lamp/shadow/update/delta", type = "PUB_SUB"}]
'''


class Cloud:
    """A paho client standing in for AWS IoT Core's shadow service on the broker."""

    def __init__(self, url: str, loop: asyncio.AbstractEventLoop):
        self.received: asyncio.Queue = asyncio.Queue()
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="cloud")
        subscribed = asyncio.Event()
        self.client.on_subscribe = lambda *args: loop.call_soon_threadsafe(subscribed.set)
        self.client.on_message = lambda c, u, m: loop.call_soon_threadsafe(
            self.received.put_nowait, (m.topic, json.loads(m.payload)))
        requests = [(f"$aws/things/+/shadow/{op}", 0) for op in ("get", "update", "delete")]  # not its own answers
        self.client.on_connect = lambda c, *args: c.subscribe(requests)
        self.subscribed = subscribed
        self.client.connect(*parse_url(url))
        self.client.loop_start()

    def publish(self, topic: str, document: dict) -> None:
        self.client.publish(topic, json.dumps(document)).wait_for_publish(30)

    async def next(self) -> tuple[str, dict]:
        return await asyncio.wait_for(self.received.get(), 60)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_local_shadows_sync_with_the_cloud_shadow_without_echoes(make_project, mosquitto):
    project = make_project(TOML, app=APP)

    async def main():
        cloud = Cloud(mosquitto, asyncio.get_running_loop())
        await asyncio.wait_for(cloud.subscribed.wait(), 60)
        records = []
        try:
            async with Core(project, mqtt=mosquitto) as core:
                core.add_observer(records.append)
                asked = await cloud.next()  # at start: the cloud document is asked for
                cloud.publish("$aws/things/lamp/shadow/get/accepted",
                              {"state": {"desired": {"level": 3}, "reported": {"level": 1}}, "version": 12})
                while not (await core.invoke("lamp", {})).payload.startswith(b'{"desired"'):
                    await asyncio.sleep(0.05)  # the cloud's desired state has reached the local shadow
                reported = json.loads((await core.invoke("lamp", {"report": {"level": 3}, "other": {"open": 1}})).payload)
                update = await cloud.next()  # the function's update, and nothing for the unsynced `door`
                cloud.publish("$aws/things/lamp/shadow/update/delta", {"state": {"level": 5}, "version": 14})
                while json.loads((await core.invoke("lamp", {})).payload)["desired"] != {"level": 5}:
                    await asyncio.sleep(0.05)
                await core.idle()
                deltas = [json.loads(r.payload) for r in kinds(records, "invocation") if r.function == "delta"]
                echoed = cloud.received.qsize()
        finally:
            cloud.stop()
        return asked, reported, update, deltas, echoed

    asked, reported, update, deltas, echoed = asyncio.run(main())
    assert asked == ("$aws/things/lamp/shadow/get", {})
    assert reported == {"desired": {"level": 3}, "reported": {"level": 3}}
    assert update == ("$aws/things/lamp/shadow/update", {"state": {"reported": {"level": 3}}})
    assert [d["state"] for d in deltas] == [{"level": 3}, {"level": 5}]  # the local delta, to the listening function
    assert echoed == 0  # the cloud's desired states were not sent back


def test_the_embedded_broker_cannot_carry_shadow_topics_and_says_so(make_project):
    project = make_project(TOML, app=APP)

    async def main():
        core = Core(project, mqtt="auto")
        try:
            with pytest.raises(MqttError) as error:
                await core.start()
        finally:
            await core.stop()
        return str(error.value)

    assert asyncio.run(main()) == ("shadow_sync needs an MQTT broker that carries $aws/things/... topics, which the "
                                   "embedded broker (amqtt) refuses: run mosquitto and pass --mqtt mqtt://127.0.0.1:1883")
