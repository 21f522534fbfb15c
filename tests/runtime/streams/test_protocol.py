"""The connect handshake and every operation, through both real SDK clients."""

from __future__ import annotations

import pytest

from .conftest import TOKEN


def definition(sdk, name="SomeStream", **fields):
    fields.setdefault("strategy_on_full", sdk.StrategyOnFull.OverwriteOldestData)
    return sdk.MessageStreamDefinition(name=name, **fields)


def test_a_wrong_token_is_refused_as_the_real_server_refuses_it(server, sdk, monkeypatch):
    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-" + TOKEN)
    with pytest.raises(sdk.exceptions.ConnectFailedException, match="Failed to establish connection with the server"):
        sdk.StreamManagerClient(port=server.port)
    monkeypatch.delenv("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    with pytest.raises(sdk.exceptions.ConnectFailedException):
        sdk.StreamManagerClient(port=server.port)


def test_create_list_describe_update_delete(connect, sdk):
    client = connect()
    assert client.list_streams() == []
    exports = sdk.ExportDefinition(kinesis=[sdk.KinesisConfig(identifier="KinesisExportSomeStream",
                                                              kinesis_stream_name="MyKinesisStream", batch_size=10)])
    client.create_message_stream(definition(sdk, export_definition=exports, time_to_live_millis=3600000))
    client.create_message_stream(definition(sdk, "Other stream, 2", persistence=sdk.Persistence.Memory))
    assert client.list_streams() == ["Other stream, 2", "SomeStream"]

    info = client.describe_message_stream("SomeStream")
    assert info.definition.name == "SomeStream"
    assert info.definition.max_size == 268435456
    assert info.definition.stream_segment_size == 16777216
    assert info.definition.time_to_live_millis == 3600000
    assert info.definition.strategy_on_full == sdk.StrategyOnFull.OverwriteOldestData
    assert info.definition.persistence == sdk.Persistence.File
    assert info.definition.flush_on_write is False
    kinesis = info.definition.export_definition.kinesis[0]
    assert (kinesis.identifier, kinesis.kinesis_stream_name, kinesis.batch_size) == ("KinesisExportSomeStream", "MyKinesisStream", 10)
    assert (info.storage_status.oldest_sequence_number, info.storage_status.newest_sequence_number,
            info.storage_status.total_bytes) == (0, -1, 0)

    with pytest.raises(sdk.InvalidRequestException, match="already exists"):
        client.create_message_stream(definition(sdk))
    client.update_message_stream(definition(sdk, max_size=2048, strategy_on_full=sdk.StrategyOnFull.RejectNewData))
    info = client.describe_message_stream("SomeStream")
    assert (info.definition.max_size, info.definition.strategy_on_full) == (2048, sdk.StrategyOnFull.RejectNewData)
    assert info.definition.export_definition is None
    with pytest.raises(sdk.UpdateNotAllowedException, match="persistence"):
        client.update_message_stream(definition(sdk, persistence=sdk.Persistence.Memory))
    with pytest.raises(sdk.ResourceNotFoundException, match="does not exist"):
        client.update_message_stream(definition(sdk, "Nope"))

    client.delete_message_stream("SomeStream")
    assert client.list_streams() == ["Other stream, 2"]
    for call in (client.delete_message_stream, client.describe_message_stream):
        with pytest.raises(sdk.ResourceNotFoundException):
            call("SomeStream")
    with pytest.raises(sdk.ResourceNotFoundException):
        client.append_message("SomeStream", b"x")
    with pytest.raises(sdk.ResourceNotFoundException):
        client.read_messages("SomeStream")


def test_append_returns_monotonic_sequence_numbers_and_read_follows_the_options(connect, sdk):
    client = connect()
    client.create_message_stream(definition(sdk))
    assert [client.append_message("SomeStream", f"m{n}".encode()) for n in range(5)] == [0, 1, 2, 3, 4]

    first = client.read_messages("SomeStream")  # no options: one message from the start
    assert [(m.stream_name, m.sequence_number, m.payload) for m in first] == [("SomeStream", 0, b"m0")]
    assert first[0].ingest_time > 1_600_000_000_000

    def read(**options):
        return [m.sequence_number for m in client.read_messages("SomeStream", sdk.ReadMessagesOptions(**options))]

    assert read(min_message_count=2) == [0, 1]
    assert read(desired_start_sequence_number=1, min_message_count=1, max_message_count=100) == [1, 2, 3, 4]
    assert read(desired_start_sequence_number=3, max_message_count=1) == [3]
    with pytest.raises(sdk.NotEnoughMessagesException, match="fewer than the 3 asked for"):
        read(desired_start_sequence_number=3, min_message_count=3, max_message_count=5)
    with pytest.raises(sdk.NotEnoughMessagesException):
        read(desired_start_sequence_number=5, read_timeout_millis=200)

    info = client.describe_message_stream("SomeStream")
    assert (info.storage_status.oldest_sequence_number, info.storage_status.newest_sequence_number) == (0, 4)
    assert info.storage_status.total_bytes == 5 * (24 + 2)


def test_a_read_waits_for_appends_from_another_client(connect, sdk):
    import threading

    writer, reader = connect(), connect()
    writer.create_message_stream(definition(sdk))
    writer.append_message("SomeStream", b"first")
    got = {}

    def wait():
        got["messages"] = reader.read_messages("SomeStream", sdk.ReadMessagesOptions(
            desired_start_sequence_number=1, min_message_count=2, max_message_count=10, read_timeout_millis=30000))

    thread = threading.Thread(target=wait)
    thread.start()
    # the waiting read must not hold up this client's own requests
    assert reader.list_streams() == ["SomeStream"]
    writer.append_message("SomeStream", b"second")
    writer.append_message("SomeStream", b"third")
    thread.join(60)
    assert [(m.sequence_number, m.payload) for m in got["messages"]] == [(1, b"second"), (2, b"third")]


def test_requests_the_sdk_does_not_check_are_refused_by_the_server(server, sdk):
    import socket

    import cbor2

    from gglift.runtime.streams import framing

    def exchange(*frames):
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(bytes((1,)) + framing.encode(1, cbor2.dumps({
                "requestId": "c", "protocolVersion": "1.1.0", "authToken": TOKEN})))
            reader = sock.makefile("rb")
            assert reader.read(1) == b"\x01"
            replies = [_frame(reader)]
            for op, body in frames:
                sock.sendall(framing.encode(op, cbor2.dumps(body)))
                replies.append(_frame(reader))
            return replies

    connected, bad_name, bad_size, unknown = exchange(
        (2, {"requestId": "a", "definition": {"name": "../etc", "strategyOnFull": 0}}),
        (2, {"requestId": "b", "definition": {"name": "s", "strategyOnFull": 0, "maxSize": 10}}),
        (42, {"requestId": "d"}))
    assert connected[0] == 6 and connected[1]["status"] == 0 and connected[1]["clientIdentifier"] == "tester"
    assert connected[1]["protocolVersion"] == "1.1.0"
    assert bad_name == (7, {"requestId": "a", "status": 3, "errorMessage": (
        "name must be 1 to 255 letters, digits, spaces, commas, periods, hyphens or underscores, got '../etc'")})
    assert bad_size == (7, {"requestId": "b", "status": 3, "errorMessage": "maxSize must be an integer from 1024 to 9223372036854775807, got 10"})
    assert unknown == (17, {"requestId": "d", "status": 18, "errorMessage": "operation 42 is not supported"})


def _frame(reader):
    import cbor2

    length = int.from_bytes(reader.read(4), "big", signed=True)
    operation = reader.read(1)[0]
    return operation, cbor2.loads(reader.read(length - 1))


def test_pipelined_appends_are_answered_in_order_after_one_flush(server, sdk, connect):
    import socket

    import cbor2

    from gglift.runtime.streams import framing

    connect().create_message_stream(definition(sdk, flush_on_write=True, stream_segment_size=4096))
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(bytes((1,)) + framing.encode(1, cbor2.dumps({"requestId": "c", "protocolVersion": "1.1.0",
                                                                  "authToken": TOKEN})))
        reader = sock.makefile("rb")
        assert reader.read(1) == b"\x01" and _frame(reader)[1]["status"] == 0
        sock.sendall(b"".join(framing.encode(4, cbor2.dumps({"requestId": f"r{n}", "name": "SomeStream",
                                                                 "payload": b"p" * 100})) for n in range(50)))
        answers = [_frame(reader) for _ in range(50)]
    assert answers == [(9, {"requestId": f"r{n}", "status": 0, "sequenceNumber": n}) for n in range(50)]
    assert [m.sequence_number for m in connect().read_messages("SomeStream", sdk.ReadMessagesOptions(
        min_message_count=50, max_message_count=50))] == list(range(50))
