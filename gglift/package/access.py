"""The IPC rights a host component needs, derived from the project: its event sources, its
routes, and the shadows and secrets its code uses; nothing more.

Resources are written as ``*`` globs: nucleus lite matches them as plain strings with ``*``
(an MQTT ``+`` or ``#`` in a resource would only match itself, and ``${x}`` is a literal
``x``), and the nucleus accepts the same globs. A subscription's filter is the resource
verbatim (the request names that filter). :mod:`gglift.runtime.access` matches them as
nucleus lite does, for ``gglift run``.
"""

from __future__ import annotations

from pathlib import Path

from gglift.config.model import Project, Subscription
from gglift.package.requests import Target, secret_arn
from gglift.routes import CLOUD, COMPONENT_PREFIX, Derived, effective_subscriptions

from gglift.runtime.access import MQTTPROXY, PUBSUB, SECRETS, SHADOWS
from gglift.runtime.shadow import shadow_topic
from gglift.runtime.shadowsync import INBOUND

SHADOW_OPERATIONS = ("GetThingShadow", "UpdateThingShadow", "DeleteThingShadow")
# What a C executable imports from gglift's Core SDK for C, by service: its code cannot be
# analysed, but its dynamic symbol table names the calls it makes (not their resources).
C_SYMBOLS = {"shadow": (b"gg_get_thing_shadow", b"gg_update_thing_shadow", b"gg_delete_thing_shadow"),
             "secret": (b"gg_get_secret_value",)}


def glob(topic_filter: str) -> str:
    """An MQTT filter as a ``*`` glob covering at least the topics of its levels (``${`` in a
    topic written ``${$}{``, so that nucleus lite reads it literally)."""
    levels = ["*" if level in ("+", "#") else level.replace("${", "${$}{") for level in topic_filter.split("/")]
    return "/".join(levels)


def globs(topic_filter: str) -> list[str]:
    """The globs covering every topic ``topic_filter`` matches: ``a/#`` matches ``a`` too."""
    if topic_filter.endswith("/#"):
        return [glob(topic_filter[:-2]), glob(topic_filter)]
    return [glob(topic_filter)]


def secret_resource(secret_id: str, target: Target) -> str:
    """The policy resource for a secret the code names: its ARN, a bare name with ``-*`` for
    the random suffix Secrets Manager adds to the ARN."""
    return secret_arn(secret_id, target) + ("" if secret_id.startswith("arn:") else "-*")


def access_control(project: Project, subscriptions: tuple[Subscription, ...], derived: Derived,
                   target: Target, component: str) -> dict:
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
    sync = project.shadow_sync  # nucleus lite: the host syncs its local shadows itself (gglift.runtime.shadowsync)
    _add(access, component, MQTTPROXY, "shadow sync: requests to the cloud shadows", ["PublishToIoTCore"],
         sorted(shadow_topic(glob(t), op) for t in sync for op in ("update", "delete", "get")))
    _add(access, component, MQTTPROXY, "shadow sync: the cloud shadows' answers", ["SubscribeToIoTCore"],
         sorted(shadow_topic(glob(t), suffix) for t in sync for suffix in INBOUND))
    native = executable_services(project)
    things = {glob(thing) for thing in derived.shadows}
    if any(item.kind == "shadow" for item in derived.unresolved) or "shadow" in native:
        things.add("*")  # a thing name known only at run time
    shadows = sorted({f"$aws/things/{thing}/shadow" for thing in things})
    _add(access, component, SHADOWS, "the shadows the code reads and writes", list(SHADOW_OPERATIONS), shadows)
    secrets = {secret_resource(s, target) for s in derived.secrets}
    if "secret" in native:
        secrets.add(secret_arn("*", target))
    _add(access, component, SECRETS, "the secrets the code reads", ["GetSecretValue"], sorted(secrets))
    return access


def executable_services(project: Project) -> set[str]:
    """The services (``shadow``, ``secret``) the project's C executables call."""
    used = set()
    for fn in project.functions:
        if fn.is_executable:
            try:
                data = (fn.source / fn.handler).read_bytes()
            except OSError:
                continue  # the config check reports a missing executable
            used |= {service for service, names in C_SYMBOLS.items() if any(name in data for name in names)}
    return used


def derived_for_run(project: Project, cache_dir: Path) -> tuple[dict, tuple[Subscription, ...]]:
    """What ``gglift package`` would derive for ``project`` with its default target: the
    accessControl and the routes (for ``gglift run``, which applies the same policy)."""
    from gglift.package.analysis_cache import cached_derive

    derived = cached_derive(project, cache_dir)
    subscriptions = effective_subscriptions(project, derive_with=lambda _: derived)
    return (access_control(project, subscriptions, derived, Target.default(project), project.functions[0].component.name),
            subscriptions)


def _globs(filters) -> list[str]:
    return sorted({g for f in filters for g in globs(f)})


def _add(access: dict, component: str, service: str, why: str, operations: list[str], resources: list[str]) -> None:
    if not resources:
        return
    policies = access.setdefault(service, {})
    policies[f"{component}:{service.rsplit('.', 1)[1]}:{len(policies) + 1}"] = {
        "policyDescription": f"gglift: {why}",
        "operations": [f"aws.greengrass#{op}" for op in operations],
        "resources": resources,
    }
