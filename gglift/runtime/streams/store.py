"""Where streams keep their messages: segment files on disk (File persistence) or in memory.

A stream is a folder holding ``definition.json`` and segment files named by the sequence number
of their first message. Each record is a 24-byte header (payload length, CRC-32 of the rest,
sequence number, ingest time in epoch milliseconds) and the payload. Only the newest segment is
written; it is scanned when a stream is opened, and a record cut short by a crash (which never
was acknowledged) is cut off. Messages are never all held in memory: a stream keeps, per
segment, its bounds, its size and a sparse index (one offset every :data:`INDEX_EVERY` records)
for reads, and a read goes to the file.

Data is dropped a whole segment at a time, as the real stream manager does: the oldest segments
go when an ``OverwriteOldestData`` stream is full and when every message of a segment is older
than ``time_to_live_millis``. With ``flush_on_write`` every append is on the disk
(``fdatasync``) before it is acknowledged; without it, it is in the operating system's hands,
so a crash of the core loses nothing either (only a crash of the machine would).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional
from urllib.parse import quote

from gglift.runtime.streams.messages import (
    FILE, MEMORY, REJECT_NEW_DATA, RequestError, Status, StreamDefinition, invalid,
)
from gglift.storage import write_atomic

HEADER = struct.Struct(">IIqq")  # payload length, crc32(seq, time, payload), sequence number, ingest ms
INDEX_EVERY = 64
SUFFIX = ".seg"
DEFINITION = "definition.json"


class StoreReadError(RequestError):
    """A segment cannot be read back (missing, cut short or corrupted)."""

    def __init__(self, message: str):
        super().__init__(Status.MESSAGE_STORE_READ_ERROR, message)


@dataclass(frozen=True)
class StoredMessage:
    sequence_number: int
    ingest_time: int
    payload: bytes


def encode_record(sequence_number: int, ingest_time: int, payload: bytes) -> bytes:
    """One record's bytes, header and payload."""
    body = struct.pack(">qq", sequence_number, ingest_time) + payload
    return HEADER.pack(len(payload), zlib.crc32(body), sequence_number, ingest_time) + payload


@dataclass
class Segment:
    """A run of consecutive messages ``first .. next - 1`` in one file (or buffer)."""
    first: int
    path: Optional[Path]            # None: a Memory stream's segment, held in ``buffer``
    next: int = 0
    size: int = 0
    newest_time: int = 0            # ingest time of its last message, for time_to_live_millis
    index: Optional[list] = None    # [(sequence number, offset)], every INDEX_EVERY records
    buffer: Optional[bytearray] = None
    fd: Optional[int] = None        # open for appending while this is the stream's newest segment

    @contextmanager
    def reader(self) -> Iterator[Callable[[int, int], bytes]]:
        """A ``pread(offset, length)`` over this segment, for one pass of reads."""
        if self.buffer is not None:
            view = self.buffer
            yield lambda offset, length: bytes(view[offset:offset + length])
            return
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError as exc:
            raise StoreReadError(f"cannot read segment {self.path.name}: {exc.strerror}") from None
        try:
            yield lambda offset, length: os.pread(fd, length, offset)
        finally:
            os.close(fd)

    def scan(self, pread: Callable[[int, int], bytes], offset: int = 0) -> Iterator[tuple[int, int, int, int]]:
        """(offset, sequence number, ingest time, payload length) of each whole record from ``offset``."""
        while offset + HEADER.size <= self.size:
            head = pread(offset, HEADER.size)
            if len(head) < HEADER.size:
                return
            length, _, seq, ingest = HEADER.unpack(head)
            if offset + HEADER.size + length > self.size:
                return
            yield offset, seq, ingest, length
            offset += HEADER.size + length

    def build_index(self, pread: Callable[[int, int], bytes]) -> list:
        if self.index is None:
            self.index = [(seq, off) for n, (off, seq, _, _) in enumerate(self.scan(pread)) if n % INDEX_EVERY == 0]
        return self.index

    def offset_of(self, pread: Callable[[int, int], bytes], sequence_number: int) -> int:
        """The offset of the record ``sequence_number`` (which this segment holds)."""
        start = 0
        for seq, off in self.build_index(pread):
            if seq > sequence_number:
                break
            start = off
        for off, seq, _, _ in self.scan(pread, start):
            if seq == sequence_number:
                return off
        raise StoreReadError(f"segment {self.first} does not hold message {sequence_number}")

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def now_ms() -> int:
    """The wall clock in epoch milliseconds, as ingest times are."""
    return int(time.time() * 1000)


@dataclass
class Stream:
    """One message stream: its definition and segments; appends go to the last segment."""
    definition: StreamDefinition
    folder: Optional[Path]
    segments: list = field(default_factory=list)
    clock: Callable[[], int] = now_ms

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def next_sequence_number(self) -> int:
        return self.segments[-1].next

    @property
    def oldest_sequence_number(self) -> int:
        return self.segments[0].first

    @property
    def total_bytes(self) -> int:
        return sum(s.size for s in self.segments)

    # -- writing ------------------------------------------------------------------------------
    def append(self, payload: bytes, sync: bool = True) -> int:
        """Store ``payload``; returns its sequence number (one more than the previous message's).
        With flush_on_write it is on the disk on return, unless ``sync`` is False: then
        :meth:`sync` must be called before the append is acknowledged."""
        ingest = self.clock()
        self.expire()
        seq = self.next_sequence_number
        record = encode_record(seq, ingest, payload)
        self._make_room(len(record))
        active = self.segments[-1]
        if active.size and active.size + len(record) > self.definition.segment_size:
            active = self._new_segment(seq)
        if active.buffer is not None:
            active.buffer += record
        else:
            written = os.write(active.fd, record)
            if written != len(record):
                raise RequestError(Status.UNKNOWN_FAILURE, f"short write to {active.path} (disk full?)")
            if sync and self.definition.flush_on_write:
                os.fdatasync(active.fd)
        if active.index is not None and (seq - active.first) % INDEX_EVERY == 0:
            active.index.append((seq, active.size))
        active.size += len(record)
        active.next = seq + 1
        active.newest_time = ingest
        return seq

    def sync(self) -> None:
        """Wait until every append so far is on the disk."""
        active = self.segments[-1]
        if active.fd is not None:
            os.fdatasync(active.fd)

    def _make_room(self, needed: int) -> None:
        limit = self.definition.max_size
        if needed > limit:
            raise invalid(f"the message ({needed} bytes stored) is larger than stream {self.name}'s max_size ({limit})")
        if self.total_bytes + needed <= limit:
            return
        if self.definition.strategy_on_full == REJECT_NEW_DATA:
            raise invalid(f"stream {self.name} is full: {self.total_bytes} of its max_size {limit} bytes are used "
                          "and strategy_on_full is RejectNewData")
        while self.total_bytes + needed > limit:
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        oldest = self.segments.pop(0)
        oldest.close()
        if oldest.path is not None:
            oldest.path.unlink(missing_ok=True)
        if not self.segments:  # the stream keeps counting from where it was
            self._new_segment(oldest.next)

    def _new_segment(self, first: int) -> Segment:
        if self.segments:
            if self.definition.flush_on_write:
                self.sync()  # appends not yet synced may be in the segment being closed
            self.segments[-1].close()
        if self.folder is None or self.definition.persistence == MEMORY:
            segment = Segment(first, None, next=first, buffer=bytearray(), index=[])
        else:
            path = self.folder / f"{first:020d}{SUFFIX}"
            segment = Segment(first, path, next=first, index=[])
            segment.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.segments.append(segment)
        return segment

    def expire(self) -> None:
        """Drop the oldest segments whose every message is older than ``time_to_live_millis``."""
        ttl = self.definition.ttl_millis
        if ttl is None:
            return
        oldest_kept = self.clock() - ttl
        while self.segments and self.segments[0].size and self.segments[0].newest_time < oldest_kept:
            self._drop_oldest()

    # -- reading ------------------------------------------------------------------------------
    def read(self, start: int, max_count: int) -> list[StoredMessage]:
        """Up to ``max_count`` messages from ``start`` (or the oldest still kept, if later)."""
        self.expire()
        start = max(start, self.oldest_sequence_number)
        found: list[StoredMessage] = []
        for segment in self.segments:
            if segment.next <= start or segment.size == 0:
                continue
            with segment.reader() as pread:
                offset = segment.offset_of(pread, max(start, segment.first))
                for off, seq, ingest, length in segment.scan(pread, offset):
                    data = pread(off, HEADER.size + length)
                    if len(data) != HEADER.size + length or not _intact(data):
                        raise StoreReadError(f"message {seq} of stream {self.name} is corrupted on disk")
                    found.append(StoredMessage(seq, ingest, data[HEADER.size:]))
                    if len(found) >= max_count:
                        return found
        return found

    def available_from(self, start: int) -> int:
        """How many messages a read from ``start`` would find now."""
        self.expire()
        return max(0, self.next_sequence_number - max(start, self.oldest_sequence_number))

    # -- lifecycle ----------------------------------------------------------------------------
    def close(self) -> None:
        for segment in self.segments:
            segment.close()

    def remove(self) -> None:
        self.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


class Store:
    """Every stream of a core, File streams kept under ``folder`` (``<state_dir>/streams``).
    ``clock``: epoch milliseconds, for ingest times and time to live."""

    def __init__(self, folder: Path, clock: Callable[[], int] = now_ms):
        self.folder = Path(folder)
        self.clock = clock
        self.streams: dict[str, Stream] = {}

    def open(self) -> None:
        """Load the File streams a previous run left, each ready to append after its last whole message."""
        if not self.folder.is_dir():
            return
        for sub in sorted(self.folder.iterdir()):
            if sub.is_dir() and (sub / DEFINITION).is_file():
                stream = _reopen(sub, self.clock)
                self.streams[stream.name] = stream

    def create(self, definition: StreamDefinition) -> Stream:
        if definition.name in self.streams:
            raise invalid(f"a stream named {definition.name} already exists")
        folder = None
        if definition.persistence == FILE:
            folder = self.folder / ("stream-" + quote(definition.name, safe=""))
            folder.mkdir(parents=True, exist_ok=True)
            for leftover in folder.glob("*" + SUFFIX):
                leftover.unlink()
            _save_definition(folder, definition)
        stream = Stream(definition, folder, clock=self.clock)
        stream._new_segment(0)
        self.streams[definition.name] = stream
        return stream

    def update(self, definition: StreamDefinition) -> Stream:
        stream = self.get(definition.name)
        if definition.persistence != stream.definition.persistence:
            raise RequestError(Status.UPDATE_NOT_ALLOWED, f"the persistence of stream {definition.name} cannot be changed")
        if stream.folder is not None:
            _save_definition(stream.folder, definition)
        stream.definition = definition
        if stream.total_bytes > definition.max_size and definition.strategy_on_full != REJECT_NEW_DATA:
            stream._make_room(0)
        stream.expire()
        return stream

    def get(self, name: str) -> Stream:
        stream = self.streams.get(name)
        if stream is None:
            raise RequestError(Status.RESOURCE_NOT_FOUND, f"stream {name} does not exist")
        return stream

    def delete(self, name: str) -> None:
        self.get(name).remove()
        del self.streams[name]

    def close(self) -> None:
        for stream in self.streams.values():
            stream.close()


def _save_definition(folder: Path, definition: StreamDefinition) -> None:
    write_atomic(folder / DEFINITION, json.dumps(definition.wire, sort_keys=True).encode())


def _reopen(folder: Path, clock: Callable[[], int]) -> Stream:
    definition = StreamDefinition.parse(json.loads((folder / DEFINITION).read_text(encoding="utf-8")))
    stream = Stream(definition, folder, clock=clock)
    files = sorted(folder.glob("*" + SUFFIX))
    for n, path in enumerate(files):
        first = int(path.name[: -len(SUFFIX)])
        info = path.stat()
        segment = Segment(first, path, next=first, size=info.st_size, newest_time=int(info.st_mtime * 1000))
        if n + 1 < len(files):
            segment.next = int(files[n + 1].name[: -len(SUFFIX)])
        stream.segments.append(segment)
    if not stream.segments:
        stream._new_segment(0)
        return stream
    active = stream.segments[-1]
    end, active.index = 0, []
    with active.reader() as pread:
        for n, (off, seq, ingest, length) in enumerate(active.scan(pread)):
            data = pread(off, HEADER.size + length)
            if not _intact(data):
                break  # torn by a crash: never acknowledged
            if n % INDEX_EVERY == 0:
                active.index.append((seq, off))
            end, active.next, active.newest_time = off + HEADER.size + length, seq + 1, ingest
    if end != active.size:
        os.truncate(active.path, end)
    active.size = end
    active.fd = os.open(active.path, os.O_WRONLY | os.O_APPEND)
    return stream


def _intact(record: bytes) -> bool:
    """Whether a record's CRC-32 (header bytes 4..8) matches the rest of it."""
    return int.from_bytes(record[4:8], "big") == zlib.crc32(record[8:])
