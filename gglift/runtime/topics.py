"""MQTT topic filters: ``+`` matches one level, ``#`` (last) matches any number of levels.

>>> matches("sensors/+/temp", "sensors/k1/temp"), matches("sensors/#", "sensors"), matches("a/+", "a/b/c")
(True, True, False)
"""

from __future__ import annotations


def matches(topic_filter: str, topic: str) -> bool:
    """True when ``topic`` (no wildcards) falls under ``topic_filter``."""
    if topic_filter == topic:
        return True
    filter_levels = topic_filter.split("/")
    topic_levels = topic.split("/")
    for index, level in enumerate(filter_levels):
        if level == "#":
            return index == len(filter_levels) - 1
        if index >= len(topic_levels):
            return False
        if level != "+" and level != topic_levels[index]:
            return False
    return len(filter_levels) == len(topic_levels)

