"""Exporting streams as the stream manager component does: one exporter per export of a stream,
sending batches in sequence order from ``start_sequence_number`` (or where the last run
stopped), each batch once ``batch_size`` messages wait or the oldest has waited
``batch_interval_millis`` (without an interval, as soon as there are messages).

By default nothing is sent: each request is reported (an ``export`` record for the log and
``--record``) and counted as exported. With ``send=True`` (``gglift run --export``) requests go
to AWS; a failed batch is retried with growing pauses, and the error is in the stream's export
status (``describe_message_stream``) until a retry succeeds. Progress is kept in the stream's
folder, so a restarted core carries on where it stopped. S3 export tasks report each upload on
their status stream as ``StatusMessage`` JSON, as the SDK's examples read it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Callable, Optional

from gglift.runtime import records
from gglift.runtime.streams import destinations
from gglift.runtime.streams.messages import EXPORT_KINDS, ExportConfig, RequestError
from gglift.runtime.streams.store import Store, Stream, now_ms
from gglift.storage import write_atomic

log = logging.getLogger("gglift.runtime.streams")

PROGRESS = "exports.json"
DEFAULT_BATCH = {kind: largest for kind, (_, largest, _) in EXPORT_KINDS.items()}
DEFAULT_BATCH["s3TaskExecutor"] = 1
RETRY_FIRST, RETRY_MOST = 1.0, 60.0
# StatusMessage values (the SDK's Status, StatusLevel and EventType enums)
SUCCESS, FAILURE, IN_PROGRESS = 0, 1, 2
LEVEL_ERROR, LEVEL_INFO = 0, 2
EVENT_S3_TASK = 0


@dataclass
class ExportStatus:
    """One export's progress, as ``MessageStreamInfo.exportStatuses`` shows it."""
    identifier: str
    last_exported: int = -1
    last_export_time: int = 0
    error: Optional[str] = None
    exported_bytes: int = 0
    exported_messages: int = 0

    def as_wire(self) -> dict:
        data = {"exportConfigIdentifier": self.identifier, "lastExportedSequenceNumber": self.last_exported,
                "lastExportTime": self.last_export_time, "exportedBytesFromStream": self.exported_bytes,
                "exportedMessagesCount": self.exported_messages}
        if self.error:
            data["errorMessage"] = self.error
        return data


class Exports:
    """Runs the exporters of every stream.

    ``emit``: receives an :class:`~gglift.runtime.records.Export` per request. ``send``: call
    AWS (True) or only report (False). ``region``: when the AWS chain names none.
    ``append(stream, payload)``: how S3 tasks write their status stream (the server's append,
    which wakes its readers).
    """

    def __init__(self, emit: Callable[[records.Record], None], send: bool = False, region: str = "us-east-1"):
        self.emit = emit
        self.sender = destinations.Sender(region) if send else None
        self.append: Callable[[str, bytes], int] = lambda stream, payload: -1
        self._store: Optional[Store] = None
        self._exporters: dict[str, dict[str, "Exporter"]] = {}

    async def start(self, store: Store) -> None:
        self._store = store
        for stream in store.streams.values():
            self.configured(stream)

    async def stop(self) -> None:
        for name in list(self._exporters):
            self.deleted(name)

    def configured(self, stream: Stream) -> None:
        """``stream`` was created or its definition changed: start, keep or stop exporters to match."""
        running = self._exporters.setdefault(stream.name, {})
        saved = _load_progress(stream)
        saved.update({i: e.status.last_exported for i, e in running.items()})  # Memory streams keep theirs too
        wanted = {c.identifier: c for c in stream.definition.exports if not c.disabled}
        for identifier in list(running):
            if identifier not in wanted or running[identifier].config != wanted[identifier]:
                running.pop(identifier).stop()
        for identifier, config in wanted.items():
            if identifier not in running:
                status = ExportStatus(identifier, saved.get(identifier, config.start_sequence_number - 1))
                running[identifier] = Exporter(self, stream.name, config, status)

    def deleted(self, name: str) -> None:
        for exporter in self._exporters.pop(name, {}).values():
            exporter.stop()

    def appended(self, stream: Stream) -> None:
        for exporter in self._exporters.get(stream.name, {}).values():
            exporter.wake()

    def busy(self) -> bool:
        """Some export is sending or has a batch due."""
        return any(e.busy() for running in self._exporters.values() for e in running.values())

    def statuses(self, name: str) -> list[dict]:
        return [e.status.as_wire() for e in self._exporters.get(name, {}).values()]

    def stream(self, name: str) -> Optional[Stream]:
        return self._store.streams.get(name) if self._store else None

    def save_progress(self, name: str) -> None:
        stream = self.stream(name)
        if stream is None or stream.folder is None:
            return
        done = {i: e.status.last_exported for i, e in self._exporters.get(name, {}).items()}
        write_atomic(stream.folder / PROGRESS, json.dumps(done, sort_keys=True).encode())


def _load_progress(stream: Stream) -> dict:
    if stream.folder is None or not (stream.folder / PROGRESS).is_file():
        return {}
    try:
        return json.loads((stream.folder / PROGRESS).read_text(encoding="utf-8"))
    except ValueError:
        return {}


class Exporter:
    """Exports one stream through one export configuration, in a task of its own."""

    def __init__(self, exports: Exports, stream: str, config: ExportConfig, status: ExportStatus):
        self.exports, self.stream_name, self.config, self.status = exports, stream, config, status
        self.batch_size = config.batch_size or DEFAULT_BATCH[config.kind]
        self._appended = asyncio.Event()
        self._busy = False  # sending a batch, or holding one that is due (not pausing after a failure)
        self._stalled = False  # a damaged segment stopped the export until the next append
        self._task = asyncio.get_running_loop().create_task(self._run())

    def wake(self) -> None:
        self._appended.set()

    def stop(self) -> None:
        self._task.cancel()

    def busy(self) -> bool:
        """Sending, or a batch is due: the core is not idle yet."""
        stream = self.exports.stream(self.stream_name)
        return self._busy or (not self._stalled and stream is not None and self._due(stream))

    async def _run(self) -> None:
        pause = RETRY_FIRST
        while True:
            stream = self.exports.stream(self.stream_name)
            if stream is None:
                return
            batch = await self._next_batch(stream)
            if not batch:
                continue
            self._busy = True
            try:
                await self._export(batch)
                pause = RETRY_FIRST
            except destinations.ExportError as exc:
                self.status.error = str(exc)
                self.status.last_export_time = now_ms()
                log.warning("export %s of stream %s: %s; retrying in %.0f s", self.config.identifier,
                            self.stream_name, exc, pause)
                self._busy = False
                await asyncio.sleep(pause)
                pause = min(pause * 2, RETRY_MOST)
            finally:
                self._busy = False

    def _due(self, stream: Stream) -> bool:
        waiting = stream.available_from(self.status.last_exported + 1)
        return waiting >= self.batch_size or (waiting > 0 and self.config.batch_interval_millis is None)

    async def _next_batch(self, stream: Stream) -> list:
        """The next batch once it is due; [] after waiting (the caller looks again)."""
        start = self.status.last_exported + 1
        waiting = stream.available_from(start)
        interval = self.config.batch_interval_millis
        if self._due(stream):
            self._busy = True
            return await self._read(stream, start)
        if waiting:
            oldest = await self._read(stream, start, 1)  # its ingest time says when the batch is due
            if not oldest:
                return []
            due = (oldest[0].ingest_time + interval - now_ms()) / 1000
            if due <= 0:
                return await self._read(stream, start)
            await self._wait(due)
            return []
        await self._wait(None)
        return []

    async def _read(self, stream: Stream, start: int, count: Optional[int] = None) -> list:
        """Messages from ``start``; [] after a damaged segment is reported and the next append
        comes (looking again at once would keep the event loop from everything else)."""
        try:
            messages = stream.read(start, count or self.batch_size)
        except RequestError as exc:
            self.status.error = str(exc)
            self._busy, self._stalled = False, True
            await self._wait(None)
            return []
        self._stalled = False
        return messages

    async def _wait(self, seconds: Optional[float]) -> None:
        self._appended.clear()
        try:
            await asyncio.wait_for(self._appended.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    async def _export(self, batch: list) -> None:
        requests, skipped = destinations.requests_for(self.config, self.stream_name, batch)
        failed: set[int] = set()
        errors = [skip.reason for skip in skipped]
        for skip in skipped:
            await self._task_status(skip.sequence_number, None, FAILURE, skip.reason)
        for request in requests:
            refused, error = await self._send(request)
            failed.update(refused)
            if error:
                errors.append(error)
        if failed:  # only what the service refused goes again, from the first refused message
            self._advance([m for m in batch if m.sequence_number < min(failed)])
            raise destinations.ExportError(f"{len(failed)} message(s) refused by the service")
        self.status.error = errors[-1] if errors else None
        self._advance(batch)

    async def _send(self, request: destinations.Request) -> tuple[list[int], str]:
        """Send (or only report) ``request``: the messages refused, and the error that cannot
        be helped by sending again (the message is then counted as done); raises ExportError
        for a failure worth retrying."""
        sender = self.exports.sender
        task = request.extra.get("task")
        seq = request.sequence_numbers[0]
        if task is not None:
            await self._task_status(seq, task, IN_PROGRESS, f"uploading {request.source}")
        try:
            if request.source is not None and not request.source.is_file():
                raise destinations.ExportError(f"the file to upload, {request.source}, does not exist", retry=False)
            refused = [] if sender is None else await asyncio.to_thread(sender.send, request)
        except destinations.ExportError as exc:
            self._report(request, str(exc))
            if task is None and exc.retry:
                raise
            await self._task_status(seq, task, FAILURE, str(exc))
            return [], str(exc)
        self._report(request, "")
        if task is not None:
            await self._task_status(seq, task, SUCCESS, f"uploaded {request.source} to s3://{request.target}")
        return refused, ""

    def _report(self, request: destinations.Request, error: str) -> None:
        self.exports.emit(records.Export(
            self.stream_name, self.config.identifier, request.service, request.operation, request.target,
            list(request.sequence_numbers), _printable(request.params), self.exports.sender is not None, error))

    async def _task_status(self, seq: int, task: Optional[dict], status: int, message: str) -> None:
        """Append a StatusMessage to the S3 export's status stream, if it names one."""
        config = self.config.settings.get("statusConfig") or {}
        name = config.get("statusStreamName")
        level = LEVEL_ERROR if status == FAILURE else LEVEL_INFO
        if self.config.kind != "s3TaskExecutor" or not name or level > config.get("statusLevel", LEVEL_INFO):
            return
        context = {"exportIdentifier": self.config.identifier, "streamName": self.stream_name, "sequenceNumber": seq}
        if task is not None:
            context["s3ExportTaskDefinition"] = task
        body = {"eventType": EVENT_S3_TASK, "statusLevel": level, "status": status, "statusContext": context,
                "message": message, "timestampEpochMs": now_ms()}
        try:
            self.exports.append(name, json.dumps(body).encode())
        except RequestError as exc:
            log.warning("export %s cannot write its status stream %s: %s", self.config.identifier, name, exc)

    def _advance(self, messages: list) -> None:
        if not messages:
            return
        self.status.last_exported = messages[-1].sequence_number
        self.status.last_export_time = now_ms()
        self.status.exported_messages += len(messages)
        self.status.exported_bytes += sum(len(m.payload) for m in messages)
        self.exports.save_progress(self.stream_name)


def _printable(value):
    """``value`` with bytes made readable, for records and logs."""
    if isinstance(value, bytes):
        return records.payload_value(value)
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value
