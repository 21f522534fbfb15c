"""``gglift run``: run a project's functions on a local Greengrass core."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

import click

from gglift.cli.project import load_or_exit
from gglift.config import Project


@click.command()
@click.argument("project", default=".", type=click.Path(exists=True))
@click.option("--events", "events_path", metavar="FILE|-", help="Feed messages from JSON lines (- for stdin).")
@click.option("--until-idle", is_flag=True, help="Exit once the events are fed and all work is done.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of readable lines.")
@click.option("--record", "record_path", type=click.Path(dir_okay=False), help="Write invocations and publishes to FILE as JSON lines.")
@click.option("--mqtt", "mqtt_url", metavar="URL", help="Use the MQTT broker at URL (mqtt://host:port) for IOT_CORE instead of the embedded one.")
@click.option("--grace", default=3.0, show_default=True, help="Seconds between SIGTERM and SIGKILL for workers at shutdown.")
def run(project: str, events_path: Optional[str], until_idle: bool, as_json: bool, record_path: Optional[str],
        mqtt_url: Optional[str], grace: float) -> None:
    """Run every function of PROJECT (default: the current folder) on a local Greengrass core.

    Functions run unchanged, with the real greengrasssdk, under Greengrass's rules: pinned and
    on-demand workers, timeouts, queues, memory limits, subscriptions, local shadows and
    secrets. One line is printed per invocation, publish and log line. Ctrl-C, SIGTERM or SIGHUP
    stops the core cleanly: workers get SIGTERM, then SIGKILL after --grace seconds, and work still
    queued is reported.

    \b
    Examples:
      gglift run                                   run until Ctrl-C
      gglift run --events events.jsonl --until-idle
      echo '{"topic": "local/topic", "payload": {"key1": "value1"}}' | gglift run --events - --until-idle
      gglift run --mqtt mqtt://127.0.0.1:1883 --json --record run.jsonl

    Exit codes: 0 done, 1 some event lines were invalid or the core failed, 2 bad config or usage,
    or a function the project's target cannot run (GGL190).
    """
    if until_idle and not events_path:
        raise click.UsageError("--until-idle needs --events")
    config = load_or_exit(project)
    from gglift.runtime import eventloop

    code = eventloop.run(_run(config, events_path, until_idle, as_json, record_path, mqtt_url, grace))
    sys.exit(code)


async def _run(project: Project, events_path, until_idle, as_json, record_path, mqtt_url, grace) -> int:
    from gglift.runtime import Core
    from gglift.runtime.mqtt import MqttError
    from gglift.runtime.report import Printer, Recorder
    from gglift.runtime.target import TargetError

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    core = Core(project, mqtt=mqtt_url or "auto", grace=grace)
    core.add_observer(Printer(sys.stdout, as_json))
    recorder = Recorder(Path(record_path)) if record_path else None
    if recorder:
        core.add_observer(recorder)
    bad_lines = 0
    try:
        await core.start()
    except (MqttError, TargetError) as exc:
        click.echo(f"error: {exc}", err=True)
        await core.stop()
        if recorder:
            recorder.discard()  # nothing ran: leave any earlier record as it is
        return 2 if isinstance(exc, TargetError) else 1
    if core.mqtt_url and not as_json:
        click.echo(f"mqtt    IOT_CORE messages go through {core.mqtt_url}", err=True)
    try:
        if events_path:
            feed = loop.create_task(_feed(core, events_path))
            waiter = loop.create_task(stop.wait())
            await asyncio.wait({feed, waiter}, return_when=asyncio.FIRST_COMPLETED)
            if feed.done():
                bad_lines = feed.result()
                if until_idle:
                    idle = loop.create_task(core.idle())
                    await asyncio.wait({idle, waiter}, return_when=asyncio.FIRST_COMPLETED)
                    idle.cancel()
                    stop.set()
            else:
                feed.cancel()
            waiter.cancel()
        await stop.wait()
    finally:
        unrun = await core.stop()
        if recorder:
            recorder.close()
    if unrun:
        click.echo(f"stopped with {len(unrun)} queued item(s) not run", err=True)
    return 1 if bad_lines else 0


async def _feed(core, events_path: str) -> int:
    """Publish every event of the file (or stdin) as it is read; returns the number of bad lines."""
    from gglift.runtime import eventfeed

    loop = asyncio.get_running_loop()
    lines: asyncio.Queue = asyncio.Queue()

    def reader() -> None:  # a daemon thread: a blocked stdin read must not hold up shutdown
        try:
            stream = sys.stdin if events_path == "-" else open(events_path, encoding="utf-8")
            with stream:
                for text in stream:
                    loop.call_soon_threadsafe(lines.put_nowait, text)
        except OSError as exc:
            loop.call_soon_threadsafe(lines.put_nowait, exc)
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=reader, daemon=True).start()
    name = "<stdin>" if events_path == "-" else events_path
    number = bad = 0
    while True:
        text = await lines.get()
        if text is None:
            return bad
        if isinstance(text, OSError):
            click.echo(f"error: cannot read {name}: {text.strerror}", err=True)
            return bad + 1
        number += 1
        try:
            event = eventfeed.parse(text)
        except eventfeed.EventError as exc:
            click.echo(f"error: {name}:{number}: {exc}; line skipped", err=True)
            bad += 1
            continue
        if event is not None:
            core.publish(event.topic, event.payload, event.source)
