"""Every example under examples/ runs unchanged under `gglift run` with its events file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import needs_embedded_broker

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, tmp_path: Path) -> list[dict]:
    work = tmp_path / name
    shutil.copytree(EXAMPLES / name, work)
    record = tmp_path / "run.jsonl"
    done = subprocess.run([sys.executable, "-m", "gglift", "run", str(work), "--events", str(work / "events.jsonl"),
                           "--until-idle", "--record", str(record)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in record.read_text().splitlines()]


def results(kept: list[dict], function: str) -> list:
    return [r["result"] for r in kept if r["kind"] == "invocation" and r["function"] == function and not r["error"]]


def test_pubsub_logger(tmp_path):
    kept = run_example("pubsub_logger", tmp_path)
    deliveries = [r for r in kept if r["kind"] == "publish" and r["topic"] == "local/topic"]
    assert {r["source"] for r in deliveries} == {"publisher", "local"}
    assert all(r["targets"] == ["lambda"] for r in deliveries)
    assert len(results(kept, "lambda")) == len(deliveries)


@needs_embedded_broker
def test_republish(tmp_path):
    kept = run_example("republish", tmp_path)
    out = [r for r in kept if r["kind"] == "publish" and r["source"] == "republish"]
    assert out == [{"kind": "publish", "payload": 'Invoked on topic "test/input_message" with message "Some string value"',
                    "source": "republish", "targets": ["cloud"], "topic": "test/topic_results"}]


def test_on_demand_runs_four_workers(tmp_path):
    kept = run_example("on_demand", tmp_path)
    done = results(kept, "resize")
    assert sorted(r["job"] for r in done) == list(range(1, 9))
    assert len({r["worker"] for r in done}) == 4


def test_invoke(tmp_path):
    kept = run_example("invoke", tmp_path)
    assert results(kept, "invokee") == ["hello world"] and results(kept, "invoker") == ["hello world"]


def test_shadow(tmp_path):
    assert results(run_example("shadow", tmp_path), "thermostat") == [{"target": 21}]


def test_secret(tmp_path):
    assert results(run_example("secret", tmp_path), "connector") == [{"name": "db-password", "length": 28}]

