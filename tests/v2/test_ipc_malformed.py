"""A nucleus reply that is not JSON fails the call it answers, not the connection."""

from __future__ import annotations

import asyncio
import json

import pytest

from gglift.ipc import IpcClient
from gglift.ipc import eventstream as es
from gglift.ipc.errors import IpcError


def test_a_reply_that_is_not_json_fails_its_call_and_the_connection_goes_on(tmp_path):
    path = str(tmp_path / "ipc.socket")

    async def serve(reader, writer):
        decoder = es.Decoder()
        while data := await reader.read(65536):
            for message in decoder.feed(data):
                if message.message_type == es.CONNECT:
                    headers = {":message-type": es.CONNECT_ACK, ":message-flags": es.CONNECTION_ACCEPTED, ":stream-id": 0}
                    writer.write(es.encode(es.Message(headers)))
                elif message.message_type == es.APPLICATION_MESSAGE:
                    answer = b"not json" if json.loads(message.payload)["n"] == 1 else b'{"ok": true}'
                    headers = {":message-type": es.APPLICATION_MESSAGE, ":message-flags": es.TERMINATE_STREAM,
                               ":stream-id": message.stream_id}
                    writer.write(es.encode(es.Message(headers, answer)))

    async def main():
        server = await asyncio.start_unix_server(serve, path)
        client = IpcClient(path, "token", reconnect=False, timeout=10)
        try:
            await client.connect()
            with pytest.raises(IpcError, match="PublishToTopic: the nucleus sent a message that is not JSON"):
                await client.call("PublishToTopic", {"n": 1})
            assert await client.call("PublishToTopic", {"n": 2}) == {"ok": True}
        finally:
            await client.close()
            server.close()

    asyncio.run(asyncio.wait_for(main(), 60))
