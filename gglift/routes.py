"""Which routes, secrets and shadows a project's code needs, derived from its source.

A Lambda that calls ``greengrasssdk``'s ``publish()`` on a Greengrass V2 core gets its
message delivered only if ``aws.greengrass.LegacySubscriptionRouter`` has a subscription for
it. The port analysis already knows every topic a function publishes to, every secret it
reads and every thing whose shadow it uses; this module turns that into subscriptions
(shared by ``gglift package``, which writes them into the deployment, and ``gglift run``,
which routes messages by them).

The rule for a published topic: the source is the function, the subject is the topic (a
pattern with ``+`` for each level only known at run time), and the target is every *other*
function in the project whose ``eventSources`` match the topic, or ``cloud`` when none does.

>>> derived = derive(project)  # doctest: +SKIP
>>> [(s.source, s.subject, s.target) for s in derived.subscriptions]  # doctest: +SKIP
[('sensor', 'readings/+/temp', 'cloud')]
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

from gglift.config.model import Function, Project, Subscription
from gglift.environment import read_of

CLOUD = "cloud"
COMPONENT_PREFIX = "component:"

# Folders whose Python files are not the function's code.
SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".venv", "venv", "build", "dist", "tests", "test", ".gglift"})


@dataclass(frozen=True)
class Item:
    """One derived fact and where in the code it comes from (for the package report)."""

    kind: str  # "subscription" | "secret" | "shadow" | "invoke"
    function: str
    value: str  # "source -> subject -> target" for subscriptions, else the id or name
    path: Path
    line: int


@dataclass(frozen=True)
class Unresolved:
    """A topic, secret, thing or function name the code builds at run time."""

    kind: str  # "topic" | "secret" | "shadow" | "invoke"
    function: str
    text: str  # the expression as written in the code
    path: Path
    line: int
    fix: str = ""  # the config key that resolves it

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind} {self.text} (function {self.function}) is not known until run time"


# What fixes an unresolved item, by kind: the key to add to the function's [[function]] table.
FIXES = {
    "topic": 'add a [[subscription]] table: source = "{function}", subject = "<topic filter>", target = "cloud" (or a function)',
    "secret": 'add secrets = ["<secret id or ARN>"] to [[function]] "{function}"',
    "shadow": 'add shadows = ["<thing name>"] to [[function]] "{function}"',
    "invoke": 'add components = {{"<component it invokes>" = "<version>"}} to [[function]] "{function}", or name the function literally',
}


@dataclass(frozen=True)
class Derived:
    """What the code of a project needs from the core, found by the port analysis."""

    subscriptions: tuple[Subscription, ...] = ()
    secrets: tuple[str, ...] = ()  # secret ids (names or ARNs), sorted
    shadows: tuple[str, ...] = ()  # thing names, sorted
    invokes: tuple[str, ...] = ()  # function names or ARNs the code invokes, sorted
    items: tuple[Item, ...] = ()
    unresolved: tuple[Unresolved, ...] = ()


def topic_matches(topic_filter: str, topic: str) -> bool:
    """True when a message on ``topic`` can match ``topic_filter`` (MQTT wildcard rules).

    ``topic`` may itself hold ``+`` for a level only known at run time: such a level matches
    any level of the filter, since some run-time value will.

    >>> topic_matches("sensors/+/temp", "sensors/kitchen/temp")
    True
    >>> topic_matches("sensors/#", "sensors")
    True
    >>> topic_matches("sensors/+", "sensors/a/b")
    False
    """
    want = topic_filter.split("/")
    have = topic.split("/")
    for index, level in enumerate(want):
        if level == "#":
            return True  # '#' also matches the parent level itself
        if index >= len(have):
            return False
        if level != "+" and have[index] != "+" and level != have[index]:
            return False
    return len(want) == len(have)


def python_files(source: Path) -> list[Path]:
    """The function's own ``.py`` files under ``source``, in a stable order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(source):
        # Sorted in place so os.walk visits folders in a stable order.
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.endswith(".dist-info"))
        found.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py"))
    return found


def function_files(fn: Function) -> list[Path]:
    """The files of ``fn``'s code: its handler module and what it imports from its source
    folder, so functions sharing a folder each get only their own code's needs."""
    # Imported here: the device host routes with this module and ships without gglift.port.
    from gglift.port.modules import import_closure

    return import_closure(fn.source, fn.handler.rpartition(".")[0])


def analyze_function(fn: Function) -> list:
    """Run the port analysis over each Python file of ``fn`` (none for executables)."""
    if fn.is_executable:
        return []
    from gglift.port import analyze_path  # imported late: the port analysis pulls in libcst

    return [analyze_path(path) for path in function_files(fn)]


def derive(project: Project, results: Optional[Mapping[str, Sequence]] = None) -> Derived:
    """Derive subscriptions, secrets and shadows from the code of every function.

    ``results`` maps a function name to its port analysis results (``FileResult`` objects);
    by default the analysis runs over each function's ``source`` folder.
    """
    if results is None:
        results = {fn.name: analyze_function(fn) for fn in project.functions}
    subscriptions: list[Subscription] = []
    secrets: set[str] = set()
    shadows: set[str] = set()
    invokes: set[str] = set()
    items: list[Item] = []
    unresolved: list[Unresolved] = []
    for index, fn in enumerate(project.functions):
        explicit = {"secret": fn.secrets, "shadow": fn.shadows, "invoke": tuple(name for name, _ in fn.components)}
        # What the config declares stands in for what the code cannot show.
        for kind, values, bucket in (("secret", fn.secrets, secrets), ("shadow", fn.shadows, shadows)):
            for value in values:
                if value not in bucket:
                    bucket.add(value)
                    items.append(Item(kind, fn.name, value, project.config_path, 0))
        environment = fn.environment

        def value_of(kind: str, res, path: Path, known: bool) -> Optional[str]:
            """``res``'s value, else what the environment gives it; None (recorded as
            unresolved unless the config declares it) when neither knows."""
            if known:
                return res.value
            read = read_of(res.value, path)
            value = read.value(environment) if read is not None else None
            if value is None and not (explicit.get(kind) or (kind == "topic" and project.subscriptions is not None)):
                if read is not None:
                    fix = (f"set environmentVariables.{read.name} in [[function]] \"{fn.name}\" (function[{index}]); "
                           "the code reads it from there")
                else:
                    fix = FIXES[kind].format(function=fn.name)
                unresolved.append(Unresolved(kind, fn.name, res.value, path, res.line, fix))
            return value

        for result in results.get(fn.name, ()):
            for res in result.publishes:
                topic = value_of("topic", res, result.path, res.resolved)
                if topic is None:
                    continue
                for sub in _routes_for(project, fn, topic):
                    if sub not in subscriptions:
                        subscriptions.append(sub)
                        items.append(Item("subscription", fn.name, f"{sub.source} -> {sub.subject} -> {sub.target}", result.path, res.line))
            for kind, resources, bucket in (
                ("secret", result.secrets, secrets),
                ("shadow", result.shadows, shadows),
                ("invoke", result.invokes, invokes),
            ):
                for res in resources:
                    value = value_of(kind, res, result.path, res.resolved and res.literal)
                    if value is None:
                        continue
                    if value not in bucket:
                        bucket.add(value)
                        items.append(Item(kind, fn.name, value, result.path, res.line))
    return Derived(
        subscriptions=tuple(subscriptions),
        secrets=tuple(sorted(secrets)),
        shadows=tuple(sorted(shadows)),
        invokes=tuple(sorted(invokes)),
        items=tuple(items),
        unresolved=tuple(unresolved),
    )


def _routes_for(project: Project, fn: Function, topic: str) -> Iterable[Subscription]:
    targets = [
        other.name
        for other in project.functions
        if other.name != fn.name and any(topic_matches(src.topic, topic) for src in other.eventSources)
    ]
    return [Subscription(source=fn.name, subject=topic, target=t) for t in targets or [CLOUD]]


def effective_subscriptions(
    project: Project, derive_with: Callable[[Project], Derived] = derive
) -> tuple[Subscription, ...]:
    """The project's routes: its explicit ``[[subscription]]`` tables, else the derived ones."""
    if project.subscriptions is not None:
        return project.subscriptions
    return derive_with(project).subscriptions
