"""A V1 sensor gateway: converts raw Fahrenheit readings from the cloud and republishes them."""

import json

import greengrasssdk

iot = greengrasssdk.client("iot-data")


def function_handler(event, context):
    subject = context.client_context.custom["subject"]  # sensors/<id>/raw
    sensor_id = subject.split("/")[1]
    celsius = round((event["fahrenheit"] - 32) * 5 / 9, 1)
    iot.publish(topic=f"sensors/{sensor_id}/celsius", payload=json.dumps({"id": sensor_id, "celsius": celsius}))
