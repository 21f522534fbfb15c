"""The group's other elements: connectors, unused resources, the core, loggers and client devices."""

from __future__ import annotations

from gglift.migrate.arns import CONNECTOR_ARN, FUNCTION_ARN, THING_ARN
from gglift.migrate.group import Group
from gglift.migrate.report import Report

BRIDGE = "aws.greengrass.clientdevices.mqtt.Bridge"
AUTH = "aws.greengrass.clientdevices.Auth"
DEVICE_GROUP = "MigratedV1Devices"
# V1 connectors with a V2 replacement component (facts §9, issue 13).
CONNECTORS = {
    "CloudWatchMetrics": "aws.greengrass.Cloudwatch",
    "DeviceDefender": "aws.greengrass.DeviceDefender",
    "KinesisFirehose": "aws.greengrass.KinesisFirehose",
    "ModbusRTUProtocolAdapter": "aws.greengrass.Modbus",
    "SNS": "aws.greengrass.SNS",
}


def add_device(components: dict, thing: str) -> None:
    """Client device auth for the migrated devices: one device group, allowed to connect, publish
    and subscribe to any topic (narrow the policy to the topics the devices use)."""
    if AUTH not in components:
        allow = {op: {"statementDescription": f"V1 devices could {op.split(':')[1]}", "operations": [op], "resources": ["*"]}
                 for op in ("mqtt:connect", "mqtt:publish", "mqtt:subscribe")}
        components[AUTH] = {"deviceGroups": {"formatVersion": "2021-03-05", "definitions": {
            DEVICE_GROUP: {"selectionRule": "", "policyName": f"{DEVICE_GROUP}Policy"}},
            "policies": {f"{DEVICE_GROUP}Policy": {f"Allow{op.split(':')[1].capitalize()}": s for op, s in allow.items()}}}}
    group = components[AUTH]["deviceGroups"]["definitions"][DEVICE_GROUP]
    rules = [rule for rule in group["selectionRule"].split(" OR ") if rule]
    if f"thingName: {thing}" not in rules:
        group["selectionRule"] = " OR ".join(rules + [f"thingName: {thing}"])


def connectors(group: Group, report: Report, components: dict) -> dict:
    """Connector ARN -> V2 component name (None when there is none); reports each connector."""
    found = {}
    for entry in group.items("connector", "Connectors"):
        arn = entry.get("ConnectorArn", "")
        match = CONNECTOR_ARN.match(arn)
        short = match.group(1) if match else arn
        component = CONNECTORS.get(short)
        found[arn] = component
        element = f"connector {entry.get('Id')}"
        if component:
            configuration = dict(entry.get("Parameters", {}))
            components[component] = configuration
            report.add("GGM400", element, f"{short} -> {component}", f"deploy {component} with its configuration in components.json",
                       {"component": component, "configuration": configuration})
        else:
            report.add("GGM401", element, f"{short} has no V2 component", "do its work in a function or a component of your own")
    return found


def unused_resources(resources: dict, used: set, report: Report) -> None:
    """GGM304 for each resource no function has an access policy for."""
    for rid, resource in resources.items():
        if rid not in used:
            kind = next(iter(resource.get("ResourceDataContainer", {"?": 0})))
            report.add("GGM304", f"resource {rid}", f"{kind} {resource.get('Name', '')!r} is used by no function; not migrated")


def local_settings(group: Group, functions: list, report: Report) -> dict:
    """``[local]``: the core's thing name, region and account (else a function's region and account)."""
    local: dict = {}
    cores = group.items("core", "Cores")
    thing = THING_ARN.match(cores[0].get("ThingArn", "")) if cores else None
    if thing:
        local["thing_name"] = thing.group(3)
        local["region"], local["account"] = thing.group(1), thing.group(2)
        sync = " SyncShadow becomes the shadow manager's synchronize configuration." if cores[0].get("SyncShadow") else ""
        report.add("GGM501", "group", f"core thing {thing.group(3)} -> [local] thing_name.{sync}")
    else:
        for fn in functions:
            match = FUNCTION_ARN.match(fn.arn)
            if match and match.group(1) and match.group(2):
                local["region"], local["account"] = match.group(1), match.group(2)
                break
    return local


def loggers_and_devices(group: Group, report: Report, components: dict) -> None:
    """Loggers (GGM500) and client devices (GGM502, with their client device auth group)."""
    loggers = group.items("logger", "Loggers")
    if loggers:
        described = ", ".join(f"{l.get('Component')} {l.get('Type')} {l.get('Level')}" for l in loggers)
        report.add("GGM500", "group", f"loggers ({described}) -> nucleus logging and aws.greengrass.LogManager",
                   "configure aws.greengrass.LogManager for CloudWatch uploads", {"loggers": loggers})
    devices = [m.group(3) for m in (THING_ARN.match(d.get("ThingArn", "")) for d in group.items("device", "Devices")) if m]
    for thing in devices:
        add_device(components, thing)
    if devices:
        report.add("GGM502", "group", f"client devices: {', '.join(devices)}",
                   f"associate them with the core device; deploy {AUTH} (configuration in components.json), "
                   "the MQTT bridge and the IP detector")
