"""max_size, stream_segment_size, strategy_on_full, time_to_live_millis, persistence and
flush_on_write, seen through the real SDKs and the files the store leaves."""

from __future__ import annotations

import pytest

from .conftest import ServerThread
from .test_protocol import definition

RECORD = 24  # bytes of a stored record besides its payload


def segments(server, name="SomeStream"):
    folder = server.folder / f"stream-{name}"
    return sorted(p.name for p in folder.glob("*.seg"))


def test_reject_new_data_refuses_appends_once_max_size_is_reached(connect, sdk, server):
    client = connect()
    client.create_message_stream(definition(sdk, max_size=1024, stream_segment_size=1024,
                                            strategy_on_full=sdk.StrategyOnFull.RejectNewData))
    payload = b"x" * (256 - RECORD)
    assert [client.append_message("SomeStream", payload) for _ in range(4)] == [0, 1, 2, 3]
    with pytest.raises(sdk.InvalidRequestException, match="stream SomeStream is full: 1024 of its max_size 1024 bytes"):
        client.append_message("SomeStream", b"y")
    assert client.describe_message_stream("SomeStream").storage_status.total_bytes == 1024
    assert [m.sequence_number for m in client.read_messages("SomeStream", sdk.ReadMessagesOptions(max_message_count=10))] == [0, 1, 2, 3]


def test_overwrite_oldest_data_drops_whole_segments(connect, sdk, server):
    client = connect()
    client.create_message_stream(definition(sdk, max_size=2048, stream_segment_size=1024))
    payload = b"x" * (256 - RECORD)  # four records fill a segment
    for n in range(8):
        assert client.append_message("SomeStream", payload) == n
    assert segments(server) == ["00000000000000000000.seg", "00000000000000000004.seg"]
    assert client.append_message("SomeStream", payload) == 8  # full: segment 0..3 goes
    assert segments(server) == ["00000000000000000004.seg", "00000000000000000008.seg"]
    status = client.describe_message_stream("SomeStream").storage_status
    assert (status.oldest_sequence_number, status.newest_sequence_number, status.total_bytes) == (4, 8, 5 * 256)
    # a read from before the oldest kept message starts at the oldest
    read = client.read_messages("SomeStream", sdk.ReadMessagesOptions(desired_start_sequence_number=1, max_message_count=100))
    assert [m.sequence_number for m in read] == [4, 5, 6, 7, 8]


def test_time_to_live_drops_segments_whose_messages_all_expired(tmp_path, sdk):
    now = [1_700_000_000_000]
    server = ServerThread(tmp_path / "streams", clock=lambda: now[0])
    server.start()
    client = sdk.StreamManagerClient(port=server.port)
    try:
        client.create_message_stream(definition(sdk, stream_segment_size=1024, time_to_live_millis=60000))
        payload = b"x" * (256 - RECORD)
        for _ in range(4):
            client.append_message("SomeStream", payload)
        now[0] += 30000
        for _ in range(2):
            client.append_message("SomeStream", payload)
        read = client.read_messages("SomeStream", sdk.ReadMessagesOptions(max_message_count=10))
        assert [(m.sequence_number, m.ingest_time) for m in read][:1] == [(0, 1_700_000_000_000)]
        now[0] += 40000  # the first segment's newest message is 70 s old, the second's 40 s
        status = client.describe_message_stream("SomeStream").storage_status
        assert (status.oldest_sequence_number, status.newest_sequence_number) == (4, 5)
        now[0] += 30000
        status = client.describe_message_stream("SomeStream").storage_status
        assert (status.oldest_sequence_number, status.newest_sequence_number, status.total_bytes) == (6, 5, 0)
        assert client.append_message("SomeStream", b"later") == 6
    finally:
        client.close()
        server.close()


def test_file_streams_survive_a_restart_in_order_and_memory_streams_do_not(connect, sdk, server):
    client = connect()
    client.create_message_stream(definition(sdk, stream_segment_size=1024, flush_on_write=True))
    client.create_message_stream(definition(sdk, "Volatile", persistence=sdk.Persistence.Memory))
    sent = [f"reading {n}".encode() * 20 for n in range(30)]
    for payload in sent:
        client.append_message("SomeStream", payload)
    client.append_message("Volatile", b"gone")
    client.close()
    server.restart()
    client = connect()
    assert client.list_streams() == ["SomeStream"]
    read = client.read_messages("SomeStream", sdk.ReadMessagesOptions(min_message_count=30, max_message_count=100))
    assert [(m.sequence_number, m.payload) for m in read] == list(enumerate(sent))
    assert client.append_message("SomeStream", b"after") == 30
    assert client.describe_message_stream("SomeStream").definition.flush_on_write is True


def test_a_damaged_segment_is_reported_as_a_read_error(connect, sdk, server):
    client = connect()
    client.create_message_stream(definition(sdk))
    client.append_message("SomeStream", b"payload")
    path = server.folder / "stream-SomeStream" / "00000000000000000000.seg"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(sdk.MessageStoreReadErrorException, match="message 0 of stream SomeStream is corrupted on disk"):
        client.read_messages("SomeStream")
