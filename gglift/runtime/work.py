"""Work items and their results: what flows between callers, the router and workers."""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import os
from dataclasses import dataclass, field
from typing import Optional

REQUEST_RESPONSE = "RequestResponse"
EVENT = "Event"
HANDLED = "Handled"
UNHANDLED = "Unhandled"
# Longest X-Amz-Client-Context accepted (base64 text). A worker reads at most 64 KB of
# response headers, and the header travels to it with the item; AWS Lambda allows 3583 bytes.
MAX_CONTEXT = 32768


def new_invocation_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` gives, at a third of its cost."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


# The RFC 4122 variant: the top two bits of the 9th byte are 10.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def encode_context(context: dict) -> str:
    """The ``X-Amz-Client-Context`` header for a client context document (base64 JSON; ``""`` if empty)."""
    return base64.b64encode(json.dumps(context).encode()).decode() if context else ""


@functools.lru_cache(maxsize=256)
def decode_context(encoded: str) -> dict:
    """The client context document of an ``X-Amz-Client-Context`` header; ValueError if it is not one.

    Cached: a function publishing in a loop sends the same header each time. Callers must not
    change the dict they get.
    """
    if not encoded:
        return {}
    if len(encoded) > MAX_CONTEXT:
        raise ValueError(f"X-Amz-Client-Context is {len(encoded)} bytes, over the limit of {MAX_CONTEXT}")
    try:
        # UTF-8 only: json.loads would also take UTF-16 and UTF-32 bytes, which workers cannot read.
        context = json.loads(base64.b64decode(encoded, validate=True).decode("utf-8") or "{}")
    except ValueError:  # binascii.Error, UnicodeDecodeError and JSON errors alike
        raise ValueError("X-Amz-Client-Context must be base64-encoded UTF-8 JSON") from None
    except RecursionError:
        raise ValueError("X-Amz-Client-Context is nested too deeply") from None
    if not isinstance(context, dict):
        raise ValueError("X-Amz-Client-Context must encode a JSON object")
    return context


@dataclass
class Result:
    """A finished invocation: ``error`` is ``""``, ``Handled`` or ``Unhandled``."""

    payload: bytes
    error: str = ""

    @classmethod
    def unhandled(cls, message: str, error_type: str) -> "Result":
        body = json.dumps({"errorMessage": message, "errorType": error_type}).encode()
        return cls(body, UNHANDLED)

    @property
    def error_type(self) -> str:
        """The ``errorType`` of an error body, else the error kind itself."""
        try:
            return json.loads(self.payload).get("errorType") or self.error
        except (ValueError, AttributeError):
            return self.error


@dataclass
class WorkItem:
    """One invocation on its way to a worker.

    ``context`` is the client context document (``{"custom": {"subject": ..., ...}}``);
    ``origin`` says who sent it for reports: ``events``, ``cloud``, ``invoke`` or a function name.
    ``encoded_context``: ``context`` already encoded for the header, when the sender has it.
    """

    function: str
    payload: bytes
    context: dict
    invocation_type: str = EVENT
    origin: str = "invoke"
    invocation_id: str = field(default_factory=new_invocation_id)
    started: Optional[float] = None
    future: Optional[asyncio.Future] = None
    encoded_context: Optional[str] = None

    @property
    def context_header(self) -> str:
        """``context`` as the worker's ``X-Amz-Client-Context`` header."""
        if self.encoded_context is None:
            self.encoded_context = encode_context(self.context)
        return self.encoded_context

    @property
    def subject(self) -> Optional[str]:
        """The topic the item arrived on; None when it has none (or ``custom`` is not an object)."""
        custom = self.context.get("custom")
        subject = custom.get("subject") if isinstance(custom, dict) else None
        return subject if isinstance(subject, str) else None

    def finish(self, result: Result) -> None:
        if self.future is not None and not self.future.done():
            self.future.set_result(result)


RESULT_RETENTION = 60.0  # seconds a RequestResponse result waits to be fetched once ready
RESULT_BYTES = 64 << 20  # most bytes of ready, unfetched results kept; past it the oldest go


class Results:
    """Results of RequestResponse calls, each waiting to be fetched by the function that asked.

    A ready result nobody fetches is dropped after ``retention`` seconds, or sooner when the
    ready results passed ``max_bytes`` (oldest first); fetching it then gets 404 like an
    unknown invocation id. Another function asking for it gets the same 404.
    """

    def __init__(self, retention: float = RESULT_RETENTION, max_bytes: int = RESULT_BYTES):
        self.retention, self.max_bytes = retention, max_bytes
        self._waiting: dict[str, tuple[str, asyncio.Future]] = {}  # invocation id -> (owner, future)
        self._ready: dict[str, int] = {}  # ready and unfetched, oldest first: invocation id -> size
        self._ready_bytes = 0

    def __len__(self) -> int:
        return len(self._waiting)

    def expect(self, invocation_id: str, owner: str) -> asyncio.Future:
        """A future for ``invocation_id``'s result, which only ``owner`` may fetch."""
        future = asyncio.get_running_loop().create_future()
        self._waiting[invocation_id] = (owner, future)
        future.add_done_callback(lambda done: self._became_ready(invocation_id, done))
        return future

    def ready(self, invocation_id: str, owner: str, result: Result) -> None:
        """Keep a result that is ready at once (a local service's answer)."""
        self.expect(invocation_id, owner).set_result(result)

    def find(self, invocation_id: str, owner: str) -> Optional[asyncio.Future]:
        """The future of ``invocation_id`` if ``owner`` asked for it, else None."""
        entry = self._waiting.get(invocation_id)
        return entry[1] if entry is not None and entry[0] == owner else None

    def discard(self, invocation_id: str) -> None:
        """Forget ``invocation_id`` (fetched, or never queued)."""
        if self._waiting.pop(invocation_id, None) is not None:
            self._ready_bytes -= self._ready.pop(invocation_id, 0)

    def _became_ready(self, invocation_id: str, future: asyncio.Future) -> None:
        entry = self._waiting.get(invocation_id)
        if entry is None or entry[1] is not future or future.cancelled():
            return
        size = len(future.result().payload)
        self._ready[invocation_id] = size
        self._ready_bytes += size
        while self._ready_bytes > self.max_bytes and self._ready:
            self.discard(next(iter(self._ready)))
        asyncio.get_running_loop().call_later(self.retention, self._expire, invocation_id, future)

    def _expire(self, invocation_id: str, future: asyncio.Future) -> None:
        entry = self._waiting.get(invocation_id)
        if entry is not None and entry[1] is future:
            self.discard(invocation_id)
