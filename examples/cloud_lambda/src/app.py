"""Sensor gateway: a Lambda written for the AWS cloud.

Each invocation carries one reading from a device. The function publishes it to the
device's telemetry topic, records the latest reading in the gateway's thing shadow, reads
the sampling interval the operators set there, and raises an alert when it is too hot.
"""

import json
import logging
import os

import boto3
from botocore.exceptions import ClientError

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

REGION = os.environ.get("AWS_REGION", "eu-west-1")
# The alerting function, by ARN: a Greengrass core invokes functions by ARN only.
ALERTS_FUNCTION_ARN = os.environ["ALERTS_FUNCTION_ARN"]
OPERATORS_TOPIC_ARN = os.environ.get("OPERATORS_TOPIC_ARN", "")
THING_NAME = "sensor-gateway"
API_KEY_SECRET = "sensor-gateway/api-key"
ALERT_THRESHOLD_C = 45.0

# Clients are created once per container and reused across invocations.
iot = boto3.client("iot-data", region_name=REGION)
lambda_client = boto3.client("lambda", region_name=REGION)
sns = boto3.client("sns", region_name=REGION)


def api_key():
    """The key the gateway signs its readings with."""
    secrets = boto3.client("secretsmanager", region_name=REGION)
    secret = secrets.get_secret_value(SecretId=API_KEY_SECRET)
    return secret["SecretString"]


def sampling_interval(default=60):
    """The interval the operators set in the shadow's desired state, in seconds."""
    try:
        resp = iot.get_thing_shadow(thingName=THING_NAME)
    except ClientError as err:
        logger.warning("no shadow for %s yet: %s", THING_NAME, err)
        return default
    document = json.loads(resp["payload"].read())
    return document.get("state", {}).get("desired", {}).get("interval", default)


def raise_alert(reading):
    """Hand hot readings to the alerting function and page the operators."""
    lambda_client.invoke(
        FunctionName=ALERTS_FUNCTION_ARN,
        InvocationType="Event",
        Payload=json.dumps(reading),
    )
    if OPERATORS_TOPIC_ARN:  # paging is optional: not every site has an operators' topic
        sns.publish(
            TopicArn=OPERATORS_TOPIC_ARN,
            Message=f"{reading['device']} is at {reading['temperature']} C",
        )


def handler(event, context):
    device = event["device"]
    reading = {
        "device": device,
        "temperature": float(event["temperature"]),
        "key": api_key()[:4],
    }
    iot.publish(
        topic=f"sensors/{device}/telemetry",
        payload=json.dumps(reading),
        qos=1,
    )
    iot.update_thing_shadow(
        thingName=THING_NAME,
        payload=json.dumps({"state": {"reported": {"last": reading}}}),
    )
    if reading["temperature"] > ALERT_THRESHOLD_C:
        raise_alert(reading)
    return {"device": device, "interval": sampling_interval()}
