"""The device host on nucleus lite's real ggipcd: unchanged Python and C Lambda code run as one
generic component, driven by awsiotsdk as another component."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Lines, policy
from gglift.config import load_project
from gglift.host import description, zipapp
from gglift.routes import effective_subscriptions

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "project"
HOST, PEER = "com.example.Relay", "com.example.Peer"
PUBSUB = "aws.greengrass.ipc.pubsub"
GGLIFT = [sys.executable, "-m", "gglift"]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory, nucleus_bin) -> Path:
    """The host zipapp, project.json and the functions' code in one folder, as on a device."""
    out = tmp_path_factory.mktemp("artifacts")
    (out / zipapp.NAME).write_bytes(zipapp.build())
    project = load_project(PROJECT)
    sources = {"relay": "py", "crelay": "c"}
    subprocess.run(["cp", "-r", str(PROJECT / "py"), str(out / "py")], check=True)
    (out / "c").mkdir()
    built = subprocess.run([*GGLIFT, "native", "build", str(PROJECT / "c" / "crelay.c"), "-o", str(out / "c" / "crelay")],
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    document = description.describe(project, effective_subscriptions(project), HOST, sources)
    (out / "project.json").write_bytes(description.dumps(document))
    return out


def services(host_access: dict) -> dict:
    return {HOST: {"version": "1.0.0", "configuration": {"accessControl": host_access}},
            PEER: {"version": "1.0.0", "configuration": {
                "accessControl": policy(PEER, PUBSUB, ["PublishToTopic", "SubscribeToTopic"], ["*"])}}}


def hand_policy(publish=("sensors/out/*",)) -> dict:
    access = policy(HOST, PUBSUB, ["SubscribeToTopic"], ["sensors/in"], 1)
    access[PUBSUB].update(policy(HOST, PUBSUB, ["PublishToTopic"], list(publish), 2)[PUBSUB])
    return access


class Host(Lines):
    def __init__(self, nucleus, artifacts: Path, state: Path):
        super().__init__(nucleus.run_as(HOST, [
            sys.executable, str(artifacts / zipapp.NAME), "--description", str(artifacts / "project.json"),
            "--artifacts", str(artifacts), "--platform", "lite", "--state", str(state)],
            env={**nucleus.component_env(), "GGLIFT_C_LIBRARY_DIR": _library_dir()},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        assert self.line() == f"gglift host: running relay, crelay as {HOST} on the lite\n"

    def stop(self) -> str:
        """SIGTERM, as the nucleus stops a component; the host's stderr."""
        self.proc.terminate()
        assert self.proc.wait(timeout=60) == 0, "".join(self.err)
        return "".join(self.err)


def _library_dir() -> str:
    from gglift.native import library_dir
    return str(library_dir())


def read(listener, count: int) -> list[dict]:
    return sorted((json.loads(listener.line()) for _ in range(count)), key=lambda m: m["topic"])


def test_event_reaches_python_and_c_functions_and_their_publishes_reach_awsiotsdk(nucleus, peers, artifacts, tmp_path):
    nucleus.start(services(hand_policy()))
    listener = peers(PEER, "subscribe", "sensors/out/#")
    host = Host(nucleus, artifacts, tmp_path / "state")
    try:
        send(peers, {"n": 1})
        assert read(listener, 2) == [
            {"topic": "sensors/out/c", "binary": b'c got: {"n": 1}'.hex()},
            {"topic": "sensors/out/py", "binary": json.dumps({"got": {"n": 1}, "subject": "sensors/in"}).encode().hex()},
        ]
    finally:
        host.stop()


def send(peers, payload: dict) -> None:
    assert peers(PEER, "publish", "sensors/in", json.dumps(payload)).line() == "ok\n"


def python_output(listener, host: Host) -> dict:
    """The next message of the Python function (the C function's are skipped)."""
    while True:
        try:
            line = json.loads(listener.line())
        except AssertionError:
            raise AssertionError("nothing from the Python function; the host's log:\n" + "".join(host.err)) from None
        if line["topic"] == "sensors/out/py":
            return json.loads(bytes.fromhex(line["binary"]))


def test_shadows_survive_a_host_restart(nucleus, peers, artifacts, tmp_path):
    nucleus.start(services(hand_policy()))
    listener = peers(PEER, "subscribe", "sensors/out/py")
    host = Host(nucleus, artifacts, tmp_path / "state")
    send(peers, {"shadow": {"temp": 20}})
    assert python_output(listener, host)["got"] == {"reported": {"temp": 20}, "version": 1}
    host.stop()
    host = Host(nucleus, artifacts, tmp_path / "state")
    try:
        send(peers, {"shadow": None})
        assert python_output(listener, host)["got"] == {"reported": {"temp": 20}, "version": 1}
    finally:
        host.stop()


def test_a_publish_outside_the_policy_is_refused_by_the_server(nucleus, peers, artifacts, tmp_path):
    nucleus.start(services(hand_policy(publish=["sensors/out/py"])))
    listener = peers(PEER, "subscribe", "sensors/out/#")
    host = Host(nucleus, artifacts, tmp_path / "state")
    send(peers, {"n": 2})
    assert python_output(listener, host)["got"] == {"n": 2}
    log = host.stop()
    assert "ERROR gglift.host: PublishToTopic to 'sensors/out/c' failed: PublishToTopic: UnauthorizedError: " in log


def test_an_oversize_publish_is_a_clear_error_in_the_function(nucleus, peers, artifacts, tmp_path):
    nucleus.start(services(hand_policy()))
    listener = peers(PEER, "subscribe", "sensors/out/py")
    host = Host(nucleus, artifacts, tmp_path / "state")
    try:
        send(peers, {"big": 9000})
        assert python_output(listener, host)["got"] == {
            "error": "InvocationException",
            "message": "Failed to invoke function due to PublishToTopic: the IPC message would be 12,280 bytes "
                       "(its JSON body 12,076); this nucleus accepts at most 10,000 bytes per message"}
    finally:
        host.stop()


def test_the_host_reconnects_when_the_nucleus_restarts(nucleus, peers, artifacts, tmp_path):
    nucleus.start(services(hand_policy()))
    host = Host(nucleus, artifacts, tmp_path / "state")
    try:
        nucleus.stop()
        nucleus.start()
        host.wait_err("INFO gglift.ipc: reconnected to the nucleus; 1 subscription(s) renewed")
        listener = peers(PEER, "subscribe", "sensors/out/py")
        send(peers, {"n": 3})
        assert python_output(listener, host)["got"] == {"n": 3}
    finally:
        host.stop()
