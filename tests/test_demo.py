"""`make demo` as a new user runs it: only what the demo needs, no packaging warnings, plain
text into a pipe, headings naming real files, one region, and the alert path exercised."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_make_demo(tmp_path: Path) -> None:
    venv = tmp_path / "demo-venv"
    result = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "demo", f"DEMO_VENV={venv}"], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=1200)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output
    for warning in ("BuildBackendWarning", "SetuptoolsDeprecationWarning", "project.license", "is absent from the `packages`"):
        assert warning not in output
    assert "\x1b[" not in output  # a pipe gets no escape codes
    # only gglift and the SDK the example imports, not the test toolchain
    for tool in ("pytest", "moto", "hypothesis", "cibuildwheel", "pre_commit"):
        assert subprocess.run([venv / "bin" / "python", "-c", f"import {tool}"], capture_output=True).returncode == 1, tool
    # every file a heading names is where it says
    named = re.findall(r"^== .*\((build/demo[-\w]*/[^ ,)]+)", result.stdout, flags=re.M)
    assert len(named) >= 3
    for path in named:
        assert (ROOT / path).exists(), path
    # the recipe and the deployment name the same region
    recipe = (ROOT / "build/demo/build/sensor-gateway/recipe.yaml").read_text()
    assert 'ComponentSource: "arn:aws:lambda:eu-west-1:' in recipe
    assert "create deployment to arn:aws:iot:eu-west-1:" in result.stdout
    # a hot reading reaches the alerting function, invoked by ARN
    assert "log     sensor-alerts WARNING alerts.py:10,ALERT boiler is at 51.5 C" in output
    assert "GGL120" not in output
    assert '{"device": "boiler", "interval": 60}' in result.stdout.splitlines()  # invoke's result, on stdout
    # the component target beside the Lambda one: a generic recipe with a nucleus lite manifest,
    # the host's zipapp on the device's python3, and the Lambda target refusing V1 shadow calls
    assert 'ComponentType: "aws.greengrass.generic"' in result.stdout
    assert '  - Platform: {"os": "linux", "runtime": "aws_nucleus_lite"}' in result.stdout.splitlines()
    assert "usage: gglift-host [-h] --description DESCRIPTION --artifacts ARTIFACTS" in result.stdout
    assert "refused sensor-gateway -> $aws/things/sensor-gateway/shadow/update: GGL190: " in result.stdout
    # seed 003: the writer appends, its Kinesis export is reported, the reader reads from last_seq_no + 1
    assert "invoke  reader [sensors/appended] {\"newest\":9} -> [5,6,7,8,9]" in result.stdout
    assert ("export  SensorReadings/KinesisExportSensorReadings messages 0..4 -> kinesis PutRecords SensorReadings: "
            "not sent (gglift run --export sends it)") in result.stdout
