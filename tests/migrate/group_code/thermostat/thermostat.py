"""A V1 thermostat: reports each reading in the core's local shadow, and the accepted state to the cloud."""

import json
import os

import greengrasssdk

iot = greengrasssdk.client("iot-data")
THING = os.environ["THING_NAME"]


def function_handler(event, context):
    subject = context.client_context.custom["subject"]
    if subject.endswith("/shadow/update/accepted"):
        iot.publish(topic="thermostat/state", payload=json.dumps(event["state"]["reported"]))
        return
    update = {"state": {"reported": {"celsius": event["celsius"], "sensor": event["id"]}}}
    iot.update_thing_shadow(thingName=THING, payload=json.dumps(update))
