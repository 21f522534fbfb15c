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


def overlaps(filter_a: str, filter_b: str) -> bool:
    """True when some topic matches both filters (a publish to ``filter_b``'s topics may reach ``filter_a``)."""
    a, b = filter_a.split("/"), filter_b.split("/")
    for index in range(max(len(a), len(b))):
        la = a[index] if index < len(a) else None
        lb = b[index] if index < len(b) else None
        if la == "#" or lb == "#":
            return True
        if la is None or lb is None:
            return False
        if la != lb and "+" not in (la, lb):
            return False
    return True
