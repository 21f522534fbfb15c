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
    config = project / "gglift.toml"  # its shadow calls run on V2 in the host component only (GGL190)
    config.write_text('target = "component"\n' + config.read_text())

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


CLIENT_CONTEXT_APP = '''\
import base64
import json

import boto3

lam = boto3.client("lambda", region_name="us-east-1")
WORKER = "arn:aws:lambda:us-east-1:000000000000:function:worker"


def caller(event, context):
    custom = json.dumps({"custom": {"room": event["room"]}}).encode()
    if event.get("as_str"):
        client_context = base64.b64encode(custom).decode()
        answer = lam.invoke(FunctionName=WORKER, ClientContext=client_context, Payload=b"{}")
    else:
        answer = lam.invoke(FunctionName=WORKER, ClientContext=base64.b64encode(custom).decode(), Payload=b"{}")
    return json.loads(answer["Payload"].read())


def worker(event, context):
    return {"room": context.client_context.custom["room"]}
'''
CLIENT_CONTEXT_TOML = """\
[[function]]
name = "caller"
handler = "app.caller"
source = "src"
eventSources = [{topic = "go/+", type = "PUB_SUB"}]

[[function]]
name = "worker"
handler = "app.worker"
source = "src"
"""


def test_client_context_fix_and_warning_match_the_real_sdk(tmp_path: Path) -> None:
    """The ClientContext the port rewrites reaches the worker; the one it warns about is the
    str the real SDK refuses."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(CLIENT_CONTEXT_APP)
    (tmp_path / "gglift.toml").write_text(CLIENT_CONTEXT_TOML)
    events = [{"topic": "go/a", "payload": {"room": "kitchen"}}, {"topic": "go/b", "payload": {"room": "cellar", "as_str": True}}]
    (tmp_path / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))

    port = subprocess.run([*GGLIFT, "port", "src"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (port.returncode, port.stdout.splitlines()[:4]) == (0, [
        "src/app.py:14:50: GGL123 warning: `ClientContext=client_context` must be base64 bytes on the core; "
        "a str raises ValueError",
        "  hint: pass bytes, e.g. base64.b64encode(json.dumps(context).encode())",
        "src/app.py:16:89: GGL122 info: `.decode()` removed: the Greengrass Core SDK takes `ClientContext` as "
        "base64 bytes",
        "  hint: nothing to do; `base64.b64encode(...)` already gives the bytes the SDK expects",
    ])  # fmt: skip

    record = tmp_path / "run.jsonl"
    run = subprocess.run(
        [*GGLIFT, "run", ".", "--events", "events.jsonl", "--until-idle", "--record", str(record)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    callers = sorted((r["topic"], r["error_type"], r["result"]) for r in calls if r.get("function") == "caller")
    message = '"ClientContext" argument must be a byte string or support a decode method which returns a string'
    assert [(topic, error_type) for topic, error_type, _ in callers] == [("go/a", ""), ("go/b", "ValueError")]
    assert callers[0][2] == {"room": "kitchen"}
    assert callers[1][2]["errorMessage"] == message
