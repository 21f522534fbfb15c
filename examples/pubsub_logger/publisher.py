"""Publishes a sample document on local/topic every PUBLISH_INTERVAL seconds.

A long-lived Greengrass function starts its endless work outside the handler, in a thread
started when the module loads.
"""

import json
import os
import threading
import time

import greengrasssdk

client = greengrasssdk.client("iot-data")
MESSAGE = {"key1": "value1", "key2": "value2", "key3": "value3"}


def publish_forever():
    interval = float(os.environ.get("PUBLISH_INTERVAL", "5"))
    while True:
        client.publish(topic="local/topic", payload=json.dumps(MESSAGE))
        time.sleep(interval)


threading.Thread(target=publish_forever, daemon=True).start()


def handler(event, context):
    return None
