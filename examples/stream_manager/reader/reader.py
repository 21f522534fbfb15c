"""Reads what the writer appended, from last_seq_no + 1, as seed 003's second function does."""

import logging

from greengrasssdk.stream_manager import ReadMessagesOptions, StreamManagerClient

client = StreamManagerClient()
logger = logging.getLogger()
logger.setLevel(logging.INFO)
last_seq_no = -1


def lambda_handler(event, context):
    global last_seq_no
    message_list = client.read_messages(
        stream_name="SensorReadings",
        options=ReadMessagesOptions(
            desired_start_sequence_number=last_seq_no + 1,
            min_message_count=1,
            max_message_count=event["newest"] - last_seq_no,
            read_timeout_millis=5000,
        ),
    )
    for msg in message_list:
        logger.info("read %d: %s", msg.sequence_number, msg.payload.decode("utf-8"))
    last_seq_no = message_list[-1].sequence_number
    return [msg.sequence_number for msg in message_list]
