"""A long-lived function: at start-up it creates the stream "SensorReadings" with a Kinesis
export (a fresh one each start, as seed 003 does); each reading it receives is appended, and
every fifth one it tells the reader how far the stream goes."""

import json
import logging
import os

import greengrasssdk
from greengrasssdk.stream_manager import (
    ExportDefinition,
    KinesisConfig,
    MessageStreamDefinition,
    ResourceNotFoundException,
    StrategyOnFull,
    StreamManagerClient,
)

STREAM = "SensorReadings"
logger = logging.getLogger()
logger.setLevel(logging.INFO)
iot = greengrasssdk.client("iot-data")
client = StreamManagerClient()

try:
    client.delete_message_stream(stream_name=STREAM)
except ResourceNotFoundException:
    pass
client.create_message_stream(MessageStreamDefinition(
    name=STREAM,
    strategy_on_full=StrategyOnFull.OverwriteOldestData,
    export_definition=ExportDefinition(kinesis=[KinesisConfig(
        identifier="KinesisExport" + STREAM,
        kinesis_stream_name=os.environ["KINESIS_STREAM_NAME"],
        batch_size=5,  # PutRecords of five readings, or fewer once the oldest has waited a minute
        batch_interval_millis=60000,
    )]),
))


def function_handler(event, context):
    sequence_number = client.append_message(STREAM, json.dumps(event, sort_keys=True).encode("utf-8"))
    logger.info("appended reading %s as sequence number %d", event, sequence_number)
    if sequence_number % 5 == 4:
        iot.publish(topic="sensors/appended", payload=json.dumps({"newest": sequence_number}))
    return sequence_number
