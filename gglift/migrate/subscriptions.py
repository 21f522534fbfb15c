"""V1 subscriptions become routes (``[[subscription]]``), event sources or MQTT bridge mappings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gglift.migrate.arns import FUNCTION_ARN, THING_ARN
from gglift.migrate.elements import AUTH, BRIDGE, add_device
from gglift.routes import CLOUD, COMPONENT_PREFIX

if TYPE_CHECKING:
    from gglift.migrate.mapping import Context

SHADOW = "GGShadowService"


def _endpoint(value: str, functions: dict, connectors: dict) -> tuple:
    """What a V1 subscription end is: ("function", fn), ("cloud",), ("shadow",), ("device", thing),
    ("connector", component or None), ("gone", arn) or ("unknown", value)."""
    if value == CLOUD:
        return ("cloud",)
    if value == SHADOW:
        return ("shadow",)
    if value in functions:
        fn = functions[value]
        return ("function", fn) if fn is not None else ("gone", value)
    if FUNCTION_ARN.match(value):
        return ("gone", value)
    thing = THING_ARN.match(value)
    if thing:
        return ("device", thing.group(3))
    if value in connectors:
        return ("connector", connectors[value])
    return ("unknown", value)


def migrate_subscriptions(ctx: Context, functions: dict, connectors: dict) -> list:
    """The ``[[subscription]]`` tables of the group's subscriptions; the rest become event sources or items."""
    group, report = ctx.group, ctx.report
    tables = []
    for entry in group.items("subscription", "Subscriptions"):
        element = f"subscription {entry.get('Id')}"
        source = _endpoint(entry.get("Source", ""), functions, connectors)
        target = _endpoint(entry.get("Target", ""), functions, connectors)
        subject = entry.get("Subject", "")
        route = f"{entry.get('Source')} -> {subject} -> {entry.get('Target')}"
        kinds = (source[0], target[0])
        if "gone" in kinds:
            gone = source[1] if source[0] == "gone" else target[1]
            report.add("GGM205", element, f"{route}: {gone} is not migrated; dropped")
        elif any(end[0] == "connector" and end[1] is None for end in (source, target)):
            report.add("GGM207", element, f"{route}: the connector has no V2 component; dropped")
        elif "device" in kinds:
            tables.extend(_device_route(ctx, source, target, entry, route, element))
        elif source[0] == "function" and target[0] in ("function", "cloud", "connector"):
            end = target[1].name if target[0] == "function" else CLOUD if target[0] == "cloud" else COMPONENT_PREFIX + target[1]
            tables.append({"source": source[1].name, "subject": subject, "target": end})
            report.add("GGM206" if target[0] == "connector" else "GGM200", element, f"{route} -> [[subscription]] {source[1].name} -> {end}")
        elif target[0] == "function" and source[0] in ("cloud", "shadow", "connector"):
            fn = target[1]
            kind = "IOT_CORE" if source[0] == "cloud" else "PUB_SUB"
            fn.add_event_source(subject, kind)
            if source[0] == "shadow":
                fn.shadow = True
            code = {"cloud": "GGM201", "shadow": "GGM202", "connector": "GGM206"}[source[0]]
            report.add(code, element, f"{route} -> eventSources {{ topic = {subject!r}, type = {kind!r} }} of {fn.name}")
        elif source[0] == "function" and target[0] == "shadow":
            source[1].shadow = True
            report.add("GGM203", element, f"{route}: not needed; {source[1].name} uses the local shadow")
        else:
            report.add("GGM208", element, f"{route}: no V2 equivalent; dropped")
    return tables


def _device_route(ctx: Context, source: tuple, target: tuple, entry: dict, route: str, element: str) -> list:
    """A client device subscription: the MQTT bridge mapping it needs, and the route to the bridge."""
    side = {"device": "LocalMqtt", "cloud": "IotCore", "function": "Pubsub", "shadow": "Pubsub", "connector": "Pubsub"}
    subject = entry.get("Subject", "")
    mapping = {"topic": subject, "source": side[source[0]], "target": side[target[0]]}
    bridge = ctx.components.setdefault(BRIDGE, {"mqttTopicMapping": {}})
    bridge["mqttTopicMapping"][f"V1Subscription{entry.get('Id')}"] = mapping
    for end in (source, target):
        if end[0] == "device":
            add_device(ctx.components, end[1])
    tables = []
    if source[0] == "function":
        tables.append({"source": source[1].name, "subject": subject, "target": COMPONENT_PREFIX + BRIDGE})
    if target[0] == "function":
        target[1].add_event_source(subject, "PUB_SUB")
    ctx.report.add("GGM204", element, f"{route}: needs the MQTT bridge and client device auth",
               f"deploy {BRIDGE} and {AUTH} with their configuration in components.json",
               {"mqttTopicMapping": mapping})
    return tables
