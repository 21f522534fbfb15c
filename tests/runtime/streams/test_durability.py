"""A core killed with SIGKILL loses no acknowledged message; several processes appending at
once each keep their order and never corrupt the stream."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from .conftest import TOKEN, ServerThread
from .test_protocol import definition


APPEND = """
import os, sys
from stream_manager import StreamManagerClient
client = StreamManagerClient(port=int(sys.argv[1]))
for n in range(int(sys.argv[3])):
    client.append_message("Shared", f"{sys.argv[2]}:{n}".encode())
client.close()
"""


@pytest.mark.parametrize("flush_on_write", [True, False])
def test_sigkill_of_the_core_loses_nothing_acknowledged(tmp_path, sdk, flush_on_write):
    folder = tmp_path / "streams"
    core = subprocess.Popen([sys.executable, "-m", "gglift.runtime.streams", str(folder)], stdout=subprocess.PIPE,
                            text=True, env=dict(os.environ, AWS_CONTAINER_AUTHORIZATION_TOKEN=TOKEN))
    try:
        port = int(core.stdout.readline())
        client = sdk.StreamManagerClient(port=port, request_timeout=10)
        client.create_message_stream(definition(sdk, stream_segment_size=4096, flush_on_write=flush_on_write))
        acknowledged = []
        stop = threading.Event()

        def append():
            n = 0
            while not stop.is_set():
                try:
                    acknowledged.append(client.append_message("SomeStream", f"m{n}".encode() * 50))
                except Exception:  # the core died under this request: it was never acknowledged
                    return
                n += 1

        thread = threading.Thread(target=append)
        thread.start()
        while len(acknowledged) < 200:
            time.sleep(0.01)
        os.kill(core.pid, signal.SIGKILL)
        core.wait(30)
        stop.set()
        thread.join(60)
        with contextlib.suppress(ConnectionError):  # the socket was reset by the kill
            client.close()
    finally:
        if core.poll() is None:
            core.kill()
            core.wait()
    assert acknowledged == list(range(len(acknowledged)))

    server = ServerThread(folder)
    server.start()
    reader = sdk.StreamManagerClient(port=server.port)
    try:
        kept = reader.read_messages("SomeStream", sdk.ReadMessagesOptions(
            min_message_count=len(acknowledged), max_message_count=len(acknowledged) + 10))
        assert [m.sequence_number for m in kept][:len(acknowledged)] == acknowledged
        assert all(m.payload == f"m{m.sequence_number}".encode() * 50 for m in kept)
        assert reader.append_message("SomeStream", b"next") == len(kept)
    finally:
        reader.close()
        server.close()


def test_concurrent_appenders_from_several_processes_keep_their_order(connect, sdk, server):
    client = connect()
    client.create_message_stream(definition(sdk, "Shared", stream_segment_size=2048))
    env = dict(os.environ, AWS_CONTAINER_AUTHORIZATION_TOKEN=TOKEN)
    writers = [subprocess.Popen([sys.executable, "-c", APPEND, str(server.port), f"w{i}", "150"], env=env)
               for i in range(4)]
    assert [w.wait(120) for w in writers] == [0, 0, 0, 0]
    read = client.read_messages("Shared", sdk.ReadMessagesOptions(min_message_count=600, max_message_count=1000))
    assert [m.sequence_number for m in read] == list(range(600))
    for i in range(4):
        mine = [m.payload.decode() for m in read if m.payload.startswith(f"w{i}:".encode())]
        assert mine == [f"w{i}:{n}" for n in range(150)]


def test_serving_alone_needs_the_token_clients_will_present(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "AWS_CONTAINER_AUTHORIZATION_TOKEN"}
    done = subprocess.run([sys.executable, "-m", "gglift.runtime.streams", str(tmp_path)], capture_output=True,
                          text=True, env=env, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "error: set AWS_CONTAINER_AUTHORIZATION_TOKEN to the token clients will present\n")
