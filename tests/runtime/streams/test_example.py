"""examples/stream_manager (seed 003's pattern) under `gglift run`, reported and, with
--export, sent to Kinesis in moto's server mode."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3

from gglift.runtime.streams.destinations import partition_key

from .test_exports import moto_server  # noqa: F401 (fixture)

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "stream_manager"
READINGS = [json.dumps({"celsius": 20 + n * 0.5, "sensor": "line-1"}, sort_keys=True) for n in range(10)]


def run_example(tmp_path: Path, *options: str, env=None) -> list[dict]:
    work = tmp_path / "stream_manager"
    shutil.copytree(EXAMPLE, work)
    record = tmp_path / "run.jsonl"
    done = subprocess.run([sys.executable, "-m", "gglift", "run", str(work), "--events", str(work / "events.jsonl"),
                           "--until-idle", "--record", str(record), *options],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_the_reader_reads_what_the_writer_appended_and_the_export_is_reported(tmp_path):
    kept = run_example(tmp_path)
    reads = [r["result"] for r in kept if r["kind"] == "invocation" and r["function"] == "reader"]
    assert reads == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    exports = [r for r in kept if r["kind"] == "export"]
    assert [(r["stream"], r["export"], r["operation"], r["target"], r["sequence_numbers"], r["sent"]) for r in exports] == [
        ("SensorReadings", "KinesisExportSensorReadings", "PutRecords", "SensorReadings", [0, 1, 2, 3, 4], False),
        ("SensorReadings", "KinesisExportSensorReadings", "PutRecords", "SensorReadings", [5, 6, 7, 8, 9], False)]


def test_with_export_the_readings_reach_kinesis(tmp_path, moto_server):  # noqa: F811
    kinesis = boto3.client("kinesis")
    kinesis.create_stream(StreamName="SensorReadings", ShardCount=1)
    kept = run_example(tmp_path, "--export", env=dict(os.environ))
    assert [(r["sequence_numbers"], r["sent"], r["error"]) for r in kept if r["kind"] == "export"] == [
        ([0, 1, 2, 3, 4], True, ""), ([5, 6, 7, 8, 9], True, "")]
    shard = kinesis.describe_stream(StreamName="SensorReadings")["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="SensorReadings", ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [(r["Data"].decode(), r["PartitionKey"]) for r in records] == [
        (reading, partition_key("SensorReadings", n)) for n, reading in enumerate(READINGS)]
