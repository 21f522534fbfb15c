"""Serve stream manager alone, for scripts and components outside ``gglift run``:
``python -m gglift.runtime.streams FOLDER [--port N]``.

Clients authenticate with the token in ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` (the one the
server was started with); the port is printed on the first line of standard output. Exports are
reported there too, and sent only with ``--export``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

from gglift.runtime import eventloop
from gglift.runtime.streams import Exports, StreamServer


async def serve(folder: Path, token: str, port: int, export: bool) -> None:
    exports = Exports(lambda record: print(json.dumps(record.as_dict()), flush=True), send=export)
    server = StreamServer(folder, lambda given: "client" if given == token else None, exports, port)
    await server.start()
    print(server.port, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gglift.runtime.streams", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where File streams are kept")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--export", action="store_true", help="send exports to AWS instead of only printing them")
    args = parser.parse_args()
    token = os.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    if not token:
        sys.exit("error: set AWS_CONTAINER_AUTHORIZATION_TOKEN to the token clients will present")
    try:
        eventloop.run(serve(args.folder, token, args.port, args.export))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
