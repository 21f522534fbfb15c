"""Sensor alerts: the Lambda the gateway hands hot readings to."""

import logging

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


def handler(event, context):
    logger.warning("ALERT %s is at %.1f C", event["device"], event["temperature"])
    return {"alerted": event["device"]}
