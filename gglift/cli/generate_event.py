"""``gglift generate-event``: sample events, as ``gglift run --events`` reads them (SAM's generate-event)."""

from __future__ import annotations

import json
import random
import time
from typing import Optional

import click

from gglift.cli.grammar import common_options

# Shadow topics a function's eventSources subscribe to (the shadow service publishes them).
DELTA_TOPIC = "$aws/things/{thing}/shadow/update/delta"


def _json_value(text: str, param_hint: str):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON ({exc})", param_hint=param_hint) from None


def _emit(topic: str, payload, source: str, payload_only: bool) -> None:
    if payload_only:
        click.echo(json.dumps(payload))
    else:
        click.echo(json.dumps({"topic": topic, "payload": payload, "source": source}))


PAYLOAD_ONLY = click.option("--payload-only", is_flag=True, help="Print only the payload, for `gglift invoke --payload`.")


@click.group("generate-event")
@common_options
def generate_event() -> None:
    """Print sample events as JSON lines for `gglift run --events -` (or payloads for `gglift invoke`).

    \b
    Examples:
      gglift generate-event message --topic sensors/a/readings --payload '{"t": 21.5}' | gglift run --events - --until-idle
      gglift generate-event message --topic cmd/reboot --source IOT_CORE
      gglift generate-event shadow-delta --thing sensor-1 --state '{"interval": 30}'
      gglift generate-event readings --device boiler --device cellar --count 5 --field temperature=10:60
      gglift invoke gateway --payload "$(gglift generate-event readings --count 1 --payload-only)"
    """


@generate_event.command()
@common_options
@click.option("--topic", required=True, help="The topic the message arrives on.")
@click.option("--payload", default="{}", show_default=True, metavar="JSON", help="The message body.")
@click.option("--source", type=click.Choice(["PUB_SUB", "IOT_CORE"]), default="PUB_SUB", show_default=True,
              help="Local pub/sub, or AWS IoT Core (MQTT).")
@PAYLOAD_ONLY
def message(topic: str, payload: str, source: str, payload_only: bool) -> None:
    """One message on TOPIC: a PUB_SUB message, or an IOT_CORE one from AWS IoT Core."""
    _emit(topic, _json_value(payload, "--payload"), source, payload_only)


@generate_event.command("shadow-delta")
@common_options
@click.option("--thing", required=True, help="The thing whose shadow changed.")
@click.option("--state", default='{"interval": 30}', show_default=True, metavar="JSON",
              help="The desired state that differs from the reported one.")
@click.option("--version", "shadow_version", type=click.IntRange(min=1), default=2, show_default=True, help="The shadow's version.")
@click.option("--timestamp", type=int, default=None, help="Epoch seconds [default: now].")
@PAYLOAD_ONLY
def shadow_delta(thing: str, state: str, shadow_version: int, timestamp: Optional[int], payload_only: bool) -> None:
    """The delta document the shadow service publishes when desired and reported differ."""
    delta = _json_value(state, "--state")
    if not isinstance(delta, dict):
        raise click.BadParameter("must be a JSON object of state keys", param_hint="--state")
    stamp = int(time.time()) if timestamp is None else timestamp
    document = {"version": shadow_version, "timestamp": stamp, "state": delta,
                "metadata": {key: {"timestamp": stamp} for key in delta}}
    _emit(DELTA_TOPIC.format(thing=thing), document, "PUB_SUB", payload_only)


def _field(text: str) -> tuple[str, float, float]:
    name, _, bounds = text.partition("=")
    low, _, high = bounds.partition(":")
    try:
        return name, float(low), float(high)
    except ValueError:
        raise click.BadParameter(f"{text!r}: write NAME=LOW:HIGH, e.g. temperature=10:60", param_hint="--field") from None


@generate_event.command()
@common_options
@click.option("--topic", default="sensors/{device}/readings", show_default=True, help="Topic, with {device} for the device.")
@click.option("--device", "devices", multiple=True, default=("sensor-1",), show_default=True, help="A device (repeatable).")
@click.option("--count", type=click.IntRange(min=1), default=3, show_default=True, help="Readings per device.")
@click.option("--field", "fields", multiple=True, default=("temperature=15:30",), show_default=True,
              metavar="NAME=LOW:HIGH", help="A numeric field and its range (repeatable).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same readings.")
@PAYLOAD_ONLY
def readings(topic: str, devices: tuple[str, ...], count: int, fields: tuple[str, ...], seed: int, payload_only: bool) -> None:
    """A stream of sensor readings, COUNT per device, round-robin."""
    ranges = [_field(text) for text in fields]
    rng = random.Random(seed)
    for _ in range(count):
        for device in devices:
            payload = {"device": device, **{name: round(rng.uniform(low, high), 2) for name, low, high in ranges}}
            _emit(topic.replace("{device}", device), payload, "PUB_SUB", payload_only)
