"""``gglift invoke``: one invocation of one function through a fresh local core."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Optional

import click

from gglift.cli.grammar import EXIT_FUNCTION_ERROR, EXIT_OK, EXIT_USAGE, chosen_project, common_options, error, project_options, verbosity
from gglift.cli.local import debug_target, local_options, prepare
from gglift.cli.project import load_or_exit
from gglift.config import Project

EXIT_HANDLED, EXIT_UNHANDLED = 1, EXIT_FUNCTION_ERROR  # 2, a usage error, comes from click
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # exit 128 + the signal's number


@click.command()
@click.argument("function")
@project_options
@common_options
@click.option("--payload", default="{}", show_default=True, metavar="JSON|@FILE", help="The event: JSON text, or @FILE for a file's bytes.")
@click.option("--topic", help="The topic the event arrives on (context.client_context.custom['subject']).")
@click.option("--mqtt", "mqtt_url", metavar="URL", help="Bridge the function's cloud publishes to the MQTT broker at URL.")
@local_options
def invoke(function: str, project: Optional[Path], project_option: Optional[Path], payload: str, topic: Optional[str],
           mqtt_url: Optional[str], env_vars: Optional[Path], strict_runtime: bool, debug_port: Optional[int]) -> None:
    """Invoke FUNCTION once, print its result on stdout, and exit with a code telling how it went.

    The project's other pinned functions start too, so invokes and publishes between functions
    work. Logs and publishes go to stderr, the result alone to stdout.

    \b
    Examples:
      gglift invoke republish --payload '{"test-key": "hello"}' --topic test/input
      gglift invoke resize examples/binary --payload @image.bin     (or -p examples/binary)
      gglift -q invoke republish                  the result alone, no log lines
      gglift invoke republish --debug-port 5678   wait for a debugger (VS Code: attach to 127.0.0.1:5678)

    Exit codes: 0 success, 1 the function reported an error (Handled), 2 usage or config
    error or a function the project's target cannot run (GGL190), 3 the core stopped the
    invocation (Unhandled: timeout, crash, memory limit, queue full), 128 + N when signal N
    stopped it, after every worker was stopped (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
    """
    loaded = prepare(load_or_exit(chosen_project(project, project_option)), env_vars, strict_runtime)
    names = [fn.name for fn in loaded.functions]
    if function not in names:
        raise click.BadParameter(f"no function {function!r} in {loaded.config_path}; functions: {', '.join(names)}", param_hint="FUNCTION")
    body = _payload(payload, loaded.function(function).inputPayloadEncodingType == "binary")
    from gglift.runtime import eventloop

    debug = debug_target(loaded, debug_port, function)
    sys.exit(eventloop.run(_invoke(loaded, function, body, topic, mqtt_url, quiet=verbosity() < 0, debug=debug)))


def _payload(text: str, binary: bool) -> bytes:
    if text.startswith("@"):
        try:
            data = Path(text[1:]).read_bytes()
        except OSError as exc:
            raise click.BadParameter(f"cannot read {text[1:]}: {exc.strerror}", param_hint="--payload") from None
    else:
        data = text.encode()
    if not binary:
        try:
            json.loads(data or b"{}")
        except ValueError as exc:
            raise click.BadParameter(f"not JSON ({exc}); the function takes JSON events", param_hint="--payload") from None
    return data


async def _invoke(project: Project, function: str, body: bytes, topic, mqtt_url, quiet: bool, debug=None) -> int:
    from gglift.runtime import Core
    from gglift.runtime.mqtt import MqttError
    from gglift.runtime.report import Printer
    from gglift.runtime.target import TargetError
    from gglift.runtime.work import HANDLED

    loop, main = asyncio.get_running_loop(), asyncio.current_task()
    stopped_by: list[int] = []

    def on_signal(signum: int) -> None:  # as `timeout` or a CI runner stops us: stop the core first
        if not stopped_by:
            stopped_by.append(signum)
            main.cancel()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, on_signal, signum)
    core = Core(project, mqtt=mqtt_url, debug=debug)
    if not quiet:
        core.add_observer(Printer(sys.stderr))
    try:
        await core.start()
        result = await core.invoke(function, body, topic=topic)
        await core.idle()
    except MqttError as exc:
        error(str(exc))
        return EXIT_UNHANDLED
    except TargetError as exc:
        error(str(exc))
        return EXIT_USAGE
    except asyncio.CancelledError:
        if not stopped_by:
            raise
        error(f"stopped by {signal.Signals(stopped_by[0]).name}; no result")
        return 128 + stopped_by[0]
    finally:
        for signum in STOP_SIGNALS:  # stopping now: a further signal must not cut that short
            loop.add_signal_handler(signum, lambda: None)
        await core.stop()
    sys.stdout.buffer.write(result.payload + (b"\n" if result.payload and not result.payload.endswith(b"\n") else b""))
    sys.stdout.flush()
    if not result.error:
        return EXIT_OK
    return EXIT_HANDLED if result.error == HANDLED else EXIT_UNHANDLED
