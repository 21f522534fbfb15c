"""The local Greengrass core: transport, router, worker pools, local services and MQTT, wired.

>>> async with Core(load_project("examples/republish")) as core:   # doctest: +SKIP
...     result = await core.invoke("republish", {"test-key": "hi"}, topic="test/input")
...     core.publish("test/input", b'{"test-key": "x"}')
...     await core.idle()
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Optional

from gglift.config import Function, Project, Subscription
from gglift.runtime import launch, records
from gglift.runtime.dispatch import IpcError
from gglift.runtime.mqtt import EmbeddedBroker, MqttBridge
from gglift.runtime.pool import STARTING, FunctionPool, PoolStats, Worker
from gglift.runtime.process import WorkerProcess
from gglift.routes import effective_subscriptions
from gglift.runtime.router import CLOUD, IOT_CORE, PUB_SUB, Router, Target
from gglift.runtime.secrets import SecretStore
from gglift.runtime.shadow import ShadowStore
from gglift.runtime.streams import Exports, StreamServer
from gglift.runtime.transport import HttpTransport
from gglift.runtime.work import EVENT, REQUEST_RESPONSE, Result, WorkItem, decode_context, encode_context, new_invocation_id

log = logging.getLogger("gglift.runtime")

# Multiplies maxIdleTimeInSeconds and statusTimeoutInSeconds, whose 30 s minimums make tests
# slow: GGLIFT_TEST_TIME_SCALE=0.05 turns 30 s into 1.5 s. For tests only.
TIME_SCALE_ENV = "GGLIFT_TEST_TIME_SCALE"
LEVELS = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL")

_SECRETS = launch.SECRETS_ARN.rsplit(":", 1)[0]  # unqualified


def _names(target: str, unqualified_arn: str) -> bool:
    """True when ``target`` is the service at ``unqualified_arn``, bare or with any qualifier."""
    return target == unqualified_arn or target.startswith(unqualified_arn + ":")
AUTO = "auto"  # mqtt: embedded broker when something uses IOT_CORE or the cloud


class Core:
    """A local Greengrass core for ``project``; use as ``async with Core(project) as core``.

    ``mqtt``: ``"auto"`` (an embedded broker when a function listens on ``IOT_CORE`` or
    publishes to ``cloud``), ``"embedded"``, an ``mqtt://host:port`` URL, or ``None`` (off).
    ``subscriptions`` overrides the project's routes. ``grace``: seconds between SIGTERM and
    SIGKILL at shutdown. ``memory_interval``: seconds between resident-memory samples.
    ``export``: stream manager exports call AWS (else they are only reported).
    """

    def __init__(self, project: Project, *, mqtt: Optional[str] = AUTO, state_dir: Optional[Path] = None,
                 subscriptions: Optional[tuple[Subscription, ...]] = None, grace: float = 3.0,
                 memory_interval: float = 0.1, time_scale: Optional[float] = None, export: bool = False):
        self.project = project
        self.mqtt_setting = mqtt
        self.state_dir = Path(state_dir or project.local.state_dir or project.root / ".gglift")
        self.router = Router(project, subscriptions if subscriptions is not None else effective_subscriptions(project))
        self.grace = grace
        self.memory_interval = memory_interval
        self.time_scale = time_scale if time_scale is not None else float(os.environ.get(TIME_SCALE_ENV, "1"))
        self.transport = HttpTransport(self)
        self.pools: dict[str, FunctionPool] = {}
        self.mqtt_url: Optional[str] = None
        self._tokens: dict[str, Worker] = {}
        self._results: dict[str, asyncio.Future] = {}
        self._emit = records.Observers()
        self._log_levels: dict[str, str] = {}  # level of each function's last log record
        self._broker: Optional[EmbeddedBroker] = None
        self._bridge: Optional[MqttBridge] = None
        self._shadows: Optional[ShadowStore] = None
        self.streams = StreamServer(self.state_dir / "streams", self._stream_client,
                                    Exports(self._emit, send=export, region=project.local.region))
        self._secrets = SecretStore(project.local.secrets_file, project.local.region, project.local.account)
        self._sampler: Optional[asyncio.Task] = None
        self._arns = {project.function_arn(fn, qualified=False): fn for fn in project.functions}
        self._versions = {fn.name: project.function_arn(fn).rsplit(":", 1)[-1] for fn in project.functions}

    # -- lifecycle -----------------------------------------------------------------------
    async def __aenter__(self) -> "Core":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def start(self) -> None:
        """Serve the IPC, connect MQTT, start pinned workers and wait until they are ready."""
        await self.transport.start()
        await self.streams.start()
        self._shadows = ShadowStore(self.state_dir / "shadows.sqlite")
        await self._start_mqtt()
        for fn in self.project.functions:
            pool = FunctionPool(fn, self.project.function_arn(fn), self._spawn, self._emit, self._tokens, self.time_scale)
            self.pools[fn.name] = pool
            pool.start()
        self._sampler = asyncio.get_running_loop().create_task(self._sample_memory())
        await self._await_pinned()

    async def _start_mqtt(self) -> None:
        setting = self.mqtt_setting
        if setting == AUTO:
            uses_cloud = self.router.cloud_filters() or any(s.target == CLOUD for s in self.router.subscriptions)
            setting = "embedded" if uses_cloud else None
        if not setting:
            return
        if setting == "embedded":
            self._broker = EmbeddedBroker()
            await self._broker.start()
            setting = self._broker.url
        self._bridge = MqttBridge(setting, self.router.cloud_filters(), self._from_cloud)
        await self._bridge.start()
        self.mqtt_url = setting

    async def _await_pinned(self) -> None:
        while any(w.state == STARTING for p in self.pools.values() if p.fn.pinned for w in p.workers):
            await asyncio.sleep(0.01)

    async def stop(self) -> list[WorkItem]:
        """Stop everything; workers get SIGTERM, then SIGKILL after ``grace``. Returns the items never run."""
        if self._bridge is not None:
            await self._bridge.stop()
        unrun = []
        for batch in await asyncio.gather(*(pool.stop(self.grace) for pool in self.pools.values())):
            unrun.extend(batch)
        for item in unrun:
            self._emit(records.Dropped(item.function, item.subject, "not run: the core stopped", len(unrun)))
        if self._sampler is not None:
            self._sampler.cancel()
        await self.transport.stop()
        await self.streams.stop()
        if self._broker is not None:
            await self._broker.stop()
        if self._shadows is not None:
            self._shadows.close()
        return unrun

    # -- public API ----------------------------------------------------------------------
    def add_observer(self, callback: Callable[[records.Record], None]) -> None:
        """Call ``callback(record)`` for every :mod:`~gglift.runtime.records` record."""
        self._emit.add(callback)

    def publish(self, topic: str, payload: Any = b"", source: str = PUB_SUB) -> list[str]:
        """Deliver a message from outside the functions (a local component or, with
        ``source="IOT_CORE"``, the cloud); returns the names of the functions it triggers."""
        targets = self.router.inbound_targets(source, topic)
        origin = "cloud" if source == IOT_CORE else "local"
        data = _as_payload(payload)
        if self._emit:
            self._emit(records.Publish(origin, topic, data, [str(t) for t in targets]))
        self._deliver(targets, topic, data, origin, origin)
        return [t.name for t in targets]

    async def invoke(self, function: str, payload: Any = b"", topic: Optional[str] = None,
                     invocation_type: str = REQUEST_RESPONSE) -> Result:
        """Invoke ``function`` (a name) and wait for its result (``Event``: returns at once)."""
        if function not in self.pools:
            raise KeyError(f"no function named {function!r} in {self.project.config_path}")
        context = {"custom": {"subject": topic}} if topic else {}
        item = WorkItem(function, _as_payload(payload), context, invocation_type, "invoke")
        if invocation_type == REQUEST_RESPONSE:
            item.future = asyncio.get_running_loop().create_future()
        if not self.pools[function].submit(item):
            return Result.unhandled("the function's queue is full (maxQueueSize)", "QueueFull")
        return await item.future if item.future else Result(b"")

    async def idle(self, settle: float = 0.1, timeout: Optional[float] = None) -> None:
        """Return once no work is queued or running, and it stayed so for ``settle`` seconds."""
        deadline = time.monotonic() + timeout if timeout else None
        quiet_since = None
        while True:
            if self._busy():
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                return
            if deadline and time.monotonic() > deadline:
                raise asyncio.TimeoutError("the core did not become idle in time")
            await asyncio.sleep(0.01)

    def stats(self, function: str) -> PoolStats:
        return self.pools[function].stats

    def pids(self, function: str) -> list[int]:
        """PIDs of ``function``'s live workers."""
        return self.pools[function].live_pids()

    def _busy(self) -> bool:
        return any(pool.pending or pool.busy for pool in self.pools.values()) or self.streams.busy()

    # -- workers -------------------------------------------------------------------------
    def _spawn(self, worker: Worker) -> WorkerProcess:
        fn = worker.pool.fn
        return WorkerProcess(
            launch.command(fn), launch.environment(self.project, fn, self.transport.port, worker.token, self.streams.port),
            str(fn.source), lambda line: self._worker_output(fn, line), lambda code: worker.pool.exited(worker, code),
        )

    def _worker_output(self, fn: Function, line: str) -> None:
        """A worker's output line: ``LEVEL file.py:LINE,message``, a tab-led continuation of the
        previous record (same level), or anything else an executable prints (INFO)."""
        level, _, rest = line.partition(" ")
        if line.startswith("\t"):
            level, rest = self._log_levels.get(fn.name, "INFO"), line
        elif level not in LEVELS:
            level, rest = "INFO", line
        self._log_levels[fn.name] = level
        if self._emit:
            self._emit(records.Log(fn.name, level, rest))

    async def _sample_memory(self) -> None:
        while True:
            await asyncio.sleep(self.memory_interval)
            for pool in self.pools.values():
                pool.check_memory()

    # -- the Dispatcher the transport calls ----------------------------------------------
    def authenticate(self, token: Optional[str]) -> Optional[Worker]:
        return self._tokens.get(token) if token else None

    def _stream_client(self, token: Optional[str]) -> Optional[str]:
        """The function a stream manager client's token was given to, or None."""
        worker = self.authenticate(token)
        return worker.pool.fn.name if worker else None

    async def post_work(self, caller: Worker, target: str, payload: bytes, client_context: str,
                        invocation_type: str) -> str:
        try:
            context = decode_context(client_context)
        except ValueError as exc:
            raise IpcError(400, str(exc)) from None
        custom = context.get("custom") or {}
        invocation_id = new_invocation_id()
        if _names(target, launch.ROUTER_ARN):
            self._publish_from(caller, str(custom.get("subject") or ""), payload, str(custom.get("queueFullPolicy") or ""))
        elif _names(target, launch.SHADOW_ARN):
            self._results[invocation_id] = self._done(self._shadow_call(str(custom.get("subject") or ""), payload))
        elif _names(target, _SECRETS):
            self._results[invocation_id] = self._done(self._secrets.handle(payload))
        else:
            fn = self._function_for(target)
            item = WorkItem(fn.name, payload, context, invocation_type, caller.pool.fn.name, invocation_id,
                            encoded_context=client_context if context else None)  # passed on as sent
            if invocation_type == REQUEST_RESPONSE:
                item.future = self._results[invocation_id] = asyncio.get_running_loop().create_future()
            if not self.pools[fn.name].submit(item):
                self._results.pop(invocation_id, None)
                raise IpcError(429, f"the queue of {fn.name} is full (maxQueueSize={fn.maxQueueSize})")
        return invocation_id

    async def work_result(self, caller: Worker, target: str, invocation_id: str) -> Result:
        future = self._results.get(invocation_id)
        if future is None:
            raise IpcError(404, f"no result is awaited for invocation {invocation_id!r}")
        try:
            return await asyncio.shield(future)
        finally:
            if future.done():
                self._results.pop(invocation_id, None)

    async def next_work(self, caller: Worker, target: str) -> WorkItem:
        self._check_self(caller, target)
        return await caller.pool.next_item(caller)

    def work_done(self, caller: Worker, target: str, invocation_id: str, result: Result) -> None:
        self._check_self(caller, target)
        if not caller.pool.finished(caller, invocation_id, result):
            raise IpcError(409, f"invocation {invocation_id!r} is not running in this worker")

    def initialized(self, caller: Worker, target: str, success: bool, response: str) -> None:
        self._check_self(caller, target)
        caller.pool.initialized(caller, success, response)

    # -- routing -------------------------------------------------------------------------
    def _publish_from(self, caller: Worker, topic: str, payload: bytes, policy: str) -> None:
        source = caller.pool.fn.name
        targets = self.router.publish_targets(source, topic)
        if targets is None:
            fix = self.router.suggested_fix(source, topic)
            log.warning("%s published to %r, which no subscription routes; add to gglift.toml:\n%s", source, topic, fix)
            self._emit(records.NoRoute(source, topic, fix))
            raise IpcError(400, f"No subscription exists for the source {caller.arn} and subject {topic}")
        if policy == "AllOrError":
            full = [t.name for t in targets if t.kind == "function" and not self.pools[t.name].has_room()]
            if full:
                raise IpcError(429, f"queue full for {', '.join(full)}; nothing was delivered (AllOrError)")
        if self._emit:
            self._emit(records.Publish(source, topic, payload, [str(t) for t in targets]))
        self._deliver(targets, topic, payload, source, caller.arn)

    def _deliver(self, targets: list[Target], topic: str, payload: bytes, origin: str, source: str) -> None:
        context = encoded = None  # the same for every target: built and encoded once
        for target in targets:
            if target.kind == "function":
                if context is None:
                    context = {"custom": {"subject": topic, "source": source}}
                    encoded = encode_context(context)
                item = WorkItem(target.name, payload, context, EVENT, origin, encoded_context=encoded)
                self.pools[target.name].submit(item)
            elif target.kind == "cloud" and self._bridge is not None:
                self._bridge.publish(topic, payload)

    def _from_cloud(self, topic: str, payload: bytes) -> None:
        self.publish(topic, payload, IOT_CORE)

    def _shadow_call(self, subject: str, payload: bytes) -> Result:
        result, published = self._shadows.handle(subject, payload)
        for topic, body in published:
            targets = self.router.inbound_targets(PUB_SUB, topic)  # the listeners on local pub/sub
            if targets:
                self._emit(records.Publish("GGShadowService", topic, body, [str(t) for t in targets]))
                self._deliver(targets, topic, body, "GGShadowService", launch.SHADOW_ARN)
        return result

    def _function_for(self, arn: str) -> Function:
        """The function ``arn`` names (qualified or not); its qualifier must be the function's version."""
        unqualified, _, qualifier = arn.rpartition(":") if arn.count(":") == 7 else (arn, "", "")
        fn = self._arns.get(unqualified)
        if fn is None:
            raise IpcError(404, f"no function with ARN {unqualified} runs on this core")
        version = self._versions[fn.name]
        if qualifier and qualifier not in (version, "$LATEST"):
            raise IpcError(404, f"function {fn.name} has no version or alias {qualifier!r} (it runs version {version})")
        return fn

    @staticmethod
    def _check_self(caller: Worker, target: str) -> None:
        if target != caller.arn:
            raise IpcError(403, "a worker may only take work for its own function")

    def _done(self, result: Result) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        future.set_result(result)
        return future


def _as_payload(payload: Any) -> bytes:
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(payload).encode()
