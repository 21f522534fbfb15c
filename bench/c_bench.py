"""Benchmark of C Lambda executables on the local core (not a test): `python bench/c_bench.py [-n N]`.

Prints, from one run: invocations/s and p50/p99 latency of a trivial C executable (built with
`gglift native build` against gglift's Core SDK for C runtime) invoked through the core, the
same for a trivial Python function on gglift's Python runner, their ratio, the CPU time each
worker process spends per invocation (the runtime's own cost, without the core's), and the
resident memory of each idle pinned worker. Both workers are pinned and warmed up first; both
measurements come from the same run on the same machine, so only the ratios matter.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

from gglift.config import load_project
from gglift.runtime import Core, eventloop
from run_bench import timed_invokes  # bench/ is on sys.path when run as a script

TRIVIAL_C = """#include "greengrasssdk.h"

static void handler(const gg_lambda_context *cxt) {
    (void)cxt;
}

int main(void) {
    gg_global_init(0);
    return gg_runtime_start(handler, 0) == GGE_TERMINATE ? 0 : 1;
}
"""

TOML = """
[[function]]
name = "c"
runtime = "executable"
handler = "trivial"
inputPayloadEncodingType = "binary"

[[function]]
name = "python"
handler = "app.trivial"
inputPayloadEncodingType = "binary"
"""


ROUNDS = 5


def summary(label: str, latencies: list[float]) -> tuple[str, float]:
    rate = len(latencies) / sum(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000
    return f"{label:<24} {rate:8.0f} inv/s   p50 {p50:6.3f} ms   p99 {p99:6.3f} ms", rate


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "trivial.c").write_text(TRIVIAL_C)
        subprocess.run([sys.executable, "-m", "gglift", "native", "build", str(root / "trivial.c"),
                        "-o", str(root / "trivial"), "--cflag=-O2"], check=True, capture_output=True)
        (root / "app.py").write_text("def trivial(event, context):\n    return None\n")
        (root / "gglift.toml").write_text(TOML)
        async with Core(load_project(root), mqtt=None) as core:
            names = {"python": "Python runner", "c": "C executable"}
            latencies, cpu, rates = {name: [] for name in names}, dict.fromkeys(names, 0.0), {}
            workers = {}
            for name in names:
                await timed_invokes(core, name, 200)  # warm-up: worker started, caches hot
                workers[name] = psutil.Process(core.pids(name)[0])
            # Alternate rounds so a burst of load from elsewhere on the machine hits both alike.
            for _ in range(ROUNDS):
                for name, worker in workers.items():
                    before = sum(worker.cpu_times()[:2])
                    latencies[name] += await timed_invokes(core, name, n // ROUNDS)
                    cpu[name] += sum(worker.cpu_times()[:2]) - before
            for name, label in names.items():
                line, rates[name] = summary(label, latencies[name])
                cpu[name] /= len(latencies[name])
                print(line)
            print(f"{'C / Python throughput':<24} {rates['c'] / rates['python']:8.2f}x   (target >= 2x)")
            for name, label in (("c", "C executable"), ("python", "Python runner")):
                print(f"{'worker CPU / invocation':<24} {cpu[name] * 1e6:8.0f} us   {label}")
            print(f"{'Python / C worker CPU':<24} {cpu['python'] / max(cpu['c'], 1e-9):8.1f}x")
            await asyncio.sleep(0.5)
            for name, label in (("c", "C executable"), ("python", "Python runner")):
                rss = core.pools[name].workers[0].process.rss_kb()
                print(f"{'idle worker RSS':<24} {rss / 1024:8.2f} MB   {label}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="invocations per measurement (default 3000)")
    eventloop.run(main(parser.parse_args().n))
