"""Invocation ids: what workers see as ``context.aws_request_id`` and the ``X-Amz-InvocationId`` header."""

from __future__ import annotations

import uuid

from gglift.runtime.work import new_invocation_id


def test_invocation_ids_are_rfc4122_version_4_uuids_in_canonical_text():
    ids = [new_invocation_id() for _ in range(5000)]
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text  # lower-case, hyphenated, 36 characters
    assert len(set(ids)) == len(ids)
    # every variant digit occurs, so the variant nibble is not stuck on one value
    assert {text[19] for text in ids} == set("89ab")
