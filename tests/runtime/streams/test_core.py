"""Functions on the local core reach its stream manager with their own token and port."""

from __future__ import annotations

import json

from ..conftest import kinds, run_core

APP = '''
import os
from stream_manager import MessageStreamDefinition, ReadMessagesOptions, StrategyOnFull, StreamManagerClient

client = StreamManagerClient()

def write(event, context):
    if event.get("create"):
        client.create_message_stream(MessageStreamDefinition(name="readings", strategy_on_full=StrategyOnFull.RejectNewData))
    return [client.append_message("readings", text.encode()) for text in event["texts"]]

def read(event, context):
    messages = client.read_messages("readings", ReadMessagesOptions(
        desired_start_sequence_number=event["from"], min_message_count=1, max_message_count=100))
    return {"port": os.environ["STREAM_MANAGER_SERVER_PORT"], "read": [[m.sequence_number, m.payload.decode()] for m in messages]}
'''

TOML = '''
[[function]]
name = "writer"
handler = "app.write"
requirements = "requirements.txt"
linuxProcessParams = { containerParams = { memorySizeInKB = 65536 } }

[[function]]
name = "reader"
handler = "app.read"
requirements = "requirements.txt"
pinned = false
linuxProcessParams = { containerParams = { memorySizeInKB = 65536 } }
'''


def test_functions_append_and_read_through_the_core_and_streams_survive_a_restart(make_project, tmp_path):
    (tmp_path / "requirements.txt").write_text("stream-manager>=1.1\n")  # workers import what the device's artifact holds
    project = make_project(TOML, app=APP)

    async def first(core, records):
        wrote = await core.invoke("writer", {"create": True, "texts": ["a", "b"]})
        read = await core.invoke("reader", {"from": 1})
        return core.backend.stream_port, json.loads(wrote.payload), json.loads(read.payload)

    port, wrote, read = run_core(project, first)
    assert wrote == [0, 1]
    assert read == {"port": str(port), "read": [[1, "b"]]}

    async def second(core, records):
        wrote = await core.invoke("writer", {"texts": ["c"]})
        read = await core.invoke("reader", {"from": 0})
        assert not [r for r in kinds(records, "invocation") if r.error]
        return json.loads(wrote.payload), json.loads(read.payload)["read"]

    assert run_core(project, second) == ([2], [[0, "a"], [1, "b"], [2, "c"]])
