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
from gglift.runtime.access import MQTTPROXY, PUBSUB as PUBSUB_SERVICE, SECRETS, AccessPolicy, Refusal, secret_resource
from gglift.runtime.backend import AUTO, Backend, LocalBackend
from gglift.runtime.dispatch import IpcError
from gglift.runtime.pool import FunctionPool, PoolStats, Worker
from gglift.runtime.process import WorkerProcess
from gglift.routes import effective_subscriptions
from gglift.runtime.router import IOT_CORE, PUB_SUB, Router, Target, topic_error
from gglift.runtime.secrets import SecretStore, secret_error
from gglift.runtime.shadow import ShadowError
from gglift.runtime.target import SHADOW_REFUSED, check_start, shadow_refusal
from gglift.runtime.transport import HttpTransport
from gglift.runtime.work import (EVENT, REQUEST_RESPONSE, Result, Results, WorkItem, decode_context, encode_context,
                                 new_invocation_id)

log = logging.getLogger("gglift.runtime")

# Multiplies maxIdleTimeInSeconds and statusTimeoutInSeconds, whose 30 s minimums make tests
# slow: GGLIFT_TEST_TIME_SCALE=0.05 turns 30 s into 1.5 s. For tests only.
TIME_SCALE_ENV = "GGLIFT_TEST_TIME_SCALE"
LEVELS = ("DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL", "FATAL")

_SECRETS = launch.SECRETS_ARN.rsplit(":", 1)[0]  # unqualified


def _names(target: str, unqualified_arn: str) -> bool:
    """True when ``target`` is the service at ``unqualified_arn``, bare or with any qualifier."""
    return target == unqualified_arn or target.startswith(unqualified_arn + ":")


class Core:
    """A local Greengrass core for ``project``; use as ``async with Core(project) as core``.

    ``mqtt``: ``"auto"`` (an embedded broker when a function listens on ``IOT_CORE`` or
    publishes to ``cloud``), ``"embedded"``, an ``mqtt://host:port`` URL, or ``None`` (off).
    ``subscriptions`` overrides the project's routes. ``grace``: seconds between SIGTERM and
    SIGKILL at shutdown. ``memory_interval``: seconds between resident-memory samples.
    ``backend``: where messages, shadows and secrets go (default: the local services, with
    ``mqtt`` as above, and a stream manager server; the device host passes Greengrass V2 IPC).
    ``export``: the local stream manager's exports call AWS (else they are only reported).
    With the local services and ``target = "component"``, the functions' calls are checked
    against the accessControl ``gglift package`` derives, as the device's IPC server checks the
    host's, or against ``access_control`` (as a deployment's configuration update may replace it).
    ``debug``: ``(function, port)``: that Python function's worker starts under debugpy,
    listening on 127.0.0.1:port, and waits for a debugger to attach (see :mod:`~gglift.runtime.pool`).
    """

    def __init__(self, project: Project, *, mqtt: Optional[str] = AUTO, state_dir: Optional[Path] = None,
                 subscriptions: Optional[tuple[Subscription, ...]] = None, grace: float = 3.0,
                 memory_interval: float = 0.1, time_scale: Optional[float] = None,
                 backend: Optional[Backend] = None, export: bool = False,
                 access_control: Optional[dict] = None, debug: Optional[tuple[str, int]] = None):
        self.project = project
        self.debug = debug
        self.state_dir = Path(state_dir or project.local.state_dir or project.root / ".gglift")
        self.access: Optional[AccessPolicy] = None
        if backend is None and project.target == "component":
            from gglift.package.access import derived_for_run  # code analysis: not on the device
            from gglift.storage import cache_dir

            derived_access, derived_routes = derived_for_run(project, cache_dir())
            self.access = AccessPolicy(derived_access if access_control is None else access_control)
            subscriptions = derived_routes if subscriptions is None else subscriptions
        self.router = Router(project, subscriptions if subscriptions is not None else effective_subscriptions(project))
        self.grace = grace
        self.memory_interval = memory_interval
        self.time_scale = time_scale if time_scale is not None else float(os.environ.get(TIME_SCALE_ENV, "1"))
        self.transport = HttpTransport(self)
        self.pools: dict[str, FunctionPool] = {}
        self._tokens: dict[str, Worker] = {}
        self.results = Results()  # RequestResponse results workers fetch
        self._emit = records.Observers()
        self._log_levels: dict[str, str] = {}  # level of each function's last log record
        self.backend = backend or LocalBackend(mqtt, self.state_dir, SecretStore(
            project.local.secrets_file, project.local.region, project.local.account), export=export)
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
        """Serve the IPC, connect MQTT, start pinned workers and wait until they are ready.
        Raises TargetError, before starting anything, for a project its target cannot run."""
        check_start(self.project)
        await self.transport.start()
        await self.backend.start(self)
        for fn in self.project.functions:
            pool = FunctionPool(fn, self.project.function_arn(fn), self._spawn, self._emit, self._tokens, self.time_scale,
                                debugging=self._debug_port(fn) is not None)
            self.pools[fn.name] = pool
            pool.start()
        self._sampler = asyncio.get_running_loop().create_task(self._sample_memory())
        await self._await_pinned()

    async def _await_pinned(self) -> None:
        while not all(pool.settled for pool in self.pools.values()):
            await asyncio.sleep(0.01)

    async def stop(self) -> list[WorkItem]:
        """Stop everything; workers get SIGTERM, then SIGKILL after ``grace``. Returns the items never run."""
        unrun = []
        for batch in await asyncio.gather(*(pool.stop(self.grace) for pool in self.pools.values())):
            unrun.extend(batch)
        for item in unrun:
            self._emit(records.Dropped(item.function, item.subject, "not run: the core stopped", len(unrun)))
        if self._sampler is not None:
            self._sampler.cancel()
        await self.transport.stop()
        await self.backend.stop()
        return unrun

    # -- public API ----------------------------------------------------------------------
    @property
    def mqtt_url(self) -> Optional[str]:
        """The MQTT broker standing in for AWS IoT Core, if any."""
        return self.backend.mqtt_url

    @property
    def emit(self) -> records.Observers:
        """The record observers, for a backend's own records (stream exports)."""
        return self._emit

    def add_observer(self, callback: Callable[[records.Record], None]) -> None:
        """Call ``callback(record)`` for every :mod:`~gglift.runtime.records` record."""
        self._emit.add(callback)

    def publish(self, topic: str, payload: Any = b"", source: str = PUB_SUB) -> list[str]:
        """Deliver a message from outside the functions (a local component or, with
        ``source="IOT_CORE"``, the cloud); returns the names of the functions it triggers.
        Raises ValueError for a topic that is not a valid topic name."""
        problem = topic_error(topic)
        if problem:
            raise ValueError(f"cannot publish: {problem}")
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

    def reload(self, function: str, changed: list[str]) -> None:
        """``function``'s source ``changed``: replace its workers, keeping its queued work."""
        self._emit(records.Reload(function, changed))
        self.pools[function].reload()

    def _busy(self) -> bool:
        return any(pool.pending or pool.busy for pool in self.pools.values()) or self.backend.busy()

    # -- workers -------------------------------------------------------------------------
    def _debug_port(self, fn: Function) -> Optional[int]:
        return self.debug[1] if self.debug and self.debug[0] == fn.name else None

    def _spawn(self, worker: Worker) -> WorkerProcess:
        fn = worker.pool.fn
        env = launch.environment(self.project, fn, self.transport.port, worker.token, self.backend.stream_port,
                                 None if fn.is_executable else self.backend.python_path(fn))
        debug_port = self._debug_port(fn)
        if debug_port is not None:
            env.update(launch.debugger_environment(debug_port))
        return WorkerProcess(
            launch.command(fn, self.backend.python(fn), debugging=debug_port is not None), env,
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

    def stream_client(self, token: Optional[str]) -> Optional[str]:
        """The function a stream manager client's token was given to, or None."""
        worker = self.authenticate(token)
        return worker.pool.fn.name if worker else None

    async def post_work(self, caller: Worker, target: str, payload: bytes, client_context: str,
                        invocation_type: str) -> str:
        try:
            context = decode_context(client_context)
        except ValueError as exc:
            raise IpcError(400, str(exc)) from None
        invocation_id = new_invocation_id()
        if _names(target, launch.ROUTER_ARN):
            subject, policy = _service_custom(context, "queueFullPolicy")
            self._publish_from(caller, subject, payload, policy)
        elif _names(target, launch.SHADOW_ARN):
            subject = _service_custom(context)[0]
            refusal = shadow_refusal(self.project, caller.pool.fn.name, subject)
            unauthorized = self.access.shadow(subject) if self.access else None
            if refusal:
                self._refuse(invocation_id, caller, subject, refusal, ShadowError(SHADOW_REFUSED, refusal).result())
            elif unauthorized:  # the host answers the nucleus's UnauthorizedError so
                self._refuse(invocation_id, caller, subject, unauthorized.error, ShadowError(401, unauthorized.error).result())
            else:
                self._answer(invocation_id, caller, self.backend.shadow(subject, payload))
        elif _names(target, _SECRETS):
            unauthorized = self._secret_check(payload)
            if unauthorized:
                self._refuse(invocation_id, caller, unauthorized.resource, unauthorized.error,
                             secret_error(403, unauthorized.error))
            else:
                self._answer(invocation_id, caller, self.backend.secret(payload))
        else:
            fn = self._function_for(target)
            item = WorkItem(fn.name, payload, context, invocation_type, caller.pool.fn.name, invocation_id,
                            encoded_context=client_context if context else None)  # passed on as sent
            if invocation_type == REQUEST_RESPONSE:
                item.future = self.results.expect(invocation_id, caller.arn)
            if not self.pools[fn.name].submit(item):
                self.results.discard(invocation_id)
                raise IpcError(429, f"the queue of {fn.name} is full (maxQueueSize={fn.maxQueueSize})")
        return invocation_id

    async def work_result(self, caller: Worker, target: str, invocation_id: str) -> Result:
        future = self.results.find(invocation_id, caller.arn)  # only the function that asked may fetch it
        if future is None:
            raise IpcError(404, f"no result is awaited for invocation {invocation_id!r}")
        try:
            return await asyncio.shield(future)
        finally:
            if future.done():
                self.results.discard(invocation_id)

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
        problem = topic_error(topic)
        if problem:
            raise IpcError(400, f"cannot publish: {problem}")
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

    def _refuse(self, invocation_id: str, caller: Worker, topic: str, reason: str, answer: Result) -> None:
        """Report a service call the target device refuses; ``caller`` gets the device's ``answer``."""
        self._emit(records.Refused(caller.pool.fn.name, topic, reason))
        self.results.ready(invocation_id, caller.arn, answer)

    def _publish_check(self, origin: str, service: str, operation: str, topic: str) -> bool:
        """True when the access control lets the host publish ``topic``; else the refusal is
        reported as the host logs it, and the function, which has returned, sees nothing."""
        refusal = self.access.check(service, operation, topic) if self.access else None
        if refusal:
            self._emit(records.Refused(origin, topic, f"{operation} to {topic!r} failed: {refusal.error}"))
        return refusal is None

    def _secret_check(self, payload: bytes) -> Optional[Refusal]:
        """The access control's refusal of a GGSecretManager request, if any."""
        if self.access is None:
            return None
        try:
            secret_id = str(json.loads(payload)["SecretId"])
        except (ValueError, KeyError, TypeError):
            return None  # the secret store answers it with 400
        local = self.project.local
        return self.access.check(SECRETS, "GetSecretValue", secret_resource(secret_id, local.region, local.account))

    def _deliver(self, targets: list[Target], topic: str, payload: bytes, origin: str, source: str) -> None:
        context = encoded = None  # the same for every target: built and encoded once
        for target in targets:
            if target.kind == "function":
                if context is None:
                    context = {"custom": {"subject": topic, "source": source}}
                    encoded = encode_context(context)
                item = WorkItem(target.name, payload, context, EVENT, origin, encoded_context=encoded)
                self.pools[target.name].submit(item)
            elif target.kind == "cloud":
                if self._publish_check(origin, MQTTPROXY, "PublishToIoTCore", topic):
                    self.backend.publish_cloud(topic, payload)
            elif target.kind == "local":
                if self._publish_check(origin, PUBSUB_SERVICE, "PublishToTopic", topic):
                    self.backend.publish_local(topic, payload)

    def receive(self, topic: str, payload: bytes, source: str) -> None:
        """A message a backend received (from the MQTT broker or V2 IPC) for the functions;
        one whose topic a device would not route is logged and ignored."""
        try:
            self.publish(topic, payload, source)
        except ValueError as exc:
            log.warning("message on %r ignored: %s", topic, exc)

    def shadow_published(self, topic: str, body: bytes) -> None:
        """A message of the local shadow service, for the functions listening on local pub/sub."""
        targets = self.router.inbound_targets(PUB_SUB, topic)
        if targets:
            self._emit(records.Publish("GGShadowService", topic, body, [str(t) for t in targets]))
            self._deliver(targets, topic, body, "GGShadowService", launch.SHADOW_ARN)

    def _answer(self, invocation_id: str, caller: Worker, call) -> None:
        """Keep the result of a core service's ``call`` (a coroutine) for ``caller`` to fetch."""
        future = self.results.expect(invocation_id, caller.arn)

        def done(task: asyncio.Task) -> None:
            if future.done():
                return
            if task.cancelled() or task.exception() is not None:
                reason = "cancelled" if task.cancelled() else f"{type(task.exception()).__name__}: {task.exception()}"
                log.error("a core service call failed: %s", reason)
                future.set_result(Result.unhandled(f"the core's service failed: {reason}", "ServiceError"))
            else:
                future.set_result(task.result())

        asyncio.ensure_future(call).add_done_callback(done)

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


def _service_custom(context: dict, extra: str = "") -> tuple[str, str]:
    """``custom.subject`` (and ``custom[extra]``) of a call to a core service (GGRouter,
    GGShadowService): ``custom`` must be an object and its values text."""
    custom = context.get("custom") or {}
    if not isinstance(custom, dict):
        raise IpcError(400, "X-Amz-Client-Context: custom must be a JSON object with a subject")
    values = custom.get("subject") or "", custom.get(extra) or "" if extra else ""
    if not all(isinstance(value, str) for value in values):
        raise IpcError(400, "X-Amz-Client-Context: custom.subject and custom.queueFullPolicy must be text")
    return values


def _as_payload(payload: Any) -> bytes:
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(payload).encode()
