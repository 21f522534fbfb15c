"""The contract between a transport (how workers reach the core) and the core itself.

:class:`gglift.runtime.transport.HttpTransport` speaks the device's HTTP IPC; a transport
bridged to another bus only has to call a :class:`Dispatcher` the same way.
"""

from __future__ import annotations

from typing import Optional, Protocol

from gglift.runtime.work import Result, WorkItem


class IpcError(Exception):
    """A refused request: ``status`` is the HTTP status a worker sees, ``message`` the body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Caller(Protocol):
    """An authenticated worker: its function's qualified ARN."""

    arn: str


class Dispatcher(Protocol):
    def authenticate(self, token: Optional[str]) -> Optional[Caller]:
        """The worker holding ``token``, or None (the request is refused with 403)."""

    async def post_work(self, caller: Caller, target: str, payload: bytes, client_context: str,
                        invocation_type: str) -> str:
        """Invoke, publish or call a local service; returns the invocation id. Raises IpcError."""

    async def work_result(self, caller: Caller, target: str, invocation_id: str) -> Result:
        """Wait for the result of a RequestResponse ``post_work``. Raises IpcError."""

    async def next_work(self, caller: Caller, target: str) -> WorkItem:
        """The caller's next work item (a long poll). Raises IpcError."""

    def work_done(self, caller: Caller, target: str, invocation_id: str, result: Result) -> None:
        """The caller's handler finished an item. Raises IpcError."""

    def initialized(self, caller: Caller, target: str, success: bool, response: str) -> None:
        """The caller reports whether its code loaded. Raises IpcError."""
