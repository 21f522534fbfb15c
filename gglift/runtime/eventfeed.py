"""``--events`` files: JSON lines ``{"topic": ..., "payload": ..., "source": "PUB_SUB"|"IOT_CORE"}``.

``payload`` may be any JSON value (sent JSON-encoded) or a string (sent as its UTF-8 text);
``source`` defaults to ``PUB_SUB`` and accepts Greengrass's other spellings ``Pubsub``/``IotCore``.
Blank lines and lines starting with ``#`` are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from gglift.config.model import EVENT_SOURCE_TYPES
from gglift.runtime.router import topic_error


class EventError(ValueError):
    pass


@dataclass(frozen=True)
class Event:
    topic: str
    payload: bytes
    source: str


def parse(line: str) -> Optional[Event]:
    """The event on ``line``, None for a blank or comment line; raises EventError when invalid."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EventError(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("topic"), str) or not data["topic"]:
        raise EventError('expected an object with a "topic" string')
    problem = topic_error(data["topic"])
    if problem:
        raise EventError(f'bad "topic": {problem}')
    source = data.get("source", "PUB_SUB")
    if source not in EVENT_SOURCE_TYPES:
        raise EventError(f'unknown "source" {source!r}: use PUB_SUB or IOT_CORE')
    payload = data.get("payload", {})
    try:
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    except UnicodeEncodeError:  # "\ud800" in a JSON string decodes to a lone surrogate
        raise EventError('"payload" text holds a lone surrogate, which UTF-8 cannot encode') from None
    return Event(data["topic"], body, EVENT_SOURCE_TYPES[source])
