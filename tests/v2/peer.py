"""Another component, on AWS's own client (awsiotsdk): ``peer.py subscribe TOPIC`` prints each
message as a JSON line ``{"topic", "binary": hex}`` or ``{"topic", "json": value}`` (a first line ``ready`` once subscribed);
``peer.py publish TOPIC TEXT`` publishes a binary message and prints ``ok`` or the error's class."""

import json
import sys
import threading

from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2
from awsiot.greengrasscoreipc.model import BinaryMessage, PublishMessage


def main() -> None:
    mode, topic = sys.argv[1], sys.argv[2]
    client = GreengrassCoreIPCClientV2()
    if mode == "subscribe":
        def on_event(event) -> None:
            if event.binary_message:
                line = {"topic": event.binary_message.context.topic, "binary": event.binary_message.message.hex()}
            else:
                line = {"topic": event.json_message.context.topic, "json": event.json_message.message}
            print(json.dumps(line), flush=True)

        client.subscribe_to_topic(topic=topic, on_stream_event=on_event)
        print("ready", flush=True)
        threading.Event().wait()
    else:
        try:
            client.publish_to_topic(topic=topic, publish_message=PublishMessage(
                binary_message=BinaryMessage(message=sys.argv[3].encode())))
            print("ok", flush=True)
        except Exception as exc:
            print(type(exc).__name__, flush=True)


if __name__ == "__main__":
    main()
