"""Publishes what it got, with the topic it came on; {"shadow": {...}} updates the thing's
shadow first and reports the shadow's reported state; {"big": N} publishes N bytes."""

import json

import greengrasssdk

iot = greengrasssdk.client("iot-data")


def handler(event, context):
    subject = context.client_context.custom["subject"]
    if "shadow" in event:
        if event["shadow"]:
            iot.update_thing_shadow(thingName="local-test-thing",
                                    payload=json.dumps({"state": {"reported": event["shadow"]}}))
        document = json.loads(iot.get_thing_shadow(thingName="local-test-thing")["payload"])
        event = {"reported": document["state"]["reported"], "version": document["version"]}
    if "big" in event:
        try:
            iot.publish(topic="sensors/out/py", payload="x" * event["big"])
        except Exception as exc:
            event = {"error": type(exc).__name__, "message": str(exc)}
    iot.publish(topic="sensors/out/py", payload=json.dumps({"got": event, "subject": subject}))
