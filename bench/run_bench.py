"""Benchmark of the local core (not a test): run `python bench/run_bench.py [-n N]`.

Prints, from one run: invocations/s and p50/p99 latency of a pinned trivial function fed
through the router, the same for an on-demand function with warm workers, the cost of a cold
on-demand start, publishes/s from a function looping on greengrasssdk publish, the resident
memory of an idle pinned worker, and the floor: the same number of bare HTTP round trips over
loopback with the workers' client stack (gglift.runner.http_connection) against the core's
server stack (gglift.runtime.transport, on the same event loop) answering a worker's result
post with nothing else to do: parse, token check, route, an empty 202. An invocation
costs a worker two round trips (post the result, get the next item), so the floor for N
invocations is 2N round trips. The floor and the two warm measurements alternate in rounds;
each ratio is against the floor of its own round (median and range are printed), so a busy
spell on a shared machine weighs on both sides of a ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import gglift
from gglift.config import load_project
from gglift.runtime import Core, eventloop
from gglift.runtime.transport import PREFIX, HttpTransport

APP = '''
import greengrasssdk
iot = greengrasssdk.client("iot-data")

def trivial(event, context):
    return None

def publisher(event, context):
    for _ in range(event["n"]):
        iot.publish(topic="bench/out", payload=b"x")
'''

# The core runs with time_scale 0.002 so idle workers stop fast (cold starts); each function's
# statusTimeoutInSeconds is raised to match (10 s), else a slow import counts as a failure.
TOML = '''
[[function]]
name = "pinned"
handler = "app.trivial"
statusTimeoutInSeconds = 5000

[[function]]
name = "bare"
handler = "bare.trivial"
statusTimeoutInSeconds = 5000

[[function]]
name = "ondemand"
handler = "app.trivial"
statusTimeoutInSeconds = 5000
pinned = false
maxInstancesCount = 1

[[function]]
name = "cold"
handler = "app.trivial"
statusTimeoutInSeconds = 5000
pinned = false

[[function]]
name = "publisher"
handler = "app.publisher"
statusTimeoutInSeconds = 5000
timeoutInSeconds = 60

[[subscription]]
source = "publisher"
subject = "bench/out"
target = "component:sink"
'''

GGLIFT_PARENT = str(Path(gglift.__file__).resolve().parent.parent)  # the floor client runs with -S

FLOOR_CLIENT = '''
import sys, time
sys.path.insert(0, sys.argv[3])
from gglift.runner.http_connection import LoopbackConnection
conn = LoopbackConnection("127.0.0.1", int(sys.argv[1]))
n, path = int(sys.argv[2]), sys.argv[4]
start = time.perf_counter()
for _ in range(n):
    conn.request("POST", path, b"", {"Authorization": "floor", "X-Amz-InvocationId": "1"})
print(time.perf_counter() - start)
'''


class Floor:
    """The core's transport taking results nobody waits for, and a client process per measurement."""

    arn = "floor"
    path = f"{PREFIX}floor/work"

    def authenticate(self, token):
        return self if token == "floor" else None

    def work_done(self, caller, target, invocation_id, result) -> None:
        pass  # the floor is the transport's own cost: nothing else happens

    async def __aenter__(self) -> "Floor":
        self.transport = HttpTransport(self)
        await self.transport.start()
        self.port = self.transport.port
        return self

    async def __aexit__(self, *exc) -> None:
        await self.transport.stop()

    async def seconds(self, trips: int) -> tuple[float, float]:
        """Seconds for ``trips`` keep-alive round trips, timed inside the client (start-up
        excluded), and the CPU seconds this process (the server) spent meanwhile."""
        cpu = time.process_time()
        proc = await asyncio.create_subprocess_exec(sys.executable, "-S", "-c", FLOOR_CLIENT, str(self.port), str(trips),
                                                    GGLIFT_PARENT, self.path, stdout=subprocess.PIPE)
        out, _ = await proc.communicate()
        return float(out), time.process_time() - cpu


def checked(name: str, result) -> None:
    """Stop the benchmark when an invocation failed: its timing would measure the failure."""
    if result.error:
        raise SystemExit(f"{name} failed ({result.error}): {result.payload[:300]!r}")


async def timed_invokes(core: Core, name: str, n: int, cpu: Optional[list[float]] = None) -> list[float]:
    """Latencies of ``n`` invocations one after another; appends the core's CPU seconds to ``cpu``."""
    latencies = []
    cpu_start = time.process_time()
    for _ in range(n):
        start = time.perf_counter()
        checked(name, await core.invoke(name, b"{}"))
        latencies.append(time.perf_counter() - start)
    if cpu is not None:
        cpu.append(time.process_time() - cpu_start)
    return latencies


def summary(label: str, rounds: list[list[float]], floor_trips: list[float]) -> str:
    """Throughput (median round), p50/p99 over every round, and the ratio to the floor per
    invocation (two round trips) of the same round: median and range."""
    rates = [len(lat) / sum(lat) for lat in rounds]
    ratios = sorted(sum(lat) / len(lat) / (2 * trip) for lat, trip in zip(rounds, floor_trips))
    every = sorted(x for lat in rounds for x in lat)
    p50 = statistics.median(every) * 1000
    p99 = every[int(len(every) * 0.99) - 1] * 1000
    return (f"{label:<28} {statistics.median(rates):8.0f} inv/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   "
            f"{statistics.median(ratios):5.2f}x floor ({ratios[0]:.2f}-{ratios[-1]:.2f})")


async def main(n: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "gglift.toml").write_text(TOML)
        (Path(tmp) / "app.py").write_text(APP)
        (Path(tmp) / "bare.py").write_text("def trivial(event, context):\n    return None\n")
        project = load_project(tmp)
        async with Floor() as bare, Core(project, mqtt=None, time_scale=0.002) as core:
            await timed_invokes(core, "pinned", 200)  # warm-up
            await timed_invokes(core, "ondemand", 50)
            # The machine may be shared: measure floor and core back to back in each round, so
            # a busy spell weighs on both sides of a ratio rather than on one.
            trips, server_cpu, pinned, pinned_cpu, ondemand = [], [], [], [], []
            for _ in range(rounds):
                wall, cpu = await bare.seconds(2 * n)
                trips.append(wall / (2 * n))
                server_cpu.append(cpu / n)
                pinned.append(await timed_invokes(core, "pinned", n, pinned_cpu))
                ondemand.append(await timed_invokes(core, "ondemand", n))
            trip = statistics.median(trips)
            print(f"{'floor: bare HTTP round trips':<28} {1 / trip:8.0f} req/s   {trip * 1e6:6.1f} us each  "
                  f"(median of {rounds} rounds; worker client -> the core's transport, loopback)")
            print(summary("pinned, through the router", pinned, trips))
            print(summary("on-demand, warm worker", ondemand, trips))
            # CPU time of this process suffers less from other load than wall time does.
            core_us = statistics.median(pinned_cpu) / n * 1e6
            server_us = statistics.median(server_cpu) * 1e6
            print(f"{'core CPU per invocation':<28} {core_us:8.1f} us     pinned; the floor's server spends {server_us:.1f} us "
                  f"per two round trips ({core_us / server_us:.2f}x)")
            colds = []
            for _ in range(5):  # maxIdleTimeInSeconds 60 x 0.002: each worker stops 0.12 s after its work
                while core.pids("cold"):
                    await asyncio.sleep(0.05)
                colds += await timed_invokes(core, "cold", 1)
            print(f"{'on-demand, cold start':<28} {statistics.median(colds) * 1000:8.1f} ms median of 5 (start worker + import + first invoke)")
            publishes = 5 * n
            start = time.perf_counter()
            checked("publisher", await core.invoke("publisher", json.dumps({"n": publishes})))
            seconds = time.perf_counter() - start
            print(f"{'greengrasssdk publish loop':<28} {publishes / seconds:8.0f} pub/s   ({publishes} publishes routed)")
            await core.invoke("bare", b"{}")
            await asyncio.sleep(0.5)
            for name, what in (("bare", "trivial handler"), ("pinned", "handler module imports greengrasssdk")):
                rss = core.pools[name].workers[0].process.rss_kb()
                print(f"{'idle pinned worker RSS':<28} {rss / 1024:8.1f} MB   {what} (limit 16 MB, target 14 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="invocations per measurement and round (default 1000)")
    parser.add_argument("--rounds", type=int, default=10, help="rounds of floor, pinned, on-demand (default 10)")
    args = parser.parse_args()
    eventloop.run(main(args.n, args.rounds))
