"""The stream manager rewrite that `gglift port --explain GGL140` shows runs as pasted."""

from __future__ import annotations

import textwrap

from gglift.port.rules import explain


def test_the_explained_rewrite_runs_against_the_local_server(server, monkeypatch):
    from .conftest import TOKEN

    monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", TOKEN)
    monkeypatch.setenv("STREAM_MANAGER_SERVER_PORT", str(server.port))
    text = explain("GGL140")
    block = text[text.index("    from greengrasssdk.stream_manager"):text.index("\n\nIoT SiteWise")]
    scope = {"data": b"reading"}
    exec(textwrap.dedent(block), scope)  # noqa: S102 (our own documentation)
    client = scope["client"]
    try:
        info = client.describe_message_stream("readings")
        assert info.definition.export_definition.kinesis[0].kinesis_stream_name == "my-kinesis-stream"
        assert [m.payload for m in client.read_messages("readings")] == [b"reading"]
    finally:
        client.close()
