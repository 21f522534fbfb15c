"""`gglift invoke` cold (requirements installed into an empty cache) and warm (cached).

A function importing greengrasssdk: its worker environment (greengrasssdk and cbor2, installed
for this machine) is built by pip on the first invoke and reused after. Each figure is the
median of ROUNDS runs, printed with its ratio to the baseline measured in the same run: the
same command's start without a core (`gglift invoke --help`).

    python bench/invoke_bench.py [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

APP = "import greengrasssdk\n\niot = greengrasssdk.client('iot-data')\n\n\ndef handler(event, context):\n    return event\n"


def timed(args, cwd, env) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "project"
        project.mkdir()
        (project / "gglift.toml").write_text('[[function]]\nname = "fn"\nhandler = "app.handler"\n')
        (project / "app.py").write_text(APP)
        base, cold, warm = [], [], []
        for index in range(rounds):
            env = {**os.environ, "GGLIFT_CACHE_DIR": str(Path(tmp) / f"cache-{index}")}
            base.append(timed(["invoke", "--help"], project, env))
            cold.append(timed(["invoke", "fn", "-q"], project, env))
            warm.append(timed(["invoke", "fn", "-q"], project, env))
    floor = statistics.median(base)
    for label, samples in (("baseline: gglift invoke --help", base), ("cold: empty cache (pip installs greengrasssdk, cbor2)", cold),
                           ("warm: cached worker environment", warm)):
        median = statistics.median(samples)
        print(f"{label:<55} {median:6.2f} s  ({median / floor:5.1f}x baseline; range {min(samples):.2f}-{max(samples):.2f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
