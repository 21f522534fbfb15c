import json
import logging
import os

import greengrasssdk

iot = greengrasssdk.client("iot-data")
THING = os.environ["AWS_IOT_THING_NAME"]


def handler(event, context):
    iot.update_thing_shadow(thingName=THING, payload=json.dumps({"state": {"desired": {"target": event["target"]}}}))
    iot.update_thing_shadow(thingName=THING, payload=json.dumps({"state": {"reported": {"target": 19}}}))
    shadow = json.loads(iot.get_thing_shadow(thingName=THING)["payload"])
    logging.info("version %d, delta %s", shadow["version"], json.dumps(shadow["state"].get("delta", {})))
    return shadow["state"].get("delta", {})
