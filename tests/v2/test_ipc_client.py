"""gglift's V2 IPC client against nucleus lite's real ggipcd, with awsiotsdk as the other component."""

from __future__ import annotations

import asyncio
import json

import pytest

from .conftest import policy, svcuid
from gglift.ipc import (AuthenticationError, IpcClient, IpcConnectionError, MessageTooLargeError,
                        NUCLEUS_LITE_MAX_MESSAGE, ServiceError, UnauthorizedError)

ME, PEER = "com.example.Me", "com.example.Peer"
PUBSUB = "aws.greengrass.ipc.pubsub"


def services(my_resources=("sensors/*",)) -> dict:
    return {
        ME: {"version": "1.0.0", "configuration": {
            "answer": {"of": "forty-two"},
            "accessControl": policy(ME, PUBSUB, ["PublishToTopic", "SubscribeToTopic"], list(my_resources))}},
        PEER: {"version": "1.0.0", "configuration": {
            "accessControl": policy(PEER, PUBSUB, ["PublishToTopic", "SubscribeToTopic"], ["*"])}},
    }


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


def client(nucleus, **options) -> IpcClient:
    return IpcClient(str(nucleus.socket), svcuid(nucleus, ME), **options)


def test_publish_reaches_an_awsiotsdk_subscriber_and_back(nucleus, peers):
    nucleus.start(services())
    listener = peers(PEER, "subscribe", "sensors/#")

    async def main():
        received = asyncio.Queue()
        async with client(nucleus) as ipc:
            await ipc.subscribe_to_topic("sensors/in", lambda topic, data: received.put_nowait((topic, data)))
            await ipc.publish_to_topic("sensors/t1", b"\x00binary\xff")
            await ipc.publish_to_topic("sensors/t2", {"temp": 21.5})
            publisher = peers(PEER, "publish", "sensors/in", "from awsiotsdk")
            assert publisher.line() == "ok\n"
            return await received.get()

    assert run(main()) == ("sensors/in", b"from awsiotsdk")
    lines = [json.loads(listener.line()) for _ in range(3)]
    assert lines == [{"topic": "sensors/t1", "binary": b"\x00binary\xff".hex()},
                     {"topic": "sensors/t2", "json": {"temp": 21.5}},
                     {"topic": "sensors/in", "binary": b"from awsiotsdk".hex()}]


def test_publish_outside_the_policy_is_refused_by_the_server(nucleus):
    nucleus.start(services())

    async def main():
        async with client(nucleus) as ipc:
            with pytest.raises(UnauthorizedError) as refused:
                await ipc.publish_to_topic("actuators/valve", b"open")
            await ipc.publish_to_topic("sensors/ok", b"still connected")  # the connection survives
            return refused.value

    error = run(main())
    assert (error.name, error.operation) == ("UnauthorizedError", "PublishToTopic")


def test_oversize_message_is_a_clear_error_and_the_connection_survives(nucleus):
    nucleus.start(services())

    async def main():
        async with client(nucleus, max_message_size=NUCLEUS_LITE_MAX_MESSAGE) as ipc:
            with pytest.raises(MessageTooLargeError) as too_big:
                await ipc.publish_to_topic("sensors/big", b"x" * 8000)
            await ipc.publish_to_topic("sensors/small", b"x" * 6000)
            return str(too_big.value)

    assert run(main()) == ("PublishToTopic: the IPC message would be 10,945 bytes (its JSON body 10,741); "
                           "this nucleus accepts at most 10,000 bytes per message")


def test_configuration_and_unserved_operations(nucleus):
    nucleus.start(services())

    async def main():
        async with client(nucleus) as ipc:
            value = await ipc.get_configuration(["answer"])
            with pytest.raises(ServiceError) as no_shadows:
                await ipc.get_thing_shadow("local-test-thing")
            return value, no_shadows.value

    value, error = run(main())
    assert value == {"of": "forty-two"}
    assert (error.operation, error.name) == ("GetThingShadow", "ServiceError")


def test_unknown_svcuid_is_an_authentication_error(nucleus):
    nucleus.start(services())

    async def main():
        with pytest.raises(AuthenticationError) as refused:
            await IpcClient(str(nucleus.socket), "bm90IGEgcmVhbCBzdmN1aWQ=", reconnect=False, timeout=10).connect()
        return str(refused.value)

    assert run(main()) == "the nucleus refused the IPC connection: unknown SVCUID"


def test_calls_while_the_nucleus_is_down_fail_instead_of_hanging(nucleus):
    nucleus.start(services())

    async def main():
        async with client(nucleus, timeout=2) as ipc:
            nucleus.stop()
            while ipc._connected.is_set():
                await asyncio.sleep(0.01)
            with pytest.raises(IpcConnectionError) as down:
                await ipc.publish_to_topic("sensors/x", b"1")
            return str(down.value)

    assert run(main()) == "PublishToTopic: not connected to the nucleus after 2 s"


def test_host_backend_reads_secrets_from_configuration_on_nucleus_lite(nucleus, tmp_path):
    from gglift.host.backend import IpcBackend

    config = services()
    config[ME]["configuration"]["secrets"] = {"api-key": "s3cret"}
    nucleus.start(config)

    async def main():
        backend = IpcBackend(client(nucleus), "lite", tmp_path / "shadows.sqlite")
        await backend.client.connect()
        try:
            found = await backend.secret(b'{"SecretId": "api-key"}')
            missing = await backend.secret(b'{"SecretId": "db"}')
        finally:
            await backend.client.close()
        return json.loads(found.payload), json.loads(missing.payload)

    found, missing = run(main())
    assert found == {"ARN": "api-key", "Name": "api-key", "VersionStages": ["AWSCURRENT"], "SecretString": "s3cret"}
    assert missing == {"Status": 404, "Message": "nucleus lite has no SecretManager (GetSecretValue); gglift's host reads "
                                                 "secrets there from the component configuration key secrets/db, which is not set"}
