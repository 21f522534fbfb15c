"""What the core reports while it runs: one record per invocation, publish, drop, worker change or log line.

Observers (the CLI's printer, ``--record``, tests) receive these as they happen. ``as_dict()``
gives the JSON-lines form of ``--json`` and ``--record``: payloads are JSON values when they
parse as JSON, text when they are UTF-8, else ``{"base64": ...}``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
from dataclasses import dataclass, field
from typing import Callable, Optional

log = logging.getLogger("gglift.runtime")


def payload_value(data: bytes):
    """The most readable JSON value for a payload."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}
    try:
        return json.loads(text) if text.strip() else text
    except ValueError:
        return text


def payload_text(data: bytes, limit: int = 200) -> str:
    """A one-line rendering of a payload for humans, cut at ``limit`` characters."""
    value = payload_value(data)
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Observers:
    """The callbacks that receive records; call it with a record to send it to each of them.

    False while nobody listens, so a hot path can skip building a record no one would see:
    ``if emit: emit(Invocation(...))``. Calling it never raises: the core calls it in the
    middle of its own work, so an observer that fails (a closed stdout, text it cannot
    encode, a bug) is logged, once per observer and kind of error, and the others still run.
    """

    def __init__(self):
        self._callbacks: list[Callable[["Record"], None]] = []
        self._failures: set[tuple[int, type]] = set()

    def add(self, callback: Callable[["Record"], None]) -> None:
        self._callbacks.append(callback)

    def __bool__(self) -> bool:
        return bool(self._callbacks)

    def __call__(self, record: "Record") -> None:
        for callback in self._callbacks:
            try:
                callback(record)
            except Exception as exc:
                key = (id(callback), type(exc))
                if key not in self._failures:
                    self._failures.add(key)
                    log.error("an observer of the core's records failed on a %s record (further such "
                              "failures are not logged): %s: %s", record.kind, type(exc).__name__, exc)


@dataclass
class Record:
    kind: str = field(init=False, default="")  # each record type sets its own default

    def as_dict(self) -> dict:
        data = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            data[f.name] = payload_value(value) if isinstance(value, bytes) else value
        return data


@dataclass
class Invocation(Record):
    kind: str = field(init=False, default="invocation")
    function: str
    topic: Optional[str]
    payload: bytes
    origin: str
    invocation_id: str
    result: bytes
    error: str  # "", "Handled" or "Unhandled"
    error_type: str
    duration_ms: float


@dataclass
class Publish(Record):
    kind: str = field(init=False, default="publish")
    source: str  # a function name, "events" or "cloud"
    topic: str
    payload: bytes
    targets: list


@dataclass
class NoRoute(Record):
    kind: str = field(init=False, default="no_route")
    source: str
    topic: str
    fix: str  # the [[subscription]] table that would route it


@dataclass
class Refused(Record):
    kind: str = field(init=False, default="refused")
    function: str
    topic: str  # the topic or shadow subject of the refused call
    reason: str  # what the device would say, and the fix


@dataclass
class Dropped(Record):
    kind: str = field(init=False, default="dropped")
    function: str
    topic: Optional[str]
    reason: str
    dropped_total: int


@dataclass
class Worker(Record):
    kind: str = field(init=False, default="worker")
    function: str
    pid: int
    event: str  # started, stopping, stopped, killed, exited, failed, backoff, broken
    reason: str = ""


@dataclass
class Reload(Record):
    kind: str = field(init=False, default="reload")
    function: str
    changed: list  # the source files that changed, relative to the function's folder


@dataclass
class Log(Record):
    kind: str = field(init=False, default="log")
    function: str
    level: str
    message: str


@dataclass
class Export(Record):
    kind: str = field(init=False, default="export")
    stream: str
    export: str  # the export's identifier
    service: str  # kinesis, iotanalytics, iotsitewise, s3 or http
    operation: str  # PutRecords, BatchPutMessage, BatchPutAssetPropertyValue, PutObject, POST
    target: str  # Kinesis stream, channel, bucket/key or URL
    sequence_numbers: list
    request: dict  # the request's parameters, payloads made readable
    sent: bool  # False: recorded only (gglift run without --export)
    error: str = ""
