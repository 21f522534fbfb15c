"""The shipped cloud example, once ported, runs on the real greengrasssdk under the local core.

Nothing is stood in: ``gglift port`` rewrites a copy of examples/cloud_lambda, then
``gglift run`` feeds it the example's events, and the record shows what the device would do.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[2] / "examples" / "cloud_lambda"
GGLIFT = [sys.executable, "-m", "gglift"]


def test_ported_example_runs_on_the_local_core(tmp_path: Path) -> None:
    project = tmp_path / "gateway"
    shutil.copytree(EXAMPLE, project)

    port = subprocess.run([*GGLIFT, "port", str(project / "src")], capture_output=True, text=True, timeout=120)
    assert port.returncode == 0, port.stdout + port.stderr
    ported = (project / "src" / "app.py").read_text()
    assert "import greengrasssdk" in ported and "boto3.client(\"iot-data\"" not in ported

    record = tmp_path / "run.jsonl"
    run = subprocess.run(
        [*GGLIFT, "run", str(project), "--events", str(project / "events.jsonl"), "--until-idle", "--record", str(record)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [json.loads(line) for line in record.read_text().splitlines()]

    invocations = sorted((r for r in lines if r["kind"] == "invocation"), key=lambda r: r["topic"])
    assert [(r["topic"], r["result"], r["error_type"]) for r in invocations] == [
        ("sensors/cellar/readings", {"device": "cellar", "interval": 60}, ""),
        ("sensors/greenhouse-1/readings", {"device": "greenhouse-1", "interval": 60}, ""),
        ("sensors/greenhouse-2/readings", {"device": "greenhouse-2", "interval": 60}, ""),
    ]
    # The reading goes out on the device's telemetry topic, signed with the first four
    # characters of the local secret, and nothing subscribes to it locally: it is cloud-bound.
    telemetry = sorted(
        ((r["topic"], r["payload"]["key"], r["targets"]) for r in lines if r["kind"] == "publish" and r["source"] == "sensor-gateway")
    )
    assert telemetry == [
        ("sensors/cellar/telemetry", "demo", ["cloud"]),
        ("sensors/greenhouse-1/telemetry", "demo", ["cloud"]),
        ("sensors/greenhouse-2/telemetry", "demo", ["cloud"]),
    ]
    # Each invocation reported its reading in the local shadow, which outlives the core.
    db = sqlite3.connect(project / ".gglift" / "shadows.sqlite")
    version, document = db.execute("select version, document from shadow where thing = 'sensor-gateway'").fetchone()
    assert version == 3
    assert json.loads(document)["state"]["reported"]["last"]["device"] in {"cellar", "greenhouse-1", "greenhouse-2"}
    assert run.stderr.count("sensor-gateway/api-key") == 0 and "demo-key-0000" not in run.stdout + run.stderr
