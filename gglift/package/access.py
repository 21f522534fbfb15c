"""The IPC rights a host component needs, derived from the project: its event sources, its
routes, and the shadows and secrets its code uses; nothing more.

Resources are written as ``*`` globs: nucleus lite matches them as plain strings with ``*``
(an MQTT ``+`` or ``#`` in a resource would only match itself), and the nucleus accepts the
same globs. A subscription's filter is the resource verbatim (the request names that filter).
"""

from __future__ import annotations

from gglift.config.model import Project, Subscription
from gglift.routes import CLOUD, COMPONENT_PREFIX, Derived

PUBSUB = "aws.greengrass.ipc.pubsub"
MQTTPROXY = "aws.greengrass.ipc.mqttproxy"
SHADOWS = "aws.greengrass.ShadowManager"
SECRETS = "aws.greengrass.SecretManager"
SHADOW_OPERATIONS = ("GetThingShadow", "UpdateThingShadow", "DeleteThingShadow")


def glob(topic_filter: str) -> str:
    """An MQTT filter as a ``*`` glob covering at least the topics it matches."""
    levels = ["*" if level in ("+", "#") else level for level in topic_filter.split("/")]
    return "/".join(levels)


def access_control(project: Project, subscriptions: tuple[Subscription, ...], derived: Derived,
                   secret_arns: dict[str, str], component: str) -> dict:
    """``ComponentConfiguration.DefaultConfiguration.accessControl`` for the host component."""
    functions = project.functions
    local_in = sorted({es.topic for fn in functions for es in fn.eventSources if es.type == "PUB_SUB"})
    cloud_in = sorted({es.topic for fn in functions for es in fn.eventSources if es.type == "IOT_CORE"}
                      | {s.subject for s in subscriptions if s.source == CLOUD})
    local_out = _globs(s.subject for s in subscriptions if s.target.startswith(COMPONENT_PREFIX))
    cloud_out = _globs(s.subject for s in subscriptions if s.target == CLOUD and s.source != CLOUD)
    access: dict = {}
    _add(access, component, PUBSUB, "the functions' PUB_SUB event sources", ["SubscribeToTopic"], local_in)
    _add(access, component, PUBSUB, "publishes routed to local components", ["PublishToTopic"], local_out)
    _add(access, component, MQTTPROXY, "IOT_CORE event sources and routes from cloud", ["SubscribeToIoTCore"], cloud_in)
    _add(access, component, MQTTPROXY, "publishes routed to cloud", ["PublishToIoTCore"], cloud_out)
    things = {glob(thing) for thing in derived.shadows}
    if any(item.kind == "shadow" for item in derived.unresolved):
        things.add("*")  # a thing name known only at run time
    shadows = sorted({f"$aws/things/{thing}/shadow" for thing in things})
    _add(access, component, SHADOWS, "the shadows the code reads and writes", list(SHADOW_OPERATIONS), shadows)
    _add(access, component, SECRETS, "the secrets the code reads", ["GetSecretValue"],
         sorted(secret_arns[s] for s in derived.secrets))
    return access


def _globs(filters) -> list[str]:
    return sorted({glob(f) for f in filters})


def _add(access: dict, component: str, service: str, why: str, operations: list[str], resources: list[str]) -> None:
    if not resources:
        return
    policies = access.setdefault(service, {})
    policies[f"{component}:{service.rsplit('.', 1)[1]}:{len(policies) + 1}"] = {
        "policyDescription": f"gglift: {why}",
        "operations": [f"aws.greengrass#{op}" for op in operations],
        "resources": resources,
    }
