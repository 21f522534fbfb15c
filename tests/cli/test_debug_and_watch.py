"""``--debug-port`` (a worker under debugpy, attached to by a DAP client as an IDE does) and
``gglift run --watch`` (a changed handler reloads its function's workers alone)."""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

CONFIG = """\
[[function]]
name = "greet"
handler = "app.greet"
source = "greet"
pinned = {pinned}
eventSources = [{{ topic = "greet/in" }}]

[[function]]
name = "steady"
handler = "app.steady"
source = "steady"
pinned = true
eventSources = [{{ topic = "steady/in" }}]
"""
GREET = """\
import importlib.util


def greet(event, context):
    # gglift's own dependencies (click) stay out of reach, under the debugger too.
    return {{"version": {version}, "click": importlib.util.find_spec("click") is not None}}
"""
STEADY = """\
def steady(event, context):
    return event
"""
DEADLINE = 120  # seconds: generous for a loaded machine


def make_project(root: Path, pinned: bool) -> Path:
    (root / "greet").mkdir()
    (root / "steady").mkdir()
    (root / "gglift.toml").write_text(CONFIG.format(pinned=str(pinned).lower()))
    (root / "greet" / "app.py").write_text(GREET.format(version=1))
    (root / "steady" / "app.py").write_text(STEADY)
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listeners(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net/tcp{,6} write them) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


class Dap:
    """A Debug Adapter Protocol client: Content-Length framed JSON, as IDEs speak it."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        self.buffer = b""
        self.seq = 0

    def send(self, command: str, **arguments) -> int:
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command, "arguments": arguments}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self.seq

    def receive(self) -> dict:
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        header, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        length = int(dict(line.split(b": ", 1) for line in header.split(b"\r\n"))[b"Content-Length"])
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return json.loads(body)

    def wait_for(self, match) -> dict:
        while True:
            message = self.receive()
            if match(message):
                return message

    def _read(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the debug adapter closed the connection")
        self.buffer += data


def gglift(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gglift", *args], cwd=cwd, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_listening(port: int, proc: subprocess.Popen) -> list[str]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = listeners(port)
        if found:
            return found
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on port {port}")


def test_invoke_with_debug_port_waits_for_a_debugger_on_localhost_then_runs(tmp_path: Path) -> None:
    pytest.importorskip("debugpy")
    project = make_project(tmp_path, pinned=False)
    port = free_port()
    proc = gglift("invoke", "greet", "--debug-port", str(port), cwd=project)
    try:
        assert set(wait_listening(port, proc)) == {"0100007F"}  # 127.0.0.1 and nothing else
        time.sleep(0.5)
        assert proc.poll() is None  # it waits for the debugger
        dap = Dap(port)
        initialize = dap.send("initialize", clientID="gglift-test", adapterID="debugpy", pathFormat="path",
                              linesStartAt1=True, columnsStartAt1=True)
        assert dap.wait_for(lambda m: m.get("request_seq") == initialize)["success"]
        attach = dap.send("attach", justMyCode=True)
        dap.wait_for(lambda m: m.get("event") == "initialized")
        done = dap.send("configurationDone")
        assert dap.wait_for(lambda m: m.get("request_seq") == done)["success"]
        assert dap.wait_for(lambda m: m.get("request_seq") == attach)["success"]
        out, err = proc.communicate(timeout=DEADLINE)
        dap.sock.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert json.loads(out) == {"version": 1, "click": False}
    assert f"debug   greet waits for a debugger to attach to 127.0.0.1:{port} (debugpy)" in err.splitlines()


def test_debug_port_errors_are_clear(tmp_path: Path) -> None:
    project = make_project(tmp_path, pinned=False)
    both = subprocess.run([sys.executable, "-m", "gglift", "run", "--debug-port", "5678"], cwd=project,
                          capture_output=True, text=True, timeout=DEADLINE)
    assert both.returncode == 2
    assert "--debug-port debugs one function: name it with --debug-function (Python functions: greet, steady)" in both.stderr
    assert "Traceback" not in both.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = subprocess.run([sys.executable, "-m", "gglift", "invoke", "greet", "--debug-port", str(port)], cwd=project,
                              capture_output=True, text=True, timeout=DEADLINE)
    assert busy.returncode == 2
    assert f"--debug-port {port}: cannot listen on 127.0.0.1:{port} (Address already in use); choose another port" in busy.stderr
    # Without debugpy beside gglift (hidden from the import system here): a clear error, no traceback.
    code = ("import sys, importlib.util; importlib.util.find_spec = (lambda f: lambda name, *a: None if name == 'debugpy' "
            "else f(name, *a))(importlib.util.find_spec); from gglift.cli import main; sys.argv[0] = 'gglift'; main()")
    missing = subprocess.run([sys.executable, "-c", code, "invoke", "greet", "--debug-port", "5678"], cwd=project,
                             capture_output=True, text=True, timeout=DEADLINE)
    assert missing.returncode == 2
    assert "error: --debug-port needs debugpy beside gglift: pip install 'gglift[debug]'" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize("pinned", [True, False], ids=["pinned", "on-demand"])
def test_watch_reloads_the_changed_function_and_keeps_the_others(tmp_path: Path, pinned: bool) -> None:
    project = make_project(tmp_path, pinned=pinned)
    proc = gglift("run", "--watch", "--json", "--events", "-", cwd=project)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(json.loads(line)) for line in proc.stdout], daemon=True).start()
    seen: list[dict] = []

    def wait_for(match) -> dict:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                record = lines.get(timeout=1)
            except queue.Empty:
                assert proc.poll() is None, proc.stderr.read()
                continue
            seen.append(record)
            if match(record):
                return record
        raise AssertionError(f"no such record; seen: {seen}")

    def invoke_greet() -> dict:
        proc.stdin.write(json.dumps({"topic": "greet/in", "payload": {}}) + "\n")
        proc.stdin.flush()
        return wait_for(lambda r: r["kind"] == "invocation" and r["function"] == "greet")

    try:
        wait_for(lambda r: r["kind"] == "core")
        assert invoke_greet()["result"] == {"version": 1, "click": False}
        (project / "greet" / "app.py").write_text(GREET.format(version=2))
        reload = wait_for(lambda r: r["kind"] == "reload")
        assert reload == {"kind": "reload", "function": "greet", "changed": ["app.py"]}
        # The old worker goes (a pinned one is replaced at once, an on-demand one at the next item).
        wait_for(lambda r: r["kind"] == "worker" and r["function"] == "greet" and r["event"] == "stopped")
        assert invoke_greet()["result"] == {"version": 2, "click": False}
        proc.stdin.write(json.dumps({"topic": "steady/in", "payload": {"still": "here"}}) + "\n")
        proc.stdin.flush()
        assert wait_for(lambda r: r["kind"] == "invocation" and r["function"] == "steady")["result"] == {"still": "here"}
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=DEADLINE)
    started = [(r["function"], r["pid"]) for r in seen if r["kind"] == "worker" and r["event"] == "started"]
    assert [pid for name, pid in started if name == "steady"] and len([1 for name, _ in started if name == "steady"]) == 1
    assert len([1 for name, _ in started if name == "greet"]) == 2
    stopped = [r for r in seen if r["kind"] == "worker" and r["event"] == "stopping" and r["reason"] == "source changed"]
    assert [r["function"] for r in stopped] == ["greet"]
