"""The workers of one function and its queue: the lifecycle rules of Greengrass's Lambda manager.

- pinned: one worker, started with the core, work items run one at a time, module state kept;
  a worker killed (timeout, memory) or crashed is replaced at once.
- on-demand: a worker is started when an item waits and none is idle, up to
  ``maxInstancesCount``; an idle worker is reused, and stopped after ``maxIdleTimeInSeconds``.
- ``maxQueueSize``: items waiting for a worker (not those running). Past it a new item is
  dropped, counted in ``stats.dropped`` and reported; a RequestResponse caller gets an error.
- ``timeoutInSeconds``: the item is answered ``Unhandled`` and its worker killed.
- ``statusTimeoutInSeconds``: a worker must load its code and ask for work within it, else it
  is killed and waiting items are answered ``Unhandled``.
- the memory limit: a worker whose resident memory (with its process group's) passes it is
  killed; its item is answered ``Unhandled``.
- restarts: a worker that fails (it crashes, its code cannot load, it misses
  ``statusTimeoutInSeconds``) is replaced after :data:`RESTART_DELAYS` (1, 2, 4 s: exponential
  backoff), counted from consecutive failures; an item finished resets the count. The failure
  after the last delay marks the function broken (:data:`BROKEN_AFTER`, as Greengrass retries
  a component three times before it is ``BROKEN``): its queued and new items are answered
  ``Unhandled`` (``FunctionBroken``) with the reason, and no worker is started again. A worker
  killed for its item (timeout, memory) is replaced at once: the next item may well succeed.
- reload (``gglift run --watch``): idle and starting workers are stopped and replaced, a busy
  one after its item; queued items wait for the new workers; a broken function starts again.
- debugging (``--debug-port``): one worker at a time (it holds the port), with no
  ``statusTimeoutInSeconds``, ``timeoutInSeconds`` or memory limit: a paused debugger waits.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import time
from dataclasses import dataclass
from typing import Callable, Optional

from gglift.config import Function
from gglift.runtime import records
from gglift.runtime.dispatch import IpcError
from gglift.runtime.launch import LaunchError
from gglift.runtime.process import WorkerProcess
from gglift.runtime.work import Result, WorkItem

STARTING, IDLE, BUSY, DONE, STOPPING = "starting", "idle", "busy", "done", "stopping"
RESTART_DELAYS = (1.0, 2.0, 4.0)  # seconds before the restart after the 1st, 2nd, 3rd consecutive failure
BROKEN_AFTER = len(RESTART_DELAYS) + 1  # consecutive failures that mark a function broken


@dataclass
class PoolStats:
    started: int = 0  # workers started
    timeouts: int = 0  # workers killed for timeoutInSeconds
    memory_kills: int = 0  # workers killed for their memory limit
    status_kills: int = 0  # workers killed for statusTimeoutInSeconds
    crashes: int = 0  # workers that exited on their own while busy or before ready
    dropped: int = 0  # items refused because the queue was full
    idle_stops: int = 0  # on-demand workers stopped after maxIdleTimeInSeconds
    peak_busy: int = 0  # most workers busy at once
    completed: int = 0
    failures: int = 0  # consecutive worker failures (reset when an item finishes)


class Worker:
    """A worker process and its place in the pool."""

    def __init__(self, pool: "FunctionPool", token: str):
        self.pool = pool
        self.token = token
        self.arn = pool.arn
        self.state = STARTING
        self.item: Optional[WorkItem] = None
        self.poll: Optional[asyncio.Future] = None
        self.process: Optional[WorkerProcess] = None
        self.kill_reason: Optional[tuple[str, str]] = None  # (message, errorType)
        self.stale = False  # runs code that has changed since: stopped once its item is done
        self.init_error: Optional[str] = None
        self.timers: dict[str, asyncio.TimerHandle] = {}

    @property
    def pid(self) -> int:
        return self.process.pid if self.process else 0

    def cancel_timer(self, name: str) -> None:
        timer = self.timers.pop(name, None)
        if timer:
            timer.cancel()


class FunctionPool:
    """Workers and queue of one function.

    ``spawn(worker)`` returns the started :class:`WorkerProcess`; ``emit`` receives records
    (a :class:`records.Observers`: when it is false, invocation records are not built);
    ``tokens`` is the core's token → worker map used to authenticate IPC requests.
    """

    def __init__(self, fn: Function, arn: str, spawn: Callable[[Worker], WorkerProcess],
                 emit: Callable[[records.Record], None], tokens: dict, time_scale: float = 1.0,
                 debugging: bool = False):
        self.fn = fn
        self.arn = arn
        self._spawn = spawn
        self._emit = emit
        self._tokens = tokens
        self.idle_seconds = fn.maxIdleTimeInSeconds * time_scale
        self.status_seconds = fn.statusTimeoutInSeconds * time_scale
        self.time_scale = time_scale
        self.debugging = debugging
        self.max_instances = 1 if debugging else fn.maxInstancesCount
        self.pending: collections.deque[WorkItem] = collections.deque()
        self.workers: list[Worker] = []
        self.stats = PoolStats()
        self.stopping = False
        self.broken: Optional[str] = None  # why the function is broken, once it is
        self.settled = not fn.pinned  # a pinned function's first worker became ready or failed
        self._restart: Optional[asyncio.TimerHandle] = None  # the backoff before the next start
        self._all_exited = asyncio.Event()
        self._all_exited.set()

    # -- queries -------------------------------------------------------------------------
    @property
    def busy(self) -> int:
        return sum(1 for w in self.workers if w.state == BUSY)

    def live_pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.process and w.process.alive]

    def has_room(self) -> bool:
        return len(self.pending) < self.fn.maxQueueSize

    # -- work in -------------------------------------------------------------------------
    def start(self) -> None:
        if self.fn.pinned:
            self._start_worker()

    def submit(self, item: WorkItem) -> bool:
        """Queue ``item``; False (and counted, reported) when the queue is full or the core stops.
        A broken function answers it at once (``Unhandled``)."""
        if self.broken is not None and not self.stopping:
            self._complete(item, self._broken_result())
            return True
        if self.stopping or not self.has_room():
            self.stats.dropped += 1
            reason = "core stopping" if self.stopping else f"queue full (maxQueueSize={self.fn.maxQueueSize})"
            self._emit(records.Dropped(self.fn.name, item.subject, reason, self.stats.dropped))
            return False
        self.pending.append(item)
        self._dispatch()
        return True

    def _dispatch(self) -> None:
        while self.pending:
            idle = next((w for w in self.workers if w.state == IDLE and w.poll and not w.poll.done()), None)
            if idle is None:
                break
            self._assign(idle, self.pending.popleft())
        if not self.pending or self.stopping or self.broken is not None or self._restart is not None:
            return
        if self.fn.pinned:
            if not self.workers:
                self._start_worker()
            return
        starting = sum(1 for w in self.workers if w.state == STARTING)
        room = self.max_instances - len([w for w in self.workers if w.state != STOPPING])
        for _ in range(min(len(self.pending) - starting, room)):
            self._start_worker()

    def _assign(self, worker: Worker, item: WorkItem) -> None:
        worker.cancel_timer("idle")
        worker.state, worker.item = BUSY, item
        item.started = time.monotonic()
        worker.poll.set_result(item)
        worker.poll = None
        if len(self.workers) > self.stats.peak_busy:  # else the peak cannot grow: skip counting
            self.stats.peak_busy = max(self.stats.peak_busy, self.busy)
        if self.debugging:
            return
        timeout = self.fn.timeoutInSeconds
        worker.timers["timeout"] = asyncio.get_running_loop().call_later(
            timeout, self._kill, worker, f"Task timed out after {timeout:.2f} seconds", "TimeoutError", "timeouts")

    # -- worker lifecycle ----------------------------------------------------------------
    def _start_worker(self) -> None:
        worker = Worker(self, os.urandom(16).hex())  # what secrets.token_hex does, without its imports
        self._tokens[worker.token] = worker
        self.workers.append(worker)
        self._all_exited.clear()
        self.stats.started += 1
        asyncio.get_running_loop().create_task(self._launch(worker))
        if self.debugging:  # it waits for the debugger's client first
            return
        worker.timers["status"] = asyncio.get_running_loop().call_later(
            self.status_seconds, self._kill, worker,
            f"worker did not become ready within {self.status_seconds:g} s (statusTimeoutInSeconds)",
            "StatusTimeout", "status_kills")

    async def _launch(self, worker: Worker) -> None:
        try:
            worker.process = self._spawn(worker)
            await worker.process.start()
        except LaunchError as exc:
            worker.init_error = str(exc)
        except OSError as exc:
            worker.init_error = f"cannot start {worker.process.argv[0]}: {exc.strerror or exc}"
        if worker.init_error:
            self.exited(worker, 127)
            return
        if worker.state == STOPPING:  # the core began stopping while it started
            worker.process.signal(signal.SIGTERM)
        self._emit(records.Worker(self.fn.name, worker.pid, "started"))

    async def next_item(self, worker: Worker) -> WorkItem:
        """A worker's long poll (``GET .../work``): wait for its next item.

        One poll per worker: a second one while the first waits (or while an item runs) is
        refused, so a client holding the worker's token cannot take its work away.
        """
        if worker.state == STOPPING or self.stopping:
            raise IpcError(503, "the core is stopping")
        if worker.state == BUSY or (worker.poll is not None and not worker.poll.done()):
            raise IpcError(409, "this worker already waits for work or runs an item")
        if worker.state == STARTING:
            worker.cancel_timer("status")
            self.settled = True
        worker.state = IDLE
        worker.poll = asyncio.get_running_loop().create_future()
        if not self.fn.pinned and not self.debugging:  # the debugger's client stays attached
            worker.timers["idle"] = asyncio.get_running_loop().call_later(self.idle_seconds, self._stop_idle, worker)
        poll = worker.poll
        self._dispatch()
        try:
            return await poll
        except asyncio.CancelledError:
            raise IpcError(503, "the worker is being stopped") from None

    def finished(self, worker: Worker, invocation_id: str, result: Result) -> bool:
        """A worker posted its result; False if it does not match the item it runs."""
        if worker.item is None or worker.item.invocation_id != invocation_id:
            return False
        worker.cancel_timer("timeout")
        item, worker.item, worker.state = worker.item, None, DONE
        self.stats.failures = 0
        self._complete(item, result)
        if worker.stale:
            self._retire(worker, "source changed")
            self._dispatch()
        return True

    def reload(self) -> None:
        """Replace the workers with ones that load the function's code afresh (see above)."""
        if self.stopping:
            return
        if self._restart is not None:
            self._restart.cancel()
            self._restart = None
        self.broken, self.stats.failures = None, 0
        for worker in list(self.workers):
            if worker.state == BUSY:
                worker.stale = True
            elif worker.state != STOPPING:
                self._retire(worker, "source changed")
        if self.fn.pinned and not self.workers:  # a broken pinned function has none to replace
            self._start_worker()
        self._dispatch()

    def initialized(self, worker: Worker, success: bool, response: str) -> None:
        if not success:
            worker.init_error = response or "the function's module could not be loaded"

    def check_memory(self) -> None:
        """Kill every worker whose resident memory is over the function's limit."""
        limit = self.fn.memory_limit_kb
        if limit is None or self.debugging:
            return
        for worker in list(self.workers):
            if worker.process and worker.process.alive and worker.state != STOPPING:
                rss = worker.process.rss_kb()
                if rss > limit:
                    self._kill(worker, f"worker exceeded its memory limit of {limit} KB (resident {rss} KB)",
                               "MemoryError", "memory_kills")

    def _kill(self, worker: Worker, message: str, error_type: str, counter: str) -> None:
        if worker.kill_reason is not None or not (worker.process and worker.process.alive):
            return
        worker.kill_reason = (message, error_type)
        setattr(self.stats, counter, getattr(self.stats, counter) + 1)
        item, worker.item = worker.item, None
        worker.process.signal(signal.SIGKILL)  # the exit follows; the item is answered now
        self._emit(records.Worker(self.fn.name, worker.pid, "killed", message))
        if item is not None:
            self._complete(item, Result.unhandled(message, error_type))

    def _stop_idle(self, worker: Worker) -> None:
        if worker.state == IDLE and not self.stopping:
            self.stats.idle_stops += 1
            self._retire(worker, "idle for maxIdleTimeInSeconds")

    def _retire(self, worker: Worker, reason: str) -> None:
        worker.state = STOPPING
        if worker.poll and not worker.poll.done():
            worker.poll.cancel()
        if worker.process:  # else _launch signals it once started
            worker.process.signal(signal.SIGTERM)
        self._emit(records.Worker(self.fn.name, worker.pid, "stopping", reason))

    def exited(self, worker: Worker, returncode: int) -> None:
        """The worker's process is gone: answer what it left, replace it if needed.

        The pool's state is settled first (worker removed, restart or broken decided), then
        records are emitted and items answered.
        """
        for name in list(worker.timers):
            worker.cancel_timer(name)
        if worker.poll and not worker.poll.done():  # end its long poll, if the server still holds it
            worker.poll.cancel()
        self._tokens.pop(worker.token, None)
        if worker in self.workers:
            self.workers.remove(worker)
        if not self.workers:
            self._all_exited.set()
        never_ready = worker.state == STARTING
        message, error_type = worker.kill_reason or (f"worker exited with code {returncode}", "WorkerExited")
        answer = []  # (item, result): answered once the pool is consistent
        if worker.item is not None:
            self.stats.crashes += 1
            answer.append((worker.item, Result.unhandled(message, error_type)))
            worker.item = None
        requested = worker.state == STOPPING or (worker.kill_reason is not None and error_type != "StatusTimeout")
        if never_ready and not self.stopping:
            if worker.kill_reason is None:
                self.stats.crashes += 1
            reason = worker.init_error or message
            event = records.Worker(self.fn.name, worker.pid, "failed", reason)
            self.settled = True
            # Every waiting item would fail the same way: answer them rather than keep them waiting.
            answer.extend((item, Result.unhandled(reason, "InitializationError")) for item in self.pending)
            self.pending.clear()
        elif not requested:
            reason = message
            event = records.Worker(self.fn.name, worker.pid, "exited", message)
        else:
            reason = None
            event = records.Worker(self.fn.name, worker.pid, "stopped", message if worker.kill_reason else "")
        events = [event]
        if not self.stopping and reason is not None:
            events.append(self._failed(reason, worker.pid))
        elif not self.stopping and self.fn.pinned and not self.workers and self._restart is None:
            self._start_worker()
        if self.broken is not None:
            answer.extend((item, self._broken_result()) for item in self.pending)
            self.pending.clear()
        for record in events:
            self._emit(record)
        for item, result in answer:
            self._complete(item, result)
        if not self.stopping:
            self._dispatch()

    def _failed(self, reason: str, pid: int) -> records.Record:
        """Count a worker failure: schedule the restart after its backoff, or mark the function
        broken. Returns the record saying which."""
        self.stats.failures += 1
        if self.stats.failures >= BROKEN_AFTER:
            self.broken = (f"{self.fn.name} is broken: its worker failed {self.stats.failures} times in a row "
                           f"(last: {reason.strip().splitlines()[-1] if reason.strip() else reason})")
            return records.Worker(self.fn.name, pid, "broken", self.broken)
        delay = RESTART_DELAYS[self.stats.failures - 1]
        if self._restart is None:
            self._restart = asyncio.get_running_loop().call_later(delay * self.time_scale, self._restart_due)
        return records.Worker(self.fn.name, pid, "backoff",
                              f"next start in {delay:g} s (failure {self.stats.failures} of {BROKEN_AFTER})")

    def _restart_due(self) -> None:
        self._restart = None
        if self.stopping or self.broken is not None:
            return
        if self.fn.pinned and not self.workers:
            self._start_worker()
        self._dispatch()

    def _broken_result(self) -> Result:
        return Result.unhandled(self.broken, "FunctionBroken")

    def _complete(self, item: WorkItem, result: Result) -> None:
        item.finish(result)
        self.stats.completed += 1
        if not self._emit:  # nobody listens: skip building the record
            return
        started = item.started or time.monotonic()
        self._emit(records.Invocation(
            function=self.fn.name, topic=item.subject, payload=item.payload, origin=item.origin,
            invocation_id=item.invocation_id, result=result.payload, error=result.error,
            error_type=result.error_type if result.error else "",
            duration_ms=round((time.monotonic() - started) * 1000, 3),
        ))

    # -- shutdown ------------------------------------------------------------------------
    async def stop(self, grace: float) -> list[WorkItem]:
        """Stop every worker (SIGTERM, then SIGKILL after ``grace`` s); return the items never run."""
        self.stopping = True
        if self._restart is not None:
            self._restart.cancel()
            self._restart = None
        unrun = list(self.pending)
        self.pending.clear()
        for item in unrun:
            item.finish(Result.unhandled("the core stopped before this item ran", "CoreStopped"))
        for worker in list(self.workers):
            if worker.item is not None:
                worker.kill_reason = ("the core stopped while this item ran", "CoreStopped")
            self._retire(worker, "core stopping")
        try:
            await asyncio.wait_for(self._all_exited.wait(), grace)
        except asyncio.TimeoutError:
            for worker in list(self.workers):
                if worker.process:
                    worker.process.signal(signal.SIGKILL)
            await self._all_exited.wait()
        return unrun
