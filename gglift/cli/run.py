"""``gglift run``: run a project's functions on a local Greengrass core."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Optional

import click

from gglift.cli.grammar import (EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, chosen_project, common_options, error, info,
                                project_options, verbosity)
from gglift.cli.local import debug_target, local_options, prepare
from gglift.cli.project import load_or_exit
from gglift.config import Project


@click.command()
@project_options
@common_options
@click.option("--events", "events_path", metavar="FILE|-", help="Feed messages from JSON lines (- for stdin).")
@click.option("--until-idle", is_flag=True, help="Exit once the events are fed and all work is done.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of readable lines.")
@click.option("--record", "record_path", type=click.Path(dir_okay=False), help="Write invocations and publishes to FILE as JSON lines.")
@click.option("--mqtt", "mqtt_url", metavar="URL", help="Use the MQTT broker at URL (mqtt://host:port) for IOT_CORE instead of the embedded one.")
@click.option("--export", is_flag=True, help="Stream manager exports call AWS (boto3's credential and endpoint chain) instead of only reporting what they would send.")
@click.option("--grace", default=3.0, show_default=True, help="Seconds between SIGTERM and SIGKILL for workers at shutdown.")
@click.option("--fail-on-error", is_flag=True, help="Exit 1 when an invocation failed or work was dropped (for CI).")
@click.option("--watch", is_flag=True, help="Replace a function's workers when its *.py source files change; the core and its queues stay.")
@click.option("--debug-function", metavar="NAME", help="The function --debug-port debugs (default: the only Python function).")
@local_options
def run(project: Optional[Path], project_option: Optional[Path], events_path: Optional[str], until_idle: bool, as_json: bool,
        record_path: Optional[str], mqtt_url: Optional[str], export: bool, grace: float, fail_on_error: bool,
        watch: bool, debug_function: Optional[str], env_vars: Optional[Path], strict_runtime: bool,
        debug_port: Optional[int]) -> None:
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
      gglift run --export                          stream manager exports reach AWS
      gglift run --events events.jsonl --until-idle --fail-on-error      in CI
      gglift run --env-vars local-env.json         override environmentVariables
      gglift run --watch                           reload a function when its code changes
      gglift run --debug-port 5678 --debug-function republish   attach a debugger (debugpy)

    With --json, once the core is up, a line {"kind": "core", "mqtt_url": ...} names the broker another
    terminal or a test publishes to (mosquitto_pub -L URL/TOPIC) to trigger IOT_CORE sources.

    With --watch, a change to a function's *.py files stops its idle workers (a busy one once its
    item is done) and starts new ones that load the new code; queued work waits for them and the
    other functions' workers keep running. A line "reload FUNCTION: FILES changed" says so.

    With --debug-port, the chosen function's worker (one at a time) starts under debugpy on
    127.0.0.1:PORT and waits for a debugger to attach; its timeouts and memory limit are off.

    Exit codes: 0 done, 1 some event lines were invalid, the core failed, or (with
    --fail-on-error) an invocation failed or work was dropped, 2 bad config or usage, or a
    function the project's target cannot run (GGL190), 130 interrupted (Ctrl-C; SIGTERM stops
    cleanly with 0).
    """
    if until_idle and not events_path:
        raise click.UsageError("--until-idle needs --events")
    config = prepare(load_or_exit(chosen_project(project, project_option)), env_vars, strict_runtime)
    debug = debug_target(config, debug_port, debug_function)
    from gglift.runtime import eventloop

    code = eventloop.run(_run(config, events_path, until_idle, as_json, record_path, mqtt_url, grace, fail_on_error, export,
                              watch, debug))
    sys.exit(code)


async def _run(project: Project, events_path, until_idle, as_json, record_path, mqtt_url, grace, fail_on_error,
               export=False, watch=False, debug=None) -> int:
    from gglift.runtime import Core
    from gglift.runtime.mqtt import MqttError
    from gglift.runtime.report import Printer, Recorder
    from gglift.runtime.target import TargetError
    from gglift.runtime.watch import SourceWatcher

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    interrupted = []
    loop.add_signal_handler(signal.SIGINT, lambda: (interrupted.append(True), stop.set()))
    for signum in (signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    core = Core(project, mqtt=mqtt_url or "auto", grace=grace, export=export, debug=debug)
    if verbosity() >= 0:
        core.add_observer(Printer(sys.stdout, as_json))
    failures = []
    if fail_on_error:  # records are only built when someone listens: listen only when asked
        core.add_observer(lambda record: failures.append(record) if _failed(record) else None)
    recorder = Recorder(Path(record_path)) if record_path else None
    if recorder:
        core.add_observer(recorder)
    bad_lines = 0
    try:
        await core.start()
    except (MqttError, TargetError) as exc:
        error(str(exc))
        await core.stop()
        if recorder:
            recorder.discard()  # nothing ran: leave any earlier record as it is
        return EXIT_USAGE if isinstance(exc, TargetError) else EXIT_FINDINGS
    if as_json:
        click.echo(json.dumps({"kind": "core", "mqtt_url": core.mqtt_url, "thing_name": project.local.thing_name}))
    elif core.mqtt_url:
        info(f"mqtt    IOT_CORE messages go through {core.mqtt_url}", err=True)
    watcher = SourceWatcher(project.functions, core.reload) if watch else None
    if watcher:
        watcher.start()
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
        if watcher:
            watcher.stop()
        unrun = await core.stop()
        if recorder:
            recorder.close()
    if unrun:
        click.echo(f"stopped with {len(unrun)} queued item(s) not run", err=True)
    if interrupted:
        return EXIT_INTERRUPTED
    if fail_on_error and failures:
        click.echo(f"{len(failures)} invocation(s) failed or were dropped (--fail-on-error)", err=True)
        return EXIT_FINDINGS
    return EXIT_FINDINGS if bad_lines else EXIT_OK


def _failed(record) -> bool:
    """An invocation that ended in an error, or work the core dropped."""
    return (record.kind == "invocation" and bool(record.error)) or record.kind == "dropped"


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
            error(f"cannot read {name}: {text.strerror}")
            return bad + 1
        number += 1
        try:
            event = eventfeed.parse(text)
        except eventfeed.EventError as exc:
            error(f"{name}:{number}: {exc}; line skipped")
            bad += 1
            continue
        if event is not None:
            core.publish(event.topic, event.payload, event.source)
