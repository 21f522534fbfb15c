"""The device host on nucleus lite's real ggipcd: unchanged Python and C Lambda code run as one
generic component, driven by awsiotsdk as another component."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Lines, policy, svcuid
from gglift.ipc import IpcClient, UnauthorizedError

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "project"
HOST, PEER = "com.example.Relay", "com.example.Peer"
PUBSUB = "aws.greengrass.ipc.pubsub"
GGLIFT = [sys.executable, "-m", "gglift"]


@pytest.fixture(scope="module")
def component(tmp_path_factory, nucleus_bin) -> dict:
    """The test project packaged by ``gglift package`` (its C function built by ``gglift native
    build`` first): the recipe and the component's artifact."""
    project = tmp_path_factory.mktemp("project") / "relay"
    shutil.copytree(PROJECT, project)
    for command in (["native", "build", str(project / "c" / "crelay.c"), "-o", str(project / "c" / "crelay")],
                    ["package", str(project)]):
        done = subprocess.run([*GGLIFT, *command], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    build = project / "build" / "component"
    return {"recipe": json.loads((build / "recipe.json").read_text()), "artifact": build / "gglift-component.zip"}


def access_control(component: dict) -> dict:
    """The accessControl gglift derived, as the recipe carries it."""
    return component["recipe"]["ComponentConfiguration"]["DefaultConfiguration"]["accessControl"]


def services(host_access: dict) -> dict:
    return {HOST: {"version": "1.0.0", "configuration": {"accessControl": host_access}},
            PEER: {"version": "1.0.0", "configuration": {
                "accessControl": policy(PEER, PUBSUB, ["PublishToTopic", "SubscribeToTopic"], ["*"])}}}


class Host(Lines):
    """The host started as nucleus lite starts the component: the lite manifest's run script
    with its recipe variables filled in as recipe-runner fills them, in the component's cgroup,
    with the SVCUID from the launcher. The artifact is unarchived where nucleus lite puts it."""

    def __init__(self, nucleus, component: dict):
        super().__init__(nucleus.run_recipe(HOST, "1.0.0", component["recipe"], component["artifact"],
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        assert self.line() == f"gglift host: running relay, crelay as {HOST} on the lite\n"

    def stop(self) -> str:
        """SIGTERM, as the nucleus stops a component; the host's stderr."""
        self.proc.terminate()
        assert self.proc.wait(timeout=60) == 0, "".join(self.err)
        return "".join(self.err)


def start_all(nucleus, peers, component: dict, listen: str) -> tuple[Lines, Host]:
    """Nucleus lite with the derived policy, an awsiotsdk subscriber on ``listen``, the host."""
    nucleus.start(services(access_control(component)))
    return peers(PEER, "subscribe", listen), Host(nucleus, component)


def read(listener, count: int) -> list[dict]:
    return sorted((json.loads(listener.line()) for _ in range(count)), key=lambda m: m["topic"])


def test_event_reaches_python_and_c_functions_and_their_publishes_reach_awsiotsdk(nucleus, peers, component):
    listener, host = start_all(nucleus, peers, component, "sensors/out/#")
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


def test_shadows_survive_a_host_restart(nucleus, peers, component):
    listener, host = start_all(nucleus, peers, component, "sensors/out/py")
    send(peers, {"shadow": {"temp": 20}})
    assert python_output(listener, host)["got"] == {"reported": {"temp": 20}, "version": 1}
    host.stop()
    host = Host(nucleus, component)
    try:
        send(peers, {"shadow": None})
        assert python_output(listener, host)["got"] == {"reported": {"temp": 20}, "version": 1}
    finally:
        host.stop()


def test_the_derived_policy_is_exactly_what_the_functions_need(component):
    assert access_control(component) == {PUBSUB: {
        f"{HOST}:pubsub:1": {"policyDescription": "gglift: the functions' PUB_SUB event sources",
                             "operations": ["aws.greengrass#SubscribeToTopic"], "resources": ["sensors/in"]},
        f"{HOST}:pubsub:2": {"policyDescription": "gglift: publishes routed to local components",
                             "operations": ["aws.greengrass#PublishToTopic"], "resources": ["sensors/out/c", "sensors/out/py"]}},
        "aws.greengrass.ShadowManager": {f"{HOST}:ShadowManager:1": {
            "policyDescription": "gglift: the shadows the code reads and writes",
            "operations": ["aws.greengrass#GetThingShadow", "aws.greengrass#UpdateThingShadow",
                           "aws.greengrass#DeleteThingShadow"],
            "resources": ["$aws/things/local-test-thing/shadow"]}}}


def test_the_server_refuses_the_component_what_the_derived_policy_does_not_allow(nucleus, component):
    nucleus.start(services(access_control(component)))
    token = svcuid(nucleus, HOST)

    async def main():
        async with IpcClient(str(nucleus.socket), token) as ipc:
            await ipc.publish_to_topic("sensors/out/py", b"allowed")
            refused = []
            for topic in ("sensors/in", "sensors/out/other", "actuators/valve"):
                with pytest.raises(UnauthorizedError) as error:
                    await ipc.publish_to_topic(topic, b"not allowed")
                refused.append((topic, error.value.name))
            with pytest.raises(UnauthorizedError):
                await ipc.subscribe_to_topic("sensors/out/py", lambda topic, data: None)
            return refused

    assert asyncio.run(asyncio.wait_for(main(), 120)) == [
        ("sensors/in", "UnauthorizedError"), ("sensors/out/other", "UnauthorizedError"),
        ("actuators/valve", "UnauthorizedError")]


def test_the_host_logs_a_publish_the_server_refuses(nucleus, peers, component):
    access = access_control(component)
    access[PUBSUB][f"{HOST}:pubsub:2"]["resources"] = ["sensors/out/py"]  # narrower than derived
    nucleus.start(services(access))
    listener = peers(PEER, "subscribe", "sensors/out/#")
    host = Host(nucleus, component)
    send(peers, {"n": 2})
    assert python_output(listener, host)["got"] == {"n": 2}
    log = host.stop()
    assert "ERROR gglift.host: PublishToTopic to 'sensors/out/c' failed: PublishToTopic: UnauthorizedError: " in log


def test_an_oversize_publish_is_a_clear_error_in_the_function(nucleus, peers, component):
    listener, host = start_all(nucleus, peers, component, "sensors/out/py")
    try:
        send(peers, {"big": 9000})
        assert python_output(listener, host)["got"] == {
            "error": "InvocationException",
            "message": "Failed to invoke function due to PublishToTopic: the IPC message would be 12,280 bytes "
                       "(its JSON body 12,076); this nucleus accepts at most 10,000 bytes per message"}
    finally:
        host.stop()


@pytest.mark.parametrize("restart", ["ggipcd", "every daemon"])
def test_the_host_reconnects_when_ggipcd_is_killed_and_restarted(nucleus, peers, component, restart):
    nucleus.start(services(access_control(component)))
    host = Host(nucleus, component)
    try:
        if restart == "ggipcd":
            nucleus.restart_ipcd()
        else:
            nucleus.stop()
            nucleus.start()
        host.wait_err("INFO gglift.ipc: reconnected to the nucleus; 1 subscription(s) renewed")
        listener = peers(PEER, "subscribe", "sensors/out/py")
        send(peers, {"n": 3})
        assert python_output(listener, host)["got"] == {"n": 3}
    finally:
        host.stop()
