"""The device host: ``python3 host.pyz --description project.json --artifacts DIR --platform lite``.

One process per project, started by the component's lifecycle: it runs the project's functions
on the same engine as ``gglift run`` (pools, timeouts, memory limits, the Lambda HTTP IPC the
unchanged ``greengrasssdk`` and C SDK speak) with Greengrass V2 IPC as its backend, until
SIGTERM (the nucleus stopping the component).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Optional

from gglift.host.description import LITE, NUCLEUS, DescriptionError, load
from gglift.ipc import NUCLEUS_LITE_MAX_MESSAGE, IpcClient, IpcError
from gglift.runtime import eventloop

log = logging.getLogger("gglift.host")


OPTIONS = ("--description", "--artifacts", "--platform", "--state", "--log-level")


def _arguments(argv: Optional[list[str]]) -> SimpleNamespace:
    """The command line the lifecycle writes (``--name value`` pairs, the two paths given) is
    read directly; anything else goes to argparse for its usage and errors. argparse and
    gettext would stay in the idle host's memory: 0.35 MB of the 16 it is allowed."""
    args = sys.argv[1:] if argv is None else argv
    given = dict(zip(args[::2], args[1::2]))
    if (len(given) * 2 == len(args) and set(given) <= set(OPTIONS)
            and {"--description", "--artifacts"} <= set(given) and given.get("--platform", NUCLEUS) in (NUCLEUS, LITE)):
        state = given.get("--state")
        return SimpleNamespace(description=Path(given["--description"]), artifacts=Path(given["--artifacts"]),
                               platform=given.get("--platform", NUCLEUS), state=Path(state) if state else None,
                               log_level=given.get("--log-level", os.environ.get("GGLIFT_LOG_LEVEL", "INFO")))
    return _parsed(args)


def _parsed(argv: list[str]):
    import argparse

    parser = argparse.ArgumentParser(prog="gglift-host", description="Runs a gglift project as a Greengrass V2 component.")
    parser.add_argument("--description", required=True, type=Path, help="project.json written by gglift package")
    parser.add_argument("--artifacts", required=True, type=Path, help="the folder holding the functions' artifacts")
    parser.add_argument("--platform", choices=(NUCLEUS, LITE), default=NUCLEUS)
    parser.add_argument("--state", type=Path, help="folder for the host's own state (shadows on nucleus lite)")
    parser.add_argument("--log-level", default=os.environ.get("GGLIFT_LOG_LEVEL", "INFO"))
    return parser.parse_args(argv)


async def serve(args: SimpleNamespace) -> int:
    """Run until SIGTERM or SIGINT; 0 on a clean stop."""
    from gglift.host.backend import IpcBackend  # after the argument check: imports the engine
    from gglift.runtime.core import Core
    from gglift.runtime.report import Printer

    config = load(args.description, args.artifacts.resolve())
    state = (args.state or Path.cwd() / "state").resolve()
    client = IpcClient(component_name=config.component,
                       max_message_size=NUCLEUS_LITE_MAX_MESSAGE if args.platform == LITE else None)
    backend = IpcBackend(client, args.platform, state / "shadows.sqlite")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    core = Core(config.project, subscriptions=config.subscriptions, backend=backend, state_dir=state)
    printer = Printer(sys.stderr)  # the functions' logs and the host's events: the component's log
    if args.log_level.upper() == "DEBUG":
        core.add_observer(printer)
    else:  # a line per message would cost each round trip more than the rest of the host's work
        core.add_observer(lambda record: _per_message(record) or printer(record))
    await core.start()
    try:
        await client.update_state("RUNNING")
    except IpcError as exc:  # nucleus lite without its health daemon answers ServiceError
        log.info("UpdateState RUNNING: %s", exc)
    names = ", ".join(fn.name for fn in config.project.functions)
    print(f"gglift host: running {names} as {config.component} on the {args.platform}", flush=True)
    await stop.wait()
    await core.stop()
    return 0


def _per_message(record) -> bool:
    """True for a record of routine per-message work: a publish, an invocation that succeeded."""
    return record.kind == "publish" or (record.kind == "invocation" and not record.error)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point of the host zipapp."""
    if sys.version_info < (3, 9):
        print("gglift host: needs Python 3.9 or newer on the device; found " + sys.version.split()[0], file=sys.stderr)
        return 2
    args = _arguments(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return eventloop.run(serve(args))
    except (DescriptionError, IpcError) as exc:
        print(f"gglift host: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
