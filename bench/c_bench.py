"""Benchmark of C Lambda executables on the local core (not a test): `python bench/c_bench.py [-n N]`.

Prints, from one run: invocations/s and p50/p99 latency of a trivial C executable (built with
`gglift native build` against gglift's Core SDK for C runtime) invoked through the core, the
same for a trivial Python function on gglift's Python runner, their ratio, and the resident
memory of each idle pinned worker. Both workers are pinned and warmed up first; both
measurements come from the same run on the same machine, so only the ratios matter.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gglift.config import load_project
from gglift.runtime import Core

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


async def timed_invokes(core: Core, name: str, n: int) -> list[float]:
    latencies = []
    for _ in range(n):
        start = time.perf_counter()
        await core.invoke(name, b"{}")
        latencies.append(time.perf_counter() - start)
    return latencies


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
            rates = {}
            for name, label in (("python", "Python runner"), ("c", "C executable")):
                await timed_invokes(core, name, 200)  # warm-up: worker started, caches hot
                line, rates[name] = summary(label, await timed_invokes(core, name, n))
                print(line)
            print(f"{'C / Python throughput':<24} {rates['c'] / rates['python']:8.2f}x   (target >= 2x)")
            await asyncio.sleep(0.5)
            for name, label in (("c", "C executable"), ("python", "Python runner")):
                rss = core.pools[name].workers[0].process.rss_kb()
                print(f"{'idle worker RSS':<24} {rss / 1024:8.2f} MB   {label}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="invocations per measurement (default 3000)")
    asyncio.run(main(parser.parse_args().n))
