"""``gglift run`` and ``gglift invoke`` as a user runs them: output, records, exit codes, shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

APP = '''
import json, logging, time
import greengrasssdk
iot = greengrasssdk.client("iot-data")

def handler(event, context):
    logging.info("event %s", json.dumps(event))
    if event.get("fail"):
        raise ValueError("bad event")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    iot.publish(topic="out/" + context.client_context.custom.get("subject", "none"), payload=json.dumps(event))
    return {"ok": True}
'''

TOML = '''
[[function]]
name = "echo"
handler = "app.handler"
timeoutInSeconds = 1
eventSources = [{topic = "in"}]

[[subscription]]
source = "echo"
subject = "out/#"
target = "component:observer"
'''

GGLIFT = [sys.executable, "-m", "gglift"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "gglift.toml").write_text(TOML)
    (tmp_path / "app.py").write_text(textwrap.dedent(APP))
    return tmp_path


def test_run_events_until_idle_prints_and_records(project: Path):
    events = project / "events.jsonl"
    events.write_text('{"topic": "in", "payload": {"n": 1}}\n\n{"topic": "in", "payload": {"n": 2}, "source": "Pubsub"}\n')
    record = project / "run.jsonl"
    done = subprocess.run([*GGLIFT, "run", str(project), "--events", str(events), "--until-idle", "--record", str(record)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert 'publish local -> in {"n":1} => echo' in lines
    assert 'log     echo INFO app.py:7,event {"n": 1}' in lines
    assert 'publish echo -> out/in {"n":2} => local' in lines
    assert sum(1 for l in lines if l.startswith('invoke  echo [in] {"n":1} -> {"ok":true} (')) == 1
    kept = [json.loads(l) for l in record.read_text().splitlines()]
    assert [k["kind"] for k in kept] == ["publish", "publish", "publish", "invocation", "publish", "invocation"]
    assert kept[3]["result"] == {"ok": True} and kept[3]["function"] == "echo"


def test_run_json_lines_and_bad_event_lines(project: Path):
    done = subprocess.run([*GGLIFT, "run", str(project), "--events", "-", "--until-idle", "--json"],
                          input='{"topic": "in", "payload": {"fail": 1}}\nnot json\n', capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "error: <stdin>:2: not JSON" in done.stderr
    records = [json.loads(l) for l in done.stdout.splitlines()]
    failed = [r for r in records if r["kind"] == "invocation"]
    assert failed[0]["error"] == "Handled" and failed[0]["error_type"] == "ValueError"
    trace = failed[0]["result"]["stackTrace"]  # the handler's frames only, not the runner's
    assert len(trace) == 1 and trace[0].endswith('app.py", line 9, in handler\n    raise ValueError("bad event")\n')


def test_invoke_exit_codes(project: Path):
    def invoke(payload):
        return subprocess.run([*GGLIFT, "invoke", "echo", "-p", str(project), "--payload", payload, "--topic", "in", "-q"],
                              capture_output=True, text=True, timeout=60)

    ok, handled, unhandled, usage = invoke('{"n": 1}'), invoke('{"fail": 1}'), invoke('{"sleep": 3}'), invoke("{oops")
    assert (ok.returncode, ok.stdout) == (0, '{"ok": true}\n')
    assert handled.returncode == 1 and json.loads(handled.stdout)["errorMessage"] == "bad event"
    assert unhandled.returncode == 3 and json.loads(unhandled.stdout)["errorType"] == "TimeoutError"
    assert usage.returncode == 2 and "not JSON" in usage.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_workers_and_reports_queued_items(project: Path, signum):
    # The first item must still be running when the signal lands, however loaded the machine
    # is: give it far more time than the test needs and let the shutdown cut it short.
    config = project / "gglift.toml"
    config.write_text(config.read_text().replace("timeoutInSeconds = 1", "timeoutInSeconds = 60"))
    proc = subprocess.Popen([*GGLIFT, "run", str(project), "--events", "-", "--grace", "1"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write('{"topic": "in", "payload": {"sleep": 50}}\n' * 3)
    proc.stdin.flush()
    # Signal only once the core has taken all three events (a "publish local" line each) and
    # the first is running: stdin is read on a thread that may lag behind under load.
    pid, accepted, running = None, 0, False
    for line in proc.stdout:
        if line.startswith("worker  echo pid ") and "started" in line:
            pid = int(line.split()[3])
        accepted += line.startswith("publish local -> in ")
        running = running or line.startswith("log     echo INFO")
        if accepted == 3 and running:
            break
    os.kill(proc.pid, signum)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == (130 if signum == signal.SIGINT else 0)  # Ctrl-C: interrupted
    assert "stopped with 2 queued item(s) not run" in err
    assert out.count("not run: the core stopped") == 2
    time.sleep(0.2)
    assert pid and not Path(f"/proc/{pid}").exists()  # gone, and reaped (no zombie entry)


def test_bad_config_and_usage_exit_2(tmp_path: Path):
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "x"\nhandler = "app.h"\nmaxQueueSize = "many"\n')
    bad_config = subprocess.run([*GGLIFT, "run", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert bad_config.returncode == 2
    assert "function[0].maxQueueSize (function 'x'): must be an integer, not a string" in bad_config.stderr
    usage = subprocess.run([*GGLIFT, "run", str(tmp_path), "--until-idle"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "--until-idle needs --events" in usage.stderr


def test_unreachable_broker_fails_and_keeps_an_earlier_record(project: Path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    record = project / "run.jsonl"
    record.write_text("earlier run\n")
    done = subprocess.run([*GGLIFT, "run", str(project), "--mqtt", f"mqtt://127.0.0.1:{port}", "--record", str(record)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"error: cannot connect to the MQTT broker at mqtt://127.0.0.1:{port}" in done.stderr
    assert record.read_text() == "earlier run\n"
    assert not [p.name for p in project.iterdir() if p.name.endswith(".tmp")]
