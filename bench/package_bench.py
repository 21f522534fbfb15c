"""Benchmark `gglift package`: cold vs cached build time, artifact size with and without boto3.

Run: .venv/bin/python bench/package_bench.py
Cold means gglift's vendoring cache is empty (pip's own download cache may be warm, as on
any developer machine); cached is a rebuild with unchanged requirements. Figures are
ratios against the cold build measured in the same run.
"""

from __future__ import annotations

import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from gglift.config import load_project
from gglift.package import package_project

CONFIG = """
[[function]]
name = "gateway"
handler = "app.handler"
source = "src"
requirements = "requirements.txt"
component = {platforms = [{os = "linux", architecture = "aarch64"}]}
"""
CLOUD = "import json\nimport boto3\niot = boto3.client('iot-data')\n\ndef handler(event, context):\n    iot.publish(topic='t', payload=json.dumps(event))\n"
PORTED = "import json\nimport greengrasssdk\niot = greengrasssdk.client('iot-data')\n\ndef handler(event, context):\n    iot.publish(topic='t', payload=json.dumps(event))\n"
REQUIREMENTS = "boto3\nrequests\n"


def project(root: Path, code: str):
    (root / "src").mkdir(parents=True)
    (root / "gglift.toml").write_text(textwrap.dedent(CONFIG))
    (root / "requirements.txt").write_text(REQUIREMENTS)
    (root / "src" / "app.py").write_text(code)
    return load_project(root)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ported = project(tmp / "ported", PORTED)
        cloud = project(tmp / "cloud", CLOUD)
        cache = tmp / "cache"
        cold = timed(lambda: package_project(ported, cache_dir=cache))
        cached = statistics.median(timed(lambda: package_project(ported, cache_dir=cache)) for _ in range(5))
        without = package_project(ported, cache_dir=cache).functions[0]
        with_boto3 = package_project(cloud, cache_dir=cache).functions[0]
    print(f"requirements: {REQUIREMENTS.split()} for linux/aarch64 (greengrasssdk added for the ported code)")
    print(f"package cold:   {cold:6.2f} s")
    print(f"package cached: {cached:6.3f} s (median of 5)  -> cold/cached = {cold / cached:.0f}x")
    print(f"artifact with boto3 (cloud code):       {with_boto3.size / 1e6:6.2f} MB")
    print(f"artifact without boto3 (ported code):   {without.size / 1e6:6.2f} MB"
          f"  -> {with_boto3.size / without.size:.1f}x smaller; left out: {', '.join(d.name for d in without.left_out)}")


if __name__ == "__main__":
    main()
