"""The stream manager protocol's messages: operation and status codes, and the request shapes
the server reads, checked as the SDKs' own validation rules check them.

Payloads are CBOR maps with camelCase keys (``requestId``, ``streamName``...), enums as their
integer values. Requests are read from those maps into the dataclasses below; responses are
written as plain maps. Definitions are kept in their wire form too (:attr:`StreamDefinition.wire`),
which is what ``describe_message_stream`` gives back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

SUPPORTED_PROTOCOLS = ("1.1.0", "1.0.0")
SERVER_VERSION = "1.1.2"


class Op:
    """Operation codes (the SDK's ``Operation`` enum)."""
    UNKNOWN, CONNECT, CREATE, DELETE, APPEND, READ = 0, 1, 2, 3, 4, 5
    CONNECT_RESPONSE, CREATE_RESPONSE, DELETE_RESPONSE, APPEND_RESPONSE, READ_RESPONSE = 6, 7, 8, 9, 10
    LIST, LIST_RESPONSE, DESCRIBE, DESCRIBE_RESPONSE, UPDATE, UPDATE_RESPONSE = 11, 12, 13, 14, 15, 16
    UNKNOWN_OPERATION_ERROR = 17


class Status:
    """Response status codes (the SDK's ``ResponseStatusCode``); each maps to an SDK exception."""
    SUCCESS, UNKNOWN_FAILURE, UNAUTHORIZED, INVALID_REQUEST, REQUEST_TOO_LARGE = 0, 1, 2, 3, 4
    RESOURCE_NOT_FOUND, SERVER_TIMEOUT, RESPONSE_TOO_LARGE, UNSUPPORTED_CONNECT_VERSION = 5, 6, 7, 8
    UNEXPECTED_OPERATION, UNSUPPORTED_PROTOCOL_VERSION, INVALID_PROTOCOL_VERSION = 9, 10, 11
    FAILED_TO_CONNECT, NOT_ENOUGH_MESSAGES, MESSAGE_STORE_READ_ERROR, OUT_OF_MEMORY = 12, 13, 14, 15
    UPDATE_FAILED, UPDATE_NOT_ALLOWED, UNKNOWN_OPERATION = 16, 17, 18


# Each request's response operation.
RESPONSE_OF = {Op.CREATE: Op.CREATE_RESPONSE, Op.DELETE: Op.DELETE_RESPONSE, Op.APPEND: Op.APPEND_RESPONSE,
               Op.READ: Op.READ_RESPONSE, Op.LIST: Op.LIST_RESPONSE, Op.DESCRIBE: Op.DESCRIBE_RESPONSE,
               Op.UPDATE: Op.UPDATE_RESPONSE}

REJECT_NEW_DATA, OVERWRITE_OLDEST_DATA = 0, 1
FILE, MEMORY = 0, 1
DEFAULT_MAX_SIZE = 256 * 1024 * 1024
DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024

NAME_PATTERN = re.compile(r"[\w ,.\-_]*")
MAX_INT64 = 9223372036854775807


class RequestError(Exception):
    """A request the server answers with ``status`` and this message instead of a result."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def invalid(message: str) -> RequestError:
    return RequestError(Status.INVALID_REQUEST, message)


def check_name(value: Any, what: str) -> str:
    """A stream or export name: 1 to 255 of letters, digits, spaces, ``,.-_``."""
    if not isinstance(value, str) or not 1 <= len(value) <= 255 or not NAME_PATTERN.fullmatch(value):
        raise invalid(f"{what} must be 1 to 255 letters, digits, spaces, commas, periods, hyphens or underscores, "
                      f"got {value!r}")
    return value


def _int(data: dict, key: str, default: Optional[int], low: int, high: int = MAX_INT64) -> Optional[int]:
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(f"{key} must be an integer from {low} to {high}, got {value!r}")
    return value


def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid(f"{key} must be true or false, got {value!r}")
    return value


def _enum(data: dict, key: str, default: Optional[int], choices: tuple[int, ...]) -> int:
    value = data.get(key, default)
    if value not in choices or isinstance(value, bool):
        raise invalid(f"{key} must be one of {', '.join(map(str, choices))}, got {value!r}")
    return value


# Per export kind: its key in ExportDefinition, its largest batch, and the fields it needs.
EXPORT_KINDS = {
    "kinesis": ("kinesis", 500, ("kinesisStreamName",)),
    "iotAnalytics": ("iotAnalytics", 100, ("iotChannel",)),
    "iotSitewise": ("IotSitewise", 10, ()),
    "http": ("http", 500, ("uri",)),
    "s3TaskExecutor": ("s3TaskExecutor", None, ()),
}


@dataclass(frozen=True)
class ExportConfig:
    """One export of a stream: its kind (a key of :data:`EXPORT_KINDS`) and settings."""
    kind: str
    identifier: str
    batch_size: Optional[int]
    batch_interval_millis: Optional[int]
    priority: Optional[int]
    start_sequence_number: int
    disabled: bool
    settings: dict  # the config as sent: target names, status configs...


def _export(kind: str, data: Any) -> ExportConfig:
    _, largest, required = EXPORT_KINDS[kind]
    if not isinstance(data, dict):
        raise invalid(f"each {kind} export must be a map")
    identifier = check_name(data.get("identifier"), f"{kind} export identifier")
    for key in required:
        if not isinstance(data.get(key), str) or not data[key]:
            raise invalid(f"{kind} export {identifier!r} needs {key}")
    batch_size = _int(data, "batchSize", None, 1, largest) if largest else None
    return ExportConfig(
        kind, identifier, batch_size, _int(data, "batchIntervalMillis", None, 60000, 9223372036854),
        _int(data, "priority", None, 1, 10), _int(data, "startSequenceNumber", 0, 0) or 0,
        _flag(data, "disabled"), dict(data))


@dataclass(frozen=True)
class StreamDefinition:
    """A ``MessageStreamDefinition``, checked and with the SDK's defaults filled in."""
    name: str
    max_size: int
    segment_size: int
    ttl_millis: Optional[int]
    strategy_on_full: int
    persistence: int
    flush_on_write: bool
    exports: tuple[ExportConfig, ...] = field(default=())
    wire: dict = field(default_factory=dict, compare=False)

    @classmethod
    def parse(cls, data: Any) -> "StreamDefinition":
        """Read a definition map; :class:`RequestError` (InvalidRequest) says what is wrong."""
        if not isinstance(data, dict):
            raise invalid("definition must be a MessageStreamDefinition")
        name = check_name(data.get("name"), "name")
        exports: list[ExportConfig] = []
        export_map = data.get("exportDefinition") or {}
        if not isinstance(export_map, dict):
            raise invalid("exportDefinition must be an ExportDefinition")
        for kind, (key, _, _) in EXPORT_KINDS.items():
            configs = export_map.get(key) or []
            if not isinstance(configs, list):
                raise invalid(f"exportDefinition.{key} must be a list")
            exports.extend(_export(kind, c) for c in configs)
        seen: set[str] = set()
        for export in exports:
            if export.identifier in seen:
                raise invalid(f"export identifier {export.identifier!r} is used twice in stream {name!r}")
            seen.add(export.identifier)
        definition = cls(
            name=name,
            max_size=_int(data, "maxSize", DEFAULT_MAX_SIZE, 1024),
            segment_size=_int(data, "streamSegmentSize", DEFAULT_SEGMENT_SIZE, 1024, 2147483647),
            ttl_millis=_int(data, "timeToLiveMillis", None, 60000, 9223372036854),
            strategy_on_full=_enum(data, "strategyOnFull", None, (REJECT_NEW_DATA, OVERWRITE_OLDEST_DATA)),
            persistence=_enum(data, "persistence", FILE, (FILE, MEMORY)),
            flush_on_write=_flag(data, "flushOnWrite"),
            exports=tuple(exports),
        )
        wire = dict(data, maxSize=definition.max_size, streamSegmentSize=definition.segment_size,
                    persistence=definition.persistence, flushOnWrite=definition.flush_on_write)
        object.__setattr__(definition, "wire", wire)
        return definition


@dataclass(frozen=True)
class ReadOptions:
    """``ReadMessagesOptions`` with the SDK's defaults: from 0, at least 1, no waiting."""
    start: int = 0
    min_count: int = 1
    max_count: int = 1
    timeout_millis: int = 0

    @classmethod
    def parse(cls, data: Any) -> "ReadOptions":
        data = data or {}
        if not isinstance(data, dict):
            raise invalid("readMessagesOptions must be a ReadMessagesOptions")
        start = _int(data, "desiredStartSequenceNumber", 0, 0) or 0
        low = _int(data, "minMessageCount", 1, 1, 2147483647)
        # No maximum: as many as the minimum asks for (a read never returns an unbounded batch).
        high = _int(data, "maxMessageCount", None, 1, 2147483647) or low
        if low > high:
            raise invalid(f"minMessageCount ({low}) must not exceed maxMessageCount ({high})")
        return cls(start, low, high, _int(data, "readTimeoutMillis", 0, 0, 9223372036854) or 0)


def response(request_id: Optional[str], status: int = Status.SUCCESS, error: Optional[str] = None, **fields) -> dict:
    """A response map: ``requestId``, ``status``, ``errorMessage`` when failing, and ``fields``."""
    data: dict[str, Any] = {"requestId": request_id, "status": status}
    if error is not None:
        data["errorMessage"] = error
    data.update(fields)
    return data
