"""Exports: what reaches moto (Kinesis, S3, in server mode on 127.0.0.1), botocore's Stubber
(IoT SiteWise) or a local HTTP endpoint, and what is only reported without --export."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import threading
import time
import urllib.request

import boto3
import pytest
from botocore.stub import Stubber

from gglift.runtime.streams import Exports
from gglift.runtime.streams.destinations import partition_key

from .conftest import TOKEN, ServerThread
from .test_protocol import definition


@pytest.fixture
def exporting(tmp_path, sdk):
    """``exporting(send)``: (server, its Exports, the records it emitted, an SDK client)."""
    made = []

    def make(send=False):
        emitted = []
        holder = {}

        def factory():
            holder["exports"] = Exports(emitted.append, send=send, region="us-east-1")
            return holder["exports"]

        server = ServerThread(tmp_path / "streams", exports_factory=factory)
        server.start()
        client = sdk.StreamManagerClient(port=server.port)
        made.append((server, client))
        return server, holder["exports"], emitted, client

    yield make
    for server, client in made:
        with contextlib.suppress(Exception):  # closed by the test already
            client.close()
        server.close()


@pytest.fixture
def moto_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")).read()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    yield f"http://{host}:{port}"
    server.stop()


def wait_for(check, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def export_status(client, name="SomeStream"):
    return client.describe_message_stream(name).export_statuses


def test_without_export_the_batches_are_reported_and_counted(exporting, sdk):
    server, exports, emitted, client = exporting(send=False)
    kinesis = sdk.KinesisConfig(identifier="ToKinesis", kinesis_stream_name="MyKinesisStream",
                                batch_size=3, batch_interval_millis=60000)
    client.create_message_stream(definition(sdk, export_definition=sdk.ExportDefinition(kinesis=[kinesis])))
    for n in range(7):
        client.append_message("SomeStream", f"r{n}".encode())
    status = wait_for(lambda: [s for s in export_status(client) if s.last_exported_sequence_number == 5])[0]
    assert (status.export_config_identifier, status.exported_messages_count, status.exported_bytes_from_stream,
            status.error_message) == ("ToKinesis", 6, 12, None)
    assert [(r.operation, r.target, r.sequence_numbers, r.sent) for r in emitted] == [
        ("PutRecords", "MyKinesisStream", [0, 1, 2], False), ("PutRecords", "MyKinesisStream", [3, 4, 5], False)]
    assert emitted[0].request == {"StreamName": "MyKinesisStream", "Records": [
        {"Data": f"r{n}", "PartitionKey": partition_key("SomeStream", n)} for n in range(3)]}

    # progress survives a restart: the next run exports from 6 on, not again from 0
    server.restart()
    client2 = sdk.StreamManagerClient(port=server.port)
    try:
        assert [s.last_exported_sequence_number for s in export_status(client2)] == [5]
    finally:
        client2.close()


def test_kinesis_put_records_reach_moto(exporting, sdk, moto_server):
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName="MyKinesisStream", ShardCount=1)
    server, exports, emitted, client = exporting(send=True)
    config = sdk.KinesisConfig(identifier="KinesisExportSomeStream", kinesis_stream_name="MyKinesisStream", batch_size=2,
                               batch_interval_millis=60000)
    client.create_message_stream(definition(sdk, export_definition=sdk.ExportDefinition(kinesis=[config])))
    sent = [f"reading {n}".encode() for n in range(4)]
    for payload in sent:
        client.append_message("SomeStream", payload)
    wait_for(lambda: export_status(client)[0].last_exported_sequence_number == 3)
    shard = kinesis.describe_stream(StreamName="MyKinesisStream")["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="MyKinesisStream", ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    got = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [(r["Data"], r["PartitionKey"]) for r in got] == [
        (payload, partition_key("SomeStream", n)) for n, payload in enumerate(sent)]
    assert [(r.sequence_numbers, r.sent, r.error) for r in emitted] == [([0, 1], True, ""), ([2, 3], True, "")]


def test_s3_export_tasks_upload_the_file_and_report_on_the_status_stream(exporting, sdk, moto_server, tmp_path):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="my-bucket")
    server, exports, emitted, client = exporting(send=True)
    client.create_message_stream(definition(sdk, "StatusStream"))
    executor = sdk.S3ExportTaskExecutorConfig(identifier="S3TaskExecutor", status_config=sdk.StatusConfig(
        status_level=sdk.StatusLevel.INFO, status_stream_name="StatusStream"))
    client.create_message_stream(definition(sdk, export_definition=sdk.ExportDefinition(s3_task_executor=[executor])))
    data = tmp_path / "capture.csv"
    data.write_bytes(b"t,v\n1,2\n")
    task = sdk.S3ExportTaskDefinition(input_url=data.as_uri(), bucket="my-bucket", key="captures/a.csv",
                                      user_metadata={"Site": "plant-1"})
    client.append_message("SomeStream", sdk.Util.validate_and_serialize_to_json_bytes(task))
    missing = sdk.S3ExportTaskDefinition(input_url=(tmp_path / "none.csv").as_uri(), bucket="my-bucket", key="b.csv")
    client.append_message("SomeStream", sdk.Util.validate_and_serialize_to_json_bytes(missing))

    read = wait_for(lambda: _read_all(client, sdk, "StatusStream", 4))
    statuses = [sdk.Util.deserialize_json_bytes_to_obj(m.payload, sdk.StatusMessage) for m in read]
    assert [(s.status, s.status_level, s.status_context.sequence_number) for s in statuses] == [
        (sdk.Status.InProgress, sdk.StatusLevel.INFO, 0), (sdk.Status.Success, sdk.StatusLevel.INFO, 0),
        (sdk.Status.InProgress, sdk.StatusLevel.INFO, 1), (sdk.Status.Failure, sdk.StatusLevel.ERROR, 1)]
    assert statuses[1].status_context.s3_export_task_definition.key == "captures/a.csv"
    assert statuses[3].message == f"the file to upload, {tmp_path / 'none.csv'}, does not exist"
    obj = s3.get_object(Bucket="my-bucket", Key="captures/a.csv")
    assert (obj["Body"].read(), obj["Metadata"]) == (b"t,v\n1,2\n", {"site": "plant-1"})


def _read_all(client, sdk, name, count):
    try:
        return client.read_messages(name, sdk.ReadMessagesOptions(min_message_count=count, max_message_count=count))
    except sdk.NotEnoughMessagesException:
        return None


def test_sitewise_entries_reach_the_stubbed_api_and_a_throttled_batch_is_retried(exporting, sdk):
    server, exports, emitted, client = exporting(send=True)
    sitewise = boto3.client("iotsitewise", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    exports.sender._clients["iotsitewise"] = sitewise
    entry = sdk.PutAssetPropertyValueEntry(entry_id="e1", property_alias="/plant/line1/temperature", property_values=[
        sdk.AssetPropertyValue(value=sdk.Variant(double_value=21.5),
                               timestamp=sdk.TimeInNanos(time_in_seconds=1700000000, offset_in_nanos=5),
                               quality=sdk.Quality.GOOD)])
    expected = {"entries": [{"entryId": "e1", "propertyAlias": "/plant/line1/temperature", "propertyValues": [
        {"value": {"doubleValue": 21.5}, "timestamp": {"timeInSeconds": 1700000000, "offsetInNanos": 5},
         "quality": "GOOD"}]}]}
    with Stubber(sitewise) as stub:
        stub.add_client_error("batch_put_asset_property_value", "ThrottlingException", "Rate exceeded",
                              expected_params=expected)
        stub.add_response("batch_put_asset_property_value", {"errorEntries": []}, expected_params=expected)
        client.create_message_stream(definition(sdk, export_definition=sdk.ExportDefinition(
            iot_sitewise=[sdk.IoTSiteWiseConfig(identifier="ToSiteWise")])))
        client.append_message("SomeStream", sdk.Util.validate_and_serialize_to_json_bytes(entry))
        failing = wait_for(lambda: [s for s in export_status(client) if s.error_message])[0]
        assert "ThrottlingException" in failing.error_message and failing.last_exported_sequence_number == -1
        done = wait_for(lambda: [s for s in export_status(client) if s.last_exported_sequence_number == 0])[0]
        assert (done.error_message, done.exported_messages_count) == (None, 1)
        stub.assert_no_pending_responses()
    assert [(r.operation, r.error != "") for r in emitted] == [
        ("BatchPutAssetPropertyValue", True), ("BatchPutAssetPropertyValue", False)]


def test_iot_analytics_is_reported_and_its_end_of_support_shown(exporting, sdk):
    config = sdk.IoTAnalyticsConfig(identifier="ToChannel", iot_channel="my_channel", iot_msg_id_prefix="dev1-")
    server, exports, emitted, client = exporting(send=False)
    client.create_message_stream(definition(sdk, export_definition=sdk.ExportDefinition(iot_analytics=[config])))
    client.append_message("SomeStream", b'{"t": 1}')
    wait_for(lambda: emitted)
    assert (emitted[0].operation, emitted[0].request) == (
        "BatchPutMessage", {"channelName": "my_channel", "messages": [{"messageId": "dev1-0", "payload": {"t": 1}}]})
    client.close()
    server.close()

    server, exports, emitted, client = exporting(send=True)
    client.append_message("SomeStream", b'{"t": 2}')
    status = wait_for(lambda: [s for s in export_status(client) if s.error_message])[0]
    assert status.error_message == ("AWS no longer offers iotanalytics (botocore has no model for it); "
                                    "BatchPutMessage cannot be sent")


class _Catcher(http.server.BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.bodies.append((self.path, self.headers["Content-Type"], self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_http_exports_post_json_batches_or_raw_messages(exporting, sdk):
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Catcher)
    _Catcher.bodies = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        server, exports, emitted, client = exporting(send=True)
        base = f"http://127.0.0.1:{httpd.server_port}"
        client.create_message_stream(definition(sdk, export_definition=sdk.ExportDefinition(http=[
            sdk.HTTPConfig(identifier="Batched", uri=base + "/batched", batch_size=2, batch_interval_millis=60000,
                           export_format=sdk.ExportFormat.JSON_BATCHED),
            sdk.HTTPConfig(identifier="Raw", uri=base + "/raw", batch_size=2, batch_interval_millis=60000,
                           export_format=sdk.ExportFormat.RAW_NOT_BATCHED)])))
        client.append_message("SomeStream", b"one")
        client.append_message("SomeStream", b"two")
        wait_for(lambda: len(_Catcher.bodies) == 3)
    finally:
        httpd.shutdown()
    batched = [json.loads(body) for path, _, body in _Catcher.bodies if path == "/batched"]
    assert [[(m["sequenceNumber"], base64.b64decode(m["payload"])) for m in b] for b in batched] == [[(0, b"one"), (1, b"two")]]
    assert sorted((p, t, b) for p, t, b in _Catcher.bodies if p == "/raw") == [
        ("/raw", "application/octet-stream", b"one"), ("/raw", "application/octet-stream", b"two")]


def test_an_updated_export_carries_on_from_where_it_was(exporting, sdk):
    server, exports, emitted, client = exporting(send=False)

    def stream(batch_size):
        kinesis = sdk.KinesisConfig(identifier="ToKinesis", kinesis_stream_name="K", batch_size=batch_size,
                                    batch_interval_millis=60000)
        return definition(sdk, persistence=sdk.Persistence.Memory, export_definition=sdk.ExportDefinition(kinesis=[kinesis]))

    client.create_message_stream(stream(2))
    for n in range(2):
        client.append_message("SomeStream", f"r{n}".encode())
    wait_for(lambda: export_status(client)[0].last_exported_sequence_number == 1)
    client.update_message_stream(stream(3))
    for n in range(2, 5):
        client.append_message("SomeStream", f"r{n}".encode())
    wait_for(lambda: export_status(client)[0].last_exported_sequence_number == 4)
    assert [r.sequence_numbers for r in emitted] == [[0, 1], [2, 3, 4]]


def test_a_damaged_segment_stops_its_export_but_not_the_server(exporting, sdk):
    server, exports, emitted, client = exporting(send=False)
    kinesis = sdk.KinesisConfig(identifier="ToKinesis", kinesis_stream_name="MyKinesisStream",
                                batch_size=3, batch_interval_millis=600000)
    client.create_message_stream(definition(sdk, export_definition=sdk.ExportDefinition(kinesis=[kinesis])))
    client.append_message("SomeStream", b"r0")
    client.append_message("SomeStream", b"r1")
    path = server.folder / "stream-SomeStream" / "00000000000000000000.seg"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    client.append_message("SomeStream", b"r2")  # the batch is due, and cannot be read
    status = wait_for(lambda: [s for s in export_status(client) if s.error_message])[0]
    assert "message 1 of stream SomeStream is corrupted on disk" in status.error_message
    # the server still answers, and the stalled export does not keep the core busy
    assert client.append_message("SomeStream", b"r3") == 3
    assert client.list_streams() == ["SomeStream"]
    assert emitted == []
    wait_for(lambda: not exports.busy())
