"""Where messages go: the LegacySubscriptionRouter rules for publishes, event sources for the rest.

- A function's publish (to GGRouter) follows the project's subscriptions whose ``source`` is
  that function and whose ``subject`` filter matches the topic. A ``target`` names a function
  (it is invoked with the topic as ``subject``), ``cloud`` (the MQTT broker) or
  ``component:<name>`` (local pub/sub, which reaches functions with a matching ``PUB_SUB``
  event source). No matching subscription: the publish is refused, as on a device.
- A message from outside (``--events``, the MQTT broker, :meth:`Core.publish`) reaches every
  function with an event source of that type whose topic filter matches, plus, for
  ``IOT_CORE`` messages, the targets of subscriptions whose source is ``cloud``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Optional

from gglift.config import Project, Subscription
from gglift.routes import CLOUD, topic_matches

PUB_SUB = "PUB_SUB"
IOT_CORE = "IOT_CORE"
MAX_TOPIC_BYTES = 256  # AWS IoT Core's limit on a topic name; it also bounds the per-topic caches


def topic_error(topic: str) -> Optional[str]:
    """Why a message cannot be published on ``topic``, or None when it can: a topic name is
    1 to 256 UTF-8 bytes, with no NUL and no ``+``/``#`` (those make a filter, not a name)."""
    if not topic:
        return "the topic is empty"
    if "+" in topic or "#" in topic:
        return f"{topic[:80]!r} is a topic filter (it has + or #): publish to a topic name"
    if "\0" in topic:
        return "the topic contains a NUL character"
    size = len(topic.encode("utf-8", "surrogatepass"))
    if size > MAX_TOPIC_BYTES:
        return f"the topic is {size} bytes, over the limit of {MAX_TOPIC_BYTES}"
    return None


@dataclass(frozen=True)
class Target:
    """``kind`` is ``function`` (``name`` a function), ``cloud`` or ``local`` (local pub/sub)."""

    kind: str
    name: str = ""

    def __str__(self) -> str:
        return self.name if self.kind == "function" else self.kind


class Router:
    """Answers "who gets this message" for one project; pure, no I/O.

    Answers are cached per topic (the subscriptions never change while the core runs), so a
    function publishing in a loop does not rescan every subscription and event source each
    time. Callers must not change the lists they get.
    """

    def __init__(self, project: Project, subscriptions: tuple[Subscription, ...]):
        self.functions = {fn.name: fn for fn in project.functions}
        self.subscriptions = subscriptions
        cache = functools.lru_cache(maxsize=1024)
        self.publish_targets = cache(self.publish_targets)
        self.event_source_functions = cache(self.event_source_functions)
        self.inbound_targets = cache(self.inbound_targets)

    def publish_targets(self, source: str, topic: str) -> Optional[list[Target]]:
        """Targets of ``source``'s publish on ``topic``; ``None`` when no subscription routes it."""
        routes = [s for s in self.subscriptions if s.source == source and topic_matches(s.subject, topic)]
        if not routes:
            return None
        targets: list[Target] = []
        for route in routes:
            if route.target == CLOUD:
                _add(targets, Target(CLOUD))
            elif route.target.startswith("component:"):
                _add(targets, Target("local"))
                for name in self.event_source_functions(PUB_SUB, topic):
                    _add(targets, Target("function", name))
            elif route.target in self.functions:
                _add(targets, Target("function", route.target))
        return targets

    def event_source_functions(self, source_type: str, topic: str) -> list[str]:
        """Functions with an event source of ``source_type`` whose filter matches ``topic``."""
        return [
            fn.name
            for fn in self.functions.values()
            if any(es.type == source_type and topic_matches(es.topic, topic) for es in fn.eventSources)
        ]

    def inbound_targets(self, source_type: str, topic: str) -> list[Target]:
        """Targets of a message arriving from outside the functions (``PUB_SUB`` or ``IOT_CORE``)."""
        targets = [Target("function", name) for name in self.event_source_functions(source_type, topic)]
        if source_type == IOT_CORE:
            for route in self.subscriptions:
                if route.source == CLOUD and route.target in self.functions and topic_matches(route.subject, topic):
                    _add(targets, Target("function", route.target))
        return targets

    def cloud_filters(self) -> list[str]:
        """Topic filters the MQTT bridge subscribes to: IOT_CORE event sources and routes from ``cloud``."""
        filters = [es.topic for fn in self.functions.values() for es in fn.eventSources if es.type == IOT_CORE]
        filters += [s.subject for s in self.subscriptions if s.source == CLOUD]
        return sorted(set(filters))

    def suggested_fix(self, source: str, topic: str) -> str:
        """The ``[[subscription]]`` table that would route ``source``'s publish on ``topic``."""
        listeners = self.event_source_functions(PUB_SUB, topic)
        target = listeners[0] if listeners else CLOUD
        return f'[[subscription]]\nsource = "{source}"\nsubject = "{topic}"\ntarget = "{target}"'


def _add(targets: list[Target], target: Target) -> None:
    if target not in targets:
        targets.append(target)
