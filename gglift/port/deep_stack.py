"""Run a function on a thread with a large stack, the same thread for every call.

libcst's parser and visitors recurse once or more per nesting level, so the port runs on a
thread whose stack fits the deepest code CPython's parser accepts. A new thread per file
would map a fresh stack each time and fault in every page the parser touches again, which
costs a fifth of parsing the file: one long-lived thread keeps its pages. Calls from several
threads take turns on it; a forked child (a pool worker) starts its own when it first needs it.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Optional, TypeVar

# Enough for the deepest code CPython's parser accepts (a few thousand levels); the stack is
# reserved address space, of which only the pages the recursion touches are used.
PORT_STACK_BYTES = 256 * 1024 * 1024
PORT_RECURSION_LIMIT = 100_000

T = TypeVar("T")


class _Worker:
    """The long-lived thread and the queue of calls it serves."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.turn = threading.Lock()  # one call at a time owns the recursion limit
        self.usual_limit = sys.getrecursionlimit()  # the calling thread's, during a call
        previous = threading.stack_size(PORT_STACK_BYTES)  # ValueError: the caller falls back
        try:
            self.thread = threading.Thread(target=self._serve, name="gglift-port", daemon=True)
            self.thread.start()  # RuntimeError: no thread to be had (address space limits)
        finally:
            threading.stack_size(previous)

    def _serve(self) -> None:
        while True:
            function, args, outcome, done = self.jobs.get()
            try:
                outcome["value"] = function(*args)
            except BaseException as exc:  # handed to the caller's thread
                outcome["error"] = exc
            done.release()

    def call(self, function: Callable[..., T], args: tuple) -> T:
        outcome: dict = {}
        done = threading.Lock()
        done.acquire()
        with self.turn:
            limit = self.usual_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(limit, PORT_RECURSION_LIMIT))
            try:
                self.jobs.put((function, args, outcome, done))
                done.acquire()
            finally:
                sys.setrecursionlimit(limit)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]


_worker: Optional[_Worker] = None
_starting = threading.Lock()


def _forget_worker() -> None:
    global _worker, _starting
    _worker, _starting = None, threading.Lock()  # the parent's thread does not exist here


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_worker)


def with_deep_stack(function: Callable[..., T], *args) -> T:
    """``function(*args)`` on a thread with a :data:`PORT_STACK_BYTES` stack and a recursion
    limit of :data:`PORT_RECURSION_LIMIT`; its exception, if any, is raised here. Where no
    such thread can be had, on this thread at its usual limit."""
    global _worker
    worker = _worker
    if worker is None:
        with _starting:
            if _worker is None:
                try:
                    _worker = _Worker()
                except (ValueError, RuntimeError):  # a refused stack size, or no thread
                    return function(*args)
            worker = _worker
    if threading.current_thread() is worker.thread:
        return function(*args)  # already on the deep stack
    return worker.call(function, args)


@contextmanager
def usual_recursion_limit() -> Iterator[None]:
    """On the deep-stack thread, the caller's recursion limit for the duration of the block
    (CPython's parser and compiler refuse nesting by it); elsewhere, no change."""
    worker = _worker
    if worker is None or threading.current_thread() is not worker.thread:
        yield
        return
    raised = sys.getrecursionlimit()
    sys.setrecursionlimit(worker.usual_limit)
    try:
        yield
    finally:
        sys.setrecursionlimit(raised)
