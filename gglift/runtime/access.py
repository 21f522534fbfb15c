"""The host component's access control, applied by ``gglift run`` as the device's IPC server does.

With ``target = "component"`` the functions reach the outside through the host's IPC calls,
which the nucleus allows only as the recipe's ``accessControl`` says: the one ``gglift
package`` derives from the code (:mod:`gglift.package.access`). ``gglift run`` checks every
such call against that same policy, so what the device would refuse is refused locally.

Matching is nucleus lite's (ggipcd's ``ipc_authz.c``), the stricter of the two servers and
the one the host is tested against: a resource is a plain string in which ``*`` matches any
run of characters, ``/`` included, and ``${x}`` is a literal ``x``; ``*`` alone matches
everything. MQTT wildcards mean nothing to pubsub (``aws.greengrass.ipc.pubsub``), so a
policy ``a/+/b`` allows only the topic ``a/+/b``; mqttproxy also accepts a policy resource
that is an MQTT filter matching the topic (``a/+/b`` allows ``a/x/b``, ``a/#`` allows
``a/x/y`` but not ``a``). The nucleus reads the same globs. Shadow and secret operations are
checked as the nucleus's ShadowManager and SecretManager check them (on ``$aws/things/<thing>/
shadow`` and on the secret's ARN); nucleus lite has neither, and the host serves those itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

PUBSUB = "aws.greengrass.ipc.pubsub"
MQTTPROXY = "aws.greengrass.ipc.mqttproxy"
SHADOWS = "aws.greengrass.ShadowManager"
SECRETS = "aws.greengrass.SecretManager"
NOT_AUTHORIZED = "IPC Operation not authorized."  # ggipcd's UnauthorizedError message
SHADOW_OPERATIONS = {"get": "GetThingShadow", "update": "UpdateThingShadow", "delete": "DeleteThingShadow"}


def glob_matches(resource: str, pattern: str) -> bool:
    """nucleus lite's default policy matcher: ``*`` is any run of characters, ``${x}`` a literal."""
    parts, literal, i = [""], False, 0
    while i < len(pattern):  # split at unescaped '*'; ${...} contributes its inside literally
        c = pattern[i]
        if literal:
            if c == "}":
                literal = False
            else:
                parts[-1] += c
        elif c == "*":
            parts.append("")
        elif c == "$" and pattern[i + 1:i + 2] == "{":
            literal, i = True, i + 1
        else:
            parts[-1] += c
        i += 1
    if len(parts) == 1:
        return resource == parts[0]
    if not resource.startswith(parts[0]):
        return False
    position = len(parts[0])
    for middle in parts[1:-1]:
        found = resource.find(middle, position)
        if found < 0:
            return False
        position = found + len(middle)
    return resource[position:].endswith(parts[-1])


def filter_matches(resource: str, topic_filter: str) -> bool:
    """nucleus lite's mqttproxy matcher: ``topic_filter`` (``+``, ``#``) covers ``resource``."""
    i = j = 0
    while i < len(topic_filter):
        c = topic_filter[i]
        if c == "+":
            while j < len(resource) and resource[j] != "/":
                j += 1
        elif c == "#":
            return True
        else:
            if j >= len(resource) or resource[j] != c:
                return False
            j += 1
        i += 1
    return j == len(resource)


@dataclass(frozen=True)
class Refusal:
    """A call the policy refuses: ``operation`` on ``resource``, and the error the host sees."""

    operation: str
    resource: str

    @property
    def error(self) -> str:
        """As the host's IPC client renders the server's answer."""
        return f"{self.operation}: UnauthorizedError: {NOT_AUTHORIZED}"


def secret_resource(secret_id: str, region: str, account: str) -> str:
    """The resource SecretManager checks for ``secret_id``: its ARN. A bare name's ARN ends
    with the 6 random characters Secrets Manager adds, unknown locally: ``??????`` stands in
    for them, so only a policy with ``*`` there allows it (as the derived ``name-*`` does)."""
    if secret_id.startswith("arn:"):
        return secret_id
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{secret_id}-??????"


class AccessPolicy:
    """One component's ``accessControl`` (service -> policy name -> operations, resources)."""

    def __init__(self, access_control: dict):
        self.access_control = access_control

    def check(self, service: str, operation: str, resource: str) -> Optional[Refusal]:
        """None when some policy of ``service`` allows ``operation`` on ``resource``."""
        full = f"aws.greengrass#{operation}"
        for policy in self.access_control.get(service, {}).values():
            if full not in policy.get("operations", ()) and "*" not in policy.get("operations", ()):
                continue
            for pattern in policy.get("resources", ()):
                if pattern == "*" or glob_matches(resource, pattern) or (service == MQTTPROXY and filter_matches(resource, pattern)):
                    return None
        return Refusal(operation, resource)

    def shadow(self, subject: str) -> Optional[Refusal]:
        """The check of a V1 shadow call on ``$aws/things/<thing>/shadow[/name/<name>]/<op>``."""
        prefix, _, op = subject.rpartition("/")
        operation = SHADOW_OPERATIONS.get(op)
        if operation is None or not prefix.startswith("$aws/things/"):
            return None  # the shadow service answers it with its own error
        return self.check(SHADOWS, operation, prefix)
