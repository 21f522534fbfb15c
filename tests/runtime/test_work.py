"""Invocation ids: what workers see as ``context.aws_request_id`` and the ``X-Amz-InvocationId`` header."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from gglift.runtime.work import decode_context, encode_context, new_invocation_id


def test_invocation_ids_are_rfc4122_version_4_uuids_in_canonical_text():
    ids = [new_invocation_id() for _ in range(5000)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text  # lower-case, hyphenated, 36 characters
    assert len(set(ids)) == len(ids)
    # every variant digit occurs, so the variant nibble is not stuck on one value
    assert {text[19] for text in ids} == set("89ab")


def test_client_context_header_decodes_to_the_document_it_was_encoded_from():
    document = {"custom": {"subject": "test/input", "source": "cloud"}}
    header = encode_context(document)
    assert header == base64.b64encode(json.dumps(document).encode()).decode()
    assert decode_context(header) == document
    assert (encode_context({}), decode_context("")) == ("", {})


@pytest.mark.parametrize("header, message", [
    ("not base64!", "X-Amz-Client-Context must be base64-encoded UTF-8 JSON"),
    (base64.b64encode(b"{not json").decode(), "X-Amz-Client-Context must be base64-encoded UTF-8 JSON"),
    (base64.b64encode(b"[1, 2]").decode(), "X-Amz-Client-Context must encode a JSON object"),
    # json.loads takes UTF-16 bytes; a worker decodes UTF-8 and used to die on them
    (base64.b64encode('{"custom": {}}'.encode("utf-16")).decode(), "X-Amz-Client-Context must be base64-encoded UTF-8 JSON"),
    (base64.b64encode(b"[" * 100000 + b"]" * 100000).decode(), f"X-Amz-Client-Context is {len(base64.b64encode(b'[' * 200000))} bytes, over the limit of 32768"),
    (base64.b64encode(b"[" * 5000 + b"]" * 5000).decode(), "X-Amz-Client-Context is nested too deeply"),
    (encode_context({"custom": "x" * 40000}), "X-Amz-Client-Context is 53352 bytes, over the limit of 32768"),
])
def test_a_client_context_header_that_is_not_a_json_object_is_refused(header, message):
    with pytest.raises(ValueError) as caught:
        decode_context(header)
    assert str(caught.value) == message
