"""The --events line format."""

from __future__ import annotations

import pytest

from gglift.runtime import eventfeed


def test_event_lines():
    assert eventfeed.parse('{"topic": "t", "payload": {"a": 1}}') == eventfeed.Event("t", b'{"a": 1}', "PUB_SUB")
    assert eventfeed.parse('{"topic": "t", "payload": "raw text", "source": "IotCore"}') == eventfeed.Event("t", b"raw text", "IOT_CORE")
    assert eventfeed.parse("   ") is None and eventfeed.parse("# a comment") is None
    for bad, message in (('{"payload": 1}', 'expected an object with a "topic" string'),
                         ('{"topic": "t", "source": "MQTT"}', "unknown \"source\" 'MQTT': use PUB_SUB or IOT_CORE"),
                         ("[1]", 'expected an object with a "topic" string'),
                         ('{"topic": "a/#"}', 'bad "topic": \'a/#\' is a topic filter (it has + or #): publish to a topic name'),
                         ('{"topic": "%s"}' % ("t" * 300), 'bad "topic": the topic is 300 bytes, over the limit of 256'),
                         ('{"topic": "t", "payload": "\\ud800"}', '"payload" text holds a lone surrogate, which UTF-8 cannot encode')):
        with pytest.raises(eventfeed.EventError) as error:
            eventfeed.parse(bad)
        assert str(error.value) == message
