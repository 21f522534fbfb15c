"""Benchmark of the device host on nucleus lite's real ggipcd (not a test; root and ../shared
needed): `python bench/host_bench.py [-n N]`.

Prints, from one run: events/s and p50/p99 latency of event -> function -> publish through the
real ggipcd, for gglift's host running one pinned Python function (packaged by `gglift package`,
started as nucleus lite starts it) and for a minimal awsiotsdk echo component doing the same
round trip, their ratio; then the host's idle resident memory with one pinned Python function
and with one C function (the host process alone, and its worker). The host runs on the
system's python3, without uvloop or httptools, as on a device. The driver is the same for
both: an IPC client of its own component publishing one event at a time and waiting for the
echo.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "v2"))
from nucleus_lite import NucleusLite, SCRIPTS, build  # noqa: E402  (the tests' nucleus lite harness)

from gglift.ipc import IpcClient  # noqa: E402

GGLIFT = [sys.executable, "-m", "gglift"]
# The device's python3: the system interpreter, with no uvloop or httptools, as on a device
# (the functions' requirements are vendored for it by gglift package). Same version as ours.
DEVICE_PYTHON = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
HOST, ECHO, DRIVER = "com.example.BenchHost", "com.example.BenchEcho", "com.example.BenchDriver"

def toml(function: str, handler: str, runtime: str, extra: str = "") -> str:
    """A one-function component project listening on bench/in."""
    return f"""target = "component"
[[function]]
name = "{function}"
handler = "{handler}"
runtime = "{runtime}"
source = "src"
component = {{name = "{HOST}", version = "1.0.0"}}
eventSources = [{{topic = "bench/in", type = "PUB_SUB"}}]
{extra}"""


PYTHON_TOML = toml("echo", "echo.handler", "python3.11", f"""inputPayloadEncodingType = "binary"
[[subscription]]
source = "echo"
subject = "bench/out"
target = "component:{DRIVER}"
""")
PYTHON_ECHO = """import greengrasssdk
iot = greengrasssdk.client("iot-data")
def handler(event, context):
    iot.publish(topic="bench/out", payload=event)
"""
C_TOML = toml("cecho", "cecho", "executable")
C_ECHO = """#include "greengrasssdk.h"
static void handler(const gg_lambda_context *cxt) { (void)cxt; }
int main(void) { gg_global_init(0); return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1; }
"""
# The baseline: what a developer writes with AWS's own client for the same round trip.
AWSIOTSDK_ECHO = """import threading
from awsiot.greengrasscoreipc.clientv2 import GreengrassCoreIPCClientV2
from awsiot.greengrasscoreipc.model import BinaryMessage, PublishMessage
client = GreengrassCoreIPCClientV2()
def on_event(event):
    client.publish_to_topic_async(topic="bench/out", publish_message=PublishMessage(
        binary_message=BinaryMessage(message=event.binary_message.message)))
client.subscribe_to_topic(topic="bench/in", on_stream_event=on_event)
print("ready", flush=True)
threading.Event().wait()
"""


def package(work: Path, toml: str, files: dict[str, str]) -> tuple[dict, Path]:
    project = work / "project"
    (project / "src").mkdir(parents=True)
    (project / "gglift.toml").write_text(toml)
    for name, text in files.items():
        (project / "src" / name).write_text(text)
    if "cecho.c" in files:
        subprocess.run([*GGLIFT, "native", "build", str(project / "src" / "cecho.c"), "-o", str(project / "src" / "cecho")],
                       check=True, capture_output=True)
    subprocess.run([*GGLIFT, "package", str(project)], check=True, capture_output=True)
    build_dir = project / "build" / "component"
    return json.loads((build_dir / "recipe.json").read_text()), build_dir / "gglift-component.zip"


def services(host_access: dict) -> dict:
    everything = {"aws.greengrass.ipc.pubsub": {"all:pubsub:1": {
        "operations": ["aws.greengrass#PublishToTopic", "aws.greengrass#SubscribeToTopic"], "resources": ["*"]}}}
    return {HOST: {"version": "1.0.0", "configuration": {"accessControl": host_access}},
            ECHO: {"version": "1.0.0", "configuration": {"accessControl": everything}},
            DRIVER: {"version": "1.0.0", "configuration": {"accessControl": everything}}}


def svcuid(lite: NucleusLite, component: str) -> str:
    done = lite.run_as(component, [sys.executable, "-c", "import os; print(os.environ['SVCUID'])"],
                       stdout=subprocess.PIPE, text=True)
    return done.communicate(timeout=60)[0].strip()


async def round_trips(lite: NucleusLite, token: str, n: int) -> tuple[float, list[float]]:
    """Publish n events one at a time, each after the previous echo: (events/s, latencies in ms)."""
    async with IpcClient(str(lite.socket), token) as ipc:
        echoed: asyncio.Queue = asyncio.Queue()
        await ipc.subscribe_to_topic("bench/out", lambda topic, data: echoed.put_nowait(data))
        for i in range(20):  # warm-up
            await ipc.publish_to_topic("bench/in", b"warm-%d" % i)
            await asyncio.wait_for(echoed.get(), 60)
        latencies = []
        start = time.perf_counter()
        for i in range(n):
            sent = time.perf_counter()
            await ipc.publish_to_topic("bench/in", b"event-%d" % i)
            await asyncio.wait_for(echoed.get(), 60)
            latencies.append((time.perf_counter() - sent) * 1000)
        return n / (time.perf_counter() - start), latencies


def start(proc: subprocess.Popen, expected: str) -> subprocess.Popen:
    line = proc.stdout.readline()
    if not line.startswith(expected):
        proc.kill()
        raise SystemExit(f"component did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=60)


def host_rss(proc: subprocess.Popen) -> tuple[float, float]:
    """(host process RSS, its workers' RSS) in MB, after the host has settled."""
    time.sleep(2)
    host = psutil.Process(proc.pid)
    workers = host.children(recursive=True)
    return host.memory_info().rss / 2**20, sum(w.memory_info().rss for w in workers) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=500, help="round trips per measurement")
    args = parser.parse_args()
    if not (SCRIPTS / "build.sh").is_file():
        raise SystemExit(f"nucleus lite's sources are not at {SCRIPTS}")
    bin_dir = build()
    work = Path(tempfile.mkdtemp(prefix="ggl-bench-"))
    try:
        py_recipe, py_zip = package(work / "py", PYTHON_TOML, {"echo.py": PYTHON_ECHO})
        c_recipe, c_zip = package(work / "c", C_TOML, {"cecho.c": C_ECHO})
        lite = NucleusLite(bin_dir, work / "gg")
        lite.start(services(py_recipe["ComponentConfiguration"]["DefaultConfiguration"]["accessControl"]))
        try:
            token = svcuid(lite, DRIVER)
            pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
            host = start(lite.run_recipe(HOST, "1.0.0", py_recipe, py_zip, DEVICE_PYTHON, **pipes), "gglift host: running")
            host_rate, host_lat = asyncio.run(round_trips(lite, token, args.n))
            py_rss = host_rss(host)
            stop(host)
            echo = start(lite.run_as(ECHO, [sys.executable, "-c", AWSIOTSDK_ECHO], **pipes), "ready")
            sdk_rate, sdk_lat = asyncio.run(round_trips(lite, token, args.n))
            sdk_rss = psutil.Process(echo.pid).memory_info().rss / 2**20
            stop(echo)
        finally:
            lite.stop()
        lite = NucleusLite(bin_dir, work / "gg-c")
        lite.start(services(c_recipe["ComponentConfiguration"]["DefaultConfiguration"]["accessControl"]))
        try:
            host = start(lite.run_recipe(HOST, "1.0.0", c_recipe, c_zip, DEVICE_PYTHON, **pipes), "gglift host: running")
            c_rss = host_rss(host)
            stop(host)
        finally:
            lite.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def p(values, q):
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"round trip event -> function -> publish through ggipcd, {args.n} sequential events")
    print(f"  gglift host, pinned Python function: {host_rate:7.1f} events/s  p50 {p(host_lat, 50):6.2f} ms  p99 {p(host_lat, 99):6.2f} ms")
    print(f"  awsiotsdk echo component (baseline): {sdk_rate:7.1f} events/s  p50 {p(sdk_lat, 50):6.2f} ms  p99 {p(sdk_lat, 99):6.2f} ms")
    print(f"  ratio (host p50 / baseline p50): {p(host_lat, 50) / p(sdk_lat, 50):.2f}  (target <= 1.5); "
          f"throughput ratio (baseline / host): {sdk_rate / host_rate:.2f}")
    print("idle resident memory (RSS)")
    print(f"  host with one pinned Python function: host {py_rss[0]:.1f} MB, worker {py_rss[1]:.1f} MB  (target: host <= 14 MB)")
    print(f"  host with one C function:             host {c_rss[0]:.1f} MB, worker {c_rss[1]:.1f} MB")
    print(f"  awsiotsdk echo component:             {sdk_rss:.1f} MB")


if __name__ == "__main__":
    main()
