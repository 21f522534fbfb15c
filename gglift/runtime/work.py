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
    try:
        context = json.loads(base64.b64decode(encoded, validate=True) or b"{}")
    except ValueError:  # binascii.Error and JSON errors alike
        raise ValueError("X-Amz-Client-Context must be base64-encoded JSON") from None
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
        return (self.context.get("custom") or {}).get("subject")

    def finish(self, result: Result) -> None:
        if self.future is not None and not self.future.done():
            self.future.set_result(result)
