"""``gglift run`` and ``gglift invoke`` under faults around them: a closed stdout, payloads that
cannot be printed as they are, signals from ``timeout`` or a CI runner, a kill -9 of the core."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_faults import gone

GGLIFT = [sys.executable, "-m", "gglift"]

APP = '''
import logging, os, time

def handler(event, context):
    if isinstance(event, dict) and "log" in event:
        with open(event["log"], "a") as fh:
            fh.write("%s %s\\n" % (event["n"], os.getpid()))
    logging.info("running")
    if isinstance(event, dict) and event.get("sleep"):
        time.sleep(event["sleep"])
    return event
'''

TOML = '''
[[function]]
name = "echo"
handler = "app.handler"
timeoutInSeconds = {timeout}
eventSources = [{{topic = "in"}}]
'''


@pytest.fixture
def start():
    """``start(argv, **popen_options)``: a process that is killed at the end if the test left it running."""
    started = []

    def popen(argv, **options):
        started.append(subprocess.Popen(argv, **options))
        return started[-1]

    yield popen
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def make(tmp_path: Path, timeout: int = 60) -> Path:
    (tmp_path / "gglift.toml").write_text(TOML.format(timeout=timeout))
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def wait_for_lines(path: Path, count: int, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    raise AssertionError(f"{path} has {lines!r}, not {count} lines")


def event(**payload) -> str:
    return json.dumps({"topic": "in", "payload": payload}) + "\n"


def test_run_with_stdout_closed_keeps_working_and_stops_on_sigterm(tmp_path, start):
    """``gglift run | head -3``. Before: the timeout printed but sent no SIGKILL, and SIGTERM was ignored."""
    project = make(tmp_path, timeout=1)
    log = tmp_path / "ran.txt"
    proc = start([*GGLIFT, "run", str(project), "--events", "-", "--grace", "1"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write(event(n=1, log=str(log)))
    proc.stdin.flush()
    head = [proc.stdout.readline() for _ in range(3)]
    proc.stdout.close()  # as `head -3` exits
    proc.stdin.write(event(n=2, log=str(log), sleep=30) + event(n=3, log=str(log)))
    proc.stdin.flush()
    ran = wait_for_lines(log, 3)  # the second timed out, its worker was killed, a new one ran the third
    os.kill(proc.pid, signal.SIGTERM)
    proc.stdin.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert head[0].startswith("worker  echo pid ")
    assert "an observer of the core's records failed" in err and "BrokenPipeError" in err
    pids = {int(line.split()[1]) for line in ran}
    assert len(pids) == 2 and all(gone(pid) for pid in pids)


def test_run_events_that_cannot_be_printed_as_they_are_do_not_stop_the_run(tmp_path):
    """A payload that is the JSON string "\\ud800". Before: the run aborted at that line."""
    project = make(tmp_path)
    events = tmp_path / "events.jsonl"
    events.write_text('{"topic": "in", "payload": "\\"\\\\ud800\\""}\n'  # the payload bytes "\ud800"
                      '{"topic": "in", "payload": "\\ud800"}\n'  # text no UTF-8 can carry
                      + event(n=3))
    record = tmp_path / "run.jsonl"
    done = subprocess.run([*GGLIFT, "run", str(project), "--events", str(events), "--until-idle", "--record", str(record)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f'error: {events}:2: "payload" text holds a lone surrogate, which UTF-8 cannot encode; line skipped' in done.stderr
    lines = done.stdout.splitlines()
    assert "publish local -> in \\ud800 => echo" in lines
    assert sum(line.startswith("invoke  echo [in] \\ud800 -> \\ud800 (") for line in lines) == 1
    assert sum(line.startswith('invoke  echo [in] {"n":3} -> {"n":3} (') for line in lines) == 1
    kept = [json.loads(line) for line in record.read_text().splitlines()]
    assert [k["payload"] for k in kept if k["kind"] == "invocation"] == ["\ud800", {"n": 3}]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_invoke_stopped_by_a_signal_stops_its_workers(tmp_path, signum, start):
    """As `timeout` or a CI runner stops it. Before: the busy worker was left running."""
    project = make(tmp_path)
    proc = start([*GGLIFT, "invoke", "echo", "-p", str(project), "--payload", '{"sleep": 50}'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pid = None
    for line in proc.stderr:
        if line.startswith("worker  echo pid ") and "started" in line:
            pid = int(line.split()[3])
        if line.startswith("log     echo INFO"):
            break
    os.kill(proc.pid, signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum
    assert f"error: stopped by {signal.Signals(signum).name}; no result" in err
    assert out == ""
    assert pid and gone(pid)


def test_a_busy_worker_dies_with_a_killed_core(tmp_path, start):
    """kill -9 of the core. Before: its workers ran on (no parent-death signal)."""
    project = make(tmp_path)
    log = tmp_path / "ran.txt"
    proc = start([*GGLIFT, "run", str(project), "--events", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    proc.stdin.write(event(n=1, log=str(log), sleep=50))
    proc.stdin.flush()
    pid = int(wait_for_lines(log, 1)[0].split()[1])
    proc.kill()
    proc.wait(timeout=30)
    assert gone(pid)
