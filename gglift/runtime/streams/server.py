"""The stream manager server: the SDKs' TCP protocol on 127.0.0.1, over the :mod:`store`.

A client connects (:mod:`connection`) with its worker's ``AWS_CONTAINER_AUTHORIZATION_TOKEN``;
a token the core did not give a worker is answered with an ``Unauthorized`` ConnectResponse and
the connection closed, which the SDK raises as ``ConnectFailedException``. Requests on one
connection are handled in the order they arrive, so one client's appends keep their order; a
read that waits for messages (``read_timeout_millis``) waits on its own, without holding up the
client's other requests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Callable, Optional

from gglift.runtime.streams import framing
from gglift.runtime.transport import close_server
from gglift.runtime.streams.connection import Connection, encode, map_of
from gglift.runtime.streams.messages import (
    Op, RESPONSE_OF, ReadOptions, RequestError, Status, StreamDefinition, check_name, invalid, response,
)
from gglift.runtime.streams.store import Store, Stream, now_ms

log = logging.getLogger("gglift.runtime.streams")

# authenticate(token) -> the client's name (its function), or None to refuse it
Authenticator = Callable[[Optional[str]], Optional[str]]


class StreamServer:
    """Serves stream manager clients on 127.0.0.1; ``port`` once :meth:`start` returned.

    ``exports``: an :class:`~gglift.runtime.streams.exports.Exports` told about every change,
    or None to export nothing. ``clock``: epoch milliseconds (ingest times, time to live).
    """

    def __init__(self, folder: Path, authenticate: Authenticator, exports=None, port: int = 0,
                 clock: Callable[[], int] = now_ms):
        self.store = Store(folder, clock)
        self.authenticate = authenticate
        self.exports = exports
        self.port = port
        self.connections: set[Connection] = set()
        self._server: Optional[asyncio.AbstractServer] = None
        self._waiters: dict[str, set[asyncio.Future]] = {}
        self._unsynced: dict[str, Stream] = {}  # flush_on_write streams appended to this round
        if exports is not None:
            exports.append = self.append

    async def start(self) -> None:
        """Open the streams a previous run left and listen."""
        self.store.open()
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: Connection(self), "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        if self.exports is not None:
            await self.exports.start(self.store)

    async def stop(self) -> None:
        """Stop listening, close clients and stop exporting; everything stored stays on disk."""
        if self._server is not None:
            await close_server(self._server, self.connections)
        if self.exports is not None:
            await self.exports.stop()
        self.store.close()

    def busy(self) -> bool:
        """Exports are sending or have batches due."""
        return self.exports is not None and self.exports.busy()

    # -- requests -------------------------------------------------------------------------
    def answer(self, frame: framing.Frame, connection: Connection) -> Optional[bytes]:
        """The answer to one request of a connected client; None for a read, which answers
        when it has its messages (or times out) in a task of its own."""
        request = map_of(frame.payload)
        request_id = request.get("requestId")
        reply = RESPONSE_OF.get(frame.operation)
        if reply is None:
            return encode(Op.UNKNOWN_OPERATION_ERROR, response(
                request_id, Status.UNKNOWN_OPERATION, f"operation {frame.operation} is not supported"))
        if frame.operation == Op.READ:
            task = asyncio.get_running_loop().create_task(self._read(request, connection))
            connection.tasks.add(task)
            task.add_done_callback(connection.tasks.discard)
            return None
        try:
            return encode(reply, response(request_id, **self._operations[frame.operation](self, request)))
        except RequestError as exc:
            return encode(reply, response(request_id, exc.status, str(exc)))
        except OSError as exc:
            log.error("stream manager: operation %d failed for %s: %s", frame.operation, connection.client, exc)
            return encode(reply, response(request_id, Status.UNKNOWN_FAILURE, f"the store failed: {exc}"))
        except Exception as exc:  # a request nothing above foresaw: the client still gets an answer
            log.exception("stream manager: operation %d failed for %s", frame.operation, connection.client)
            return encode(reply, response(request_id, Status.UNKNOWN_FAILURE, f"the server failed: {exc!r}"))

    def sync(self) -> None:
        """Put the appends of this round to flush_on_write streams on the disk (one fdatasync
        per stream), before their answers are written."""
        for stream in self._unsynced.values():
            stream.sync()
        self._unsynced.clear()

    # -- operations -----------------------------------------------------------------------
    def _create(self, request: dict) -> dict:
        stream = self.store.create(StreamDefinition.parse(request.get("definition")))
        self._changed(stream)
        return {}

    def _update(self, request: dict) -> dict:
        stream = self.store.update(StreamDefinition.parse(request.get("definition")))
        self._changed(stream)
        return {}

    def _delete(self, request: dict) -> dict:
        name = check_name(request.get("name"), "name")
        self.store.delete(name)
        if self.exports is not None:
            self.exports.deleted(name)
        self._wake(name)
        return {}

    def _append(self, request: dict) -> dict:
        name = check_name(request.get("name"), "name")
        payload = request.get("payload")
        if not isinstance(payload, bytes) or not payload:
            raise invalid("payload must be at least one byte")
        stream = self.store.get(name)
        sequence_number = self._stored(stream, payload, sync=False)
        if stream.definition.flush_on_write:
            self._unsynced[stream.name] = stream
        return {"sequenceNumber": sequence_number}

    def append(self, name: str, payload: bytes) -> int:
        """Append to stream ``name`` (on the disk at once with flush_on_write) and wake its
        readers and exporters; the sequence number."""
        return self._stored(self.store.get(name), payload, sync=True)

    def _stored(self, stream: Stream, payload: bytes, sync: bool) -> int:
        sequence_number = stream.append(payload, sync)
        self._wake(stream.name)
        if self.exports is not None:
            self.exports.appended(stream)
        return sequence_number

    def _list(self, request: dict) -> dict:
        return {"streams": sorted(self.store.streams)}

    def _describe(self, request: dict) -> dict:
        stream = self.store.get(check_name(request.get("name"), "name"))
        stream.expire()
        info: dict[str, Any] = {
            "definition": stream.definition.wire,
            "storageStatus": {"oldestSequenceNumber": stream.oldest_sequence_number,
                              "newestSequenceNumber": stream.next_sequence_number - 1,
                              "totalBytes": stream.total_bytes},
            "exportStatuses": self.exports.statuses(stream.name) if self.exports is not None else [],
        }
        return {"messageStreamInfo": info}

    _operations = {Op.CREATE: _create, Op.UPDATE: _update, Op.DELETE: _delete, Op.APPEND: _append,
                   Op.LIST: _list, Op.DESCRIBE: _describe}

    async def _read(self, request: dict, connection: Connection) -> None:
        request_id = request.get("requestId")
        try:
            name = check_name(request.get("streamName"), "streamName")
            options = ReadOptions.parse(request.get("readMessagesOptions"))
            messages = await self.read(name, options)
            connection.send(encode(Op.READ_RESPONSE, response(request_id, messages=[
                {"streamName": name, "sequenceNumber": m.sequence_number, "ingestTime": m.ingest_time,
                 "payload": m.payload} for m in messages])))
        except RequestError as exc:
            connection.send(encode(Op.READ_RESPONSE, response(request_id, exc.status, str(exc))))

    async def read(self, name: str, options: ReadOptions):
        """Messages of ``name`` as ``options`` ask, waiting up to their timeout for enough of them."""
        deadline = time.monotonic() + options.timeout_millis / 1000
        while True:
            stream = self.store.get(name)
            if stream.available_from(options.start) >= options.min_count:
                return stream.read(options.start, options.max_count)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                available = stream.available_from(options.start)
                raise RequestError(Status.NOT_ENOUGH_MESSAGES, (
                    f"{available} message(s) of stream {name} from sequence number {options.start}, "
                    f"fewer than the {options.min_count} asked for"))
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.setdefault(name, set()).add(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except asyncio.TimeoutError:
                pass
            finally:
                self._waiters.get(name, set()).discard(waiter)

    def _wake(self, name: str) -> None:
        for waiter in self._waiters.pop(name, ()):
            if not waiter.done():
                waiter.set_result(None)

    def _changed(self, stream: Stream) -> None:
        self._wake(stream.name)
        if self.exports is not None:
            self.exports.configured(stream)

