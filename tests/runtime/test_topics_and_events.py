"""Topic filter matching and the --events line format."""

from __future__ import annotations

import pytest

from gglift.runtime import eventfeed
from gglift.runtime.topics import matches


@pytest.mark.parametrize("topic_filter, topic, expected", [
    ("a/b", "a/b", True),
    ("a/+", "a/b", True),
    ("a/+", "a/b/c", False),
    ("a/+/c", "a/x/c", True),
    ("a/#", "a", True),
    ("a/#", "a/b/c", True),
    ("#", "anything/at/all", True),
    ("a/#", "b/a", False),
    ("+/+", "a", False),
    ("$aws/things/+/shadow/update/delta", "$aws/things/lamp/shadow/update/delta", True),
])
def test_matches(topic_filter, topic, expected):
    assert matches(topic_filter, topic) is expected


def test_event_lines():
    assert eventfeed.parse('{"topic": "t", "payload": {"a": 1}}') == eventfeed.Event("t", b'{"a": 1}', "PUB_SUB")
    assert eventfeed.parse('{"topic": "t", "payload": "raw text", "source": "IotCore"}') == eventfeed.Event("t", b"raw text", "IOT_CORE")
    assert eventfeed.parse("   ") is None and eventfeed.parse("# a comment") is None
    for bad, message in (('{"payload": 1}', 'expected an object with a "topic" string'),
                         ('{"topic": "t", "source": "MQTT"}', "unknown \"source\" 'MQTT': use PUB_SUB or IOT_CORE"),
                         ("[1]", 'expected an object with a "topic" string')):
        with pytest.raises(eventfeed.EventError) as error:
            eventfeed.parse(bad)
        assert str(error.value) == message
