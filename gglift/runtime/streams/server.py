"""The stream manager server: the SDKs' TCP protocol on 127.0.0.1, over the :mod:`store`.

A client connects with its worker's ``AWS_CONTAINER_AUTHORIZATION_TOKEN``; a token the core did
not give a worker is answered with an ``Unauthorized`` ConnectResponse and the connection closed,
which the SDK raises as ``ConnectFailedException``. Requests on one connection are handled in the
order they arrive, so one client's appends keep their order; a read that waits for messages
(``read_timeout_millis``) waits on its own, without holding up the client's other requests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Callable, Optional

import cbor2

from gglift.runtime.streams import framing
from gglift.runtime.streams.messages import (
    Op, PROTOCOL_VERSION, RESPONSE_OF, SERVER_VERSION, SUPPORTED_PROTOCOLS, ReadOptions, RequestError, Status,
    StreamDefinition, check_name, invalid, response,
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
        self._server: Optional[asyncio.AbstractServer] = None
        self._waiters: dict[str, set[asyncio.Future]] = {}
        self._connections: set[asyncio.StreamWriter] = set()
        if exports is not None:
            exports.append = self.append

    async def start(self) -> None:
        """Open the streams a previous run left and listen."""
        self.store.open()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        if self.exports is not None:
            await self.exports.start(self.store)

    async def stop(self) -> None:
        """Stop listening, close clients and stop exporting; everything stored stays on disk."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._connections):
                writer.close()
            await self._server.wait_closed()
        if self.exports is not None:
            await self.exports.stop()
        self.store.close()

    def busy(self) -> bool:
        """Exports are sending or have batches due."""
        return self.exports is not None and self.exports.busy()

    # -- connections ----------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        tasks: set[asyncio.Task] = set()
        try:
            client = await self._connect(reader, writer)
            while client is not None:
                frame = await framing.read_frame(reader)
                task = self._handle(frame, writer, client)
                if task is not None:
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except (framing.FrameError, ValueError, cbor2.CBORDecodeError) as exc:
            log.warning("stream manager client sent a malformed frame: %s; connection closed", exc)
        finally:
            for task in tasks:
                task.cancel()
            self._connections.discard(writer)
            writer.close()

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> Optional[str]:
        """The connect handshake; the client's name, or None once it was refused."""
        version = (await reader.readexactly(1))[0]
        writer.write(bytes((framing.CONNECT_VERSION,)))
        frame = await framing.read_frame(reader)
        request = _decode(frame.payload)
        request_id = request.get("requestId")
        status, error, client = Status.SUCCESS, None, None
        theirs = [request.get("protocolVersion"), *(request.get("otherSupportedProtocolVersions") or [])]
        protocol = next((v for v in theirs if v in SUPPORTED_PROTOCOLS), None)
        if version != framing.CONNECT_VERSION:
            status, error = Status.UNSUPPORTED_CONNECT_VERSION, f"connect version {version} is not supported"
        elif frame.operation != Op.CONNECT:
            status, error = Status.UNEXPECTED_OPERATION, "the first request must be Connect"
        elif protocol is None:
            status, error = Status.UNSUPPORTED_PROTOCOL_VERSION, (
                f"protocol versions {theirs} are not supported (supported: {', '.join(SUPPORTED_PROTOCOLS)})")
        else:
            client = self.authenticate(request.get("authToken"))
            if client is None:
                status, error = Status.UNAUTHORIZED, "invalid auth token"
        if client is None:
            log.warning("stream manager refused a client: %s", error)
            _send(writer, Op.CONNECT_RESPONSE, response(request_id, status, error))
            await writer.drain()
            return None
        _send(writer, Op.CONNECT_RESPONSE, response(
            request_id, protocolVersion=protocol, supportedProtocolVersions=list(SUPPORTED_PROTOCOLS),
            serverVersion=SERVER_VERSION, clientIdentifier=client))
        return client

    def _handle(self, frame: framing.Frame, writer: asyncio.StreamWriter, client: str) -> Optional[asyncio.Task]:
        """Answer one request; a read that may wait runs as a task, which is returned."""
        request = _decode(frame.payload)
        request_id = request.get("requestId")
        reply = RESPONSE_OF.get(frame.operation)
        if reply is None:
            _send(writer, Op.UNKNOWN_OPERATION_ERROR, response(
                request_id, Status.UNKNOWN_OPERATION, f"operation {frame.operation} is not supported"))
            return None
        if frame.operation == Op.READ:
            return asyncio.get_running_loop().create_task(self._read(request, writer))
        try:
            fields = self._operations[frame.operation](self, request)
            _send(writer, reply, response(request_id, **fields))
        except RequestError as exc:
            _send(writer, reply, response(request_id, exc.status, str(exc)))
        except OSError as exc:
            log.error("stream manager: %s failed for %s: %s", frame.operation, client, exc)
            _send(writer, reply, response(request_id, Status.UNKNOWN_FAILURE, f"the store failed: {exc}"))
        return None

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
        return {"sequenceNumber": self.append(name, payload)}

    def append(self, name: str, payload: bytes) -> int:
        """Append to stream ``name`` and wake its readers and exporters; the sequence number."""
        stream = self.store.get(name)
        sequence_number = stream.append(payload)
        self._wake(name)
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

    async def _read(self, request: dict, writer: asyncio.StreamWriter) -> None:
        request_id = request.get("requestId")
        try:
            name = check_name(request.get("streamName"), "streamName")
            options = ReadOptions.parse(request.get("readMessagesOptions"))
            messages = await self.read(name, options)
            _send(writer, Op.READ_RESPONSE, response(request_id, messages=[
                {"streamName": name, "sequenceNumber": m.sequence_number, "ingestTime": m.ingest_time,
                 "payload": m.payload} for m in messages]))
        except RequestError as exc:
            _send(writer, Op.READ_RESPONSE, response(request_id, exc.status, str(exc)))
        except ConnectionError:
            pass

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


def _decode(payload: bytes) -> dict:
    data = cbor2.loads(payload) if payload else {}
    if not isinstance(data, dict):
        raise ValueError("a request must be a CBOR map")
    return data


def _send(writer: asyncio.StreamWriter, operation: int, data: dict) -> None:
    if not writer.is_closing():
        writer.write(framing.encode(operation, cbor2.dumps(data)))
