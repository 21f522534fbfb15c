"""Property: whatever arrives on the IPC port, with or without a valid token, the core answers it
without an internal error or a hang; afterwards every function still answers, ``gglift run``
stops on SIGTERM, no worker is left and the core's memory stayed bounded.

A real ``gglift run`` runs real workers (the real greengrasssdk publishes). The requests come
with the token of one of its functions (``fuzzer``, which writes its token where the test can
read it), as a hostile or broken function would send them, or with a missing or wrong token.
``GGLIFT_FUZZ_EXAMPLES`` sets the number of examples (default 120; CI keeps the default).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_faults import gone

GGLIFT = [sys.executable, "-m", "gglift"]
EXAMPLES = int(os.environ.get("GGLIFT_FUZZ_EXAMPLES", "120"))
GRACE = 2.0
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"
FUNCTIONS = ("fuzzer", "echo", "ondemand", "raw", "publisher")

TOML = '''
target = "component"
[[function]]
name = "fuzzer"
handler = "app.echo"
[function.environmentVariables]
TOKEN_FILE = "{token_file}"

[[function]]
name = "echo"
handler = "app.echo"
eventSources = [{{topic = "in/+"}}]

[[function]]
name = "ondemand"
handler = "app.echo"
pinned = false
maxInstancesCount = 2
maxQueueSize = 20

[[function]]
name = "raw"
handler = "app.raw"
inputPayloadEncodingType = "binary"

[[function]]
name = "publisher"
handler = "app.publisher"

[[subscription]]
source = "publisher"
subject = "in/#"
target = "echo"

[[subscription]]
source = "fuzzer"
subject = "#"
target = "echo"
'''

APP = '''
import json, os
import greengrasssdk

iot = greengrasssdk.client("iot-data")
if os.environ.get("TOKEN_FILE"):  # the fuzzer: hand its token and the port to the test
    with open(os.environ["TOKEN_FILE"] + ".tmp", "w") as fh:
        json.dump({"token": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"], "port": os.environ["GG_DAEMON_PORT"]}, fh)
    os.replace(os.environ["TOKEN_FILE"] + ".tmp", os.environ["TOKEN_FILE"])

def echo(event, context):
    return event

def raw(event, context):
    return bytes(reversed(event))

def publisher(event, context):
    iot.publish(topic="in/" + str(event.get("room", "x")), payload=json.dumps(event))
    return "sent"
'''

# -- what is sent ----------------------------------------------------------------------------------
SERVICES = ("arn:aws:lambda:::function:GGRouter", "arn:aws:lambda:::function:GGShadowService",
            "arn:aws:lambda:::function:GGSecretManager:1")
TARGETS = [ARN + name + qualifier for name in FUNCTIONS for qualifier in ("", ":1", ":$LATEST", ":7")] + list(SERVICES)
PATHS = st.one_of(
    st.builds(lambda target, action: f"/2016-11-01/functions/{target}{action}",
              st.sampled_from(TARGETS), st.sampled_from(["", "", "/work", "/initialized", "/other"])),
    st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=60).map(lambda text: "/" + text),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
TOPICS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["in/a", "in/b/c", "to/beta/#", "a/+/b", "", "x" * 300, "$aws/things/t/shadow/update",
                     "$aws/things/t/shadow/get", "$aws/things/t/shadow/delete", "$aws/things//shadow/get"]),
)
CUSTOMS = st.one_of(
    JSON,
    st.fixed_dictionaries({"subject": TOPICS},
                          optional={"queueFullPolicy": st.sampled_from(["", "BestEffort", "AllOrError", 5, None])}),
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


CONTEXTS = st.one_of(
    st.none(),
    CUSTOMS.map(lambda custom: _b64(json.dumps({"custom": custom}).encode())),
    CUSTOMS.map(lambda custom: _b64(json.dumps({"custom": custom}).encode("utf-16"))),
    JSON.map(lambda value: _b64(json.dumps(value).encode())),
    st.binary(max_size=64).map(_b64),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
    st.integers(1, 30000).map(lambda depth: _b64(b"[" * depth + b"]" * depth)),
)
PAYLOADS = st.one_of(
    st.binary(max_size=512),
    JSON.map(lambda value: json.dumps(value).encode()),
    st.sampled_from([b'"\\ud800"', b'{"state": {"desired": {"a": 1}}}', b'{"SecretId": "s"}', b"[" * 5000]),
)
HEADER_TEXT = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40)


@st.composite
def requests(draw) -> bytes:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
    body = draw(PAYLOADS)
    headers = [("Content-Length", str(len(body)))]
    token = draw(st.sampled_from(["valid", "valid", "valid", "missing", "wrong"]))
    if token != "missing":
        headers.append(("Authorization", "{token}" if token == "valid" else draw(HEADER_TEXT)))
    context = draw(CONTEXTS)
    if context is not None:
        headers.append(("X-Amz-Client-Context", context))
    for name in ("X-Amz-Invocation-Type", "X-Amz-InvocationId", "X-Amz-Function-Error"):
        value = draw(st.one_of(st.none(), st.sampled_from(["RequestResponse", "Event", "Handled", "Unhandled"]), HEADER_TEXT))
        if value is not None:
            headers.append((name, value))
    head = f"{method} {draw(PATHS)} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n"
    return head.encode("latin-1") + body


@st.composite
def sendings(draw) -> tuple[bytes, bool]:
    """One request, two pipelined, or a request cut short (then closed without reading)."""
    data = draw(requests())
    shape = draw(st.sampled_from(["one", "one", "pipelined", "cut"]))
    if shape == "pipelined":
        data += draw(requests())
    elif shape == "cut":
        data = data[:draw(st.integers(1, len(data) - 1))]
    return data, shape == "cut"


# -- the run under attack ---------------------------------------------------------------------------
def send(port: int, data: bytes, cut: bool, timeout: float = 30) -> int:
    """Send one request; the status of its (first) answer, or 0 when the core closed without
    one or the request was ``cut`` short and closed by us."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        if cut:
            return 0
        received = b""
        try:
            while b"\r\n" not in received:
                chunk = sock.recv(4096)
                if not chunk:
                    return 0
                received += chunk
        except ConnectionResetError:
            return 0
    return int(received.split(b" ", 2)[1])


def call(port: int, token: str, function: str, payload: bytes) -> tuple[int, bytes]:
    """Invoke ``function`` as the fuzzer would (RequestResponse) and fetch its result."""
    path = f"/2016-11-01/functions/{ARN}{function}"
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nAuthorization: {token}\r\nContent-Length: {len(payload)}\r\n\r\n".encode() + payload)
        invocation_id = _response(sock)[1]["x-amz-invocationid"]
        sock.sendall(f"GET {path} HTTP/1.1\r\nAuthorization: {token}\r\nX-Amz-InvocationId: {invocation_id}\r\n\r\n".encode())
        status, _, body = _response(sock)
    return status, body


def _response(sock: socket.socket) -> tuple[int, dict, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {n.lower(): v for n, _, v in (line.partition(": ") for line in lines)}
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return int(status_line.split()[1]), headers, body


def rss_kb(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def read_token(path: Path, timeout: float = 60) -> tuple[str, int]:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, "the fuzzer function never started"
        time.sleep(0.05)
    found = json.loads(path.read_text())
    return found["token"], int(found["port"])


def test_hostile_requests_leave_every_function_answering_and_nothing_behind(tmp_path):
    token_file = tmp_path / "token.json"
    (tmp_path / "gglift.toml").write_text(TOML.format(token_file=token_file))
    (tmp_path / "app.py").write_text(APP)
    out = tmp_path / "out.txt"
    with open(out, "w") as sink:
        core = subprocess.Popen([*GGLIFT, "run", str(tmp_path), "--grace", str(GRACE)], stdout=sink,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        token, port = read_token(token_file)
        call(port, token, "echo", b"{}")  # warm: the first invocations allocate the core's caches
        before = rss_kb(core.pid)
        statuses = set()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(sendings())
        def attack(sending: tuple[bytes, bool]) -> None:
            data, cut = sending
            status = send(port, data.replace(b"{token}", read_token(token_file)[0].encode()), cut)
            statuses.add(status)
            assert status != 500, data[:300]

        attack()
        token, port = read_token(token_file)
        answers = {name: call(port, token, name, b'{"ping": 1}') for name in ("fuzzer", "echo", "ondemand", "publisher")}
        answers["raw"] = call(port, token, "raw", b"\x01\x02")
        after = rss_kb(core.pid)
    finally:
        core.send_signal(signal.SIGTERM)
        try:
            returncode = core.wait(timeout=GRACE + 60)
        except subprocess.TimeoutExpired:
            core.kill()  # leave nothing behind, then fail
            raise
    assert answers == {"fuzzer": (200, b'{"ping": 1}'), "echo": (200, b'{"ping": 1}'), "ondemand": (200, b'{"ping": 1}'),
                       "publisher": (200, b'"sent"'), "raw": (200, b"\x02\x01")}
    assert returncode == 0
    assert statuses - {0, 200, 202, 400, 403, 404, 405, 409, 413, 429, 431} == set()
    assert after - before < 64 * 1024, f"the core grew from {before} KB to {after} KB"
    text = out.read_text()
    pids = [int(line.split()[3]) for line in text.splitlines() if line.startswith("worker  ") and line.endswith(" started")]
    assert len(pids) >= len(FUNCTIONS) - 1
    assert [pid for pid in pids if not gone(pid, timeout=10)] == []
    assert "Traceback" not in text
