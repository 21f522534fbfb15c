"""GGL190 from `gglift port`: reported at the shadow calls of a file whose project (the
nearest config from the file's folder upwards) has target = "lambda", and only then."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GGLIFT = [sys.executable, "-m", "gglift"]
APP = 'import boto3\niot = boto3.client("iot-data")\n\n\ndef handler(event, context):\n    return iot.get_thing_shadow(thingName="lamp")\n'
FUNCTION = '[[function]]\nname = "lamp"\nhandler = "app.handler"\nsource = "src"\n'


def _port(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*GGLIFT, "port", "--check", "--no-cache", "src"], cwd=project, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("config", [FUNCTION, 'target = "lambda"\n' + FUNCTION])
def test_shadow_calls_of_a_lambda_target_project_get_ggl190(tmp_path, config):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    (tmp_path / "gglift.toml").write_text(config)
    run = _port(tmp_path)
    assert (run.returncode, run.stderr) == (1, "")
    assert run.stdout == (
        "src/app.py:6:1: GGL190 warning: this code calls the V1 local shadow service (thing lamp), which a Lambda "
        "component on Greengrass V2 cannot run\n"
        "  hint: set target = \"component\" in gglift.toml: gglift's host runs it on the nucleus and on nucleus lite\n"
        "would port src/app.py\n  shadows: lamp\n"
        "1 file would be ported, 0 unchanged; 1 finding (1 warning)\n"
    )


@pytest.mark.parametrize("config", ['target = "component"\n' + FUNCTION, None])
def test_no_ggl190_with_target_component_or_without_a_project(tmp_path, config):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP)
    if config:
        (tmp_path / "gglift.toml").write_text(config)
    run = _port(tmp_path)
    assert (run.returncode, run.stderr) == (1, "")
    assert run.stdout == "would port src/app.py\n  shadows: lamp\n1 file would be ported, 0 unchanged; no findings\n"


def test_already_ported_shadow_calls_get_ggl190_too(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP.replace("boto3", "greengrasssdk"))
    (tmp_path / "gglift.toml").write_text(FUNCTION)
    run = _port(tmp_path)
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines() == [
        "src/app.py:6:1: GGL190 warning: this code calls the V1 local shadow service (thing lamp), which a Lambda "
        "component on Greengrass V2 cannot run",
        "  hint: set target = \"component\" in gglift.toml: gglift's host runs it on the nucleus and on nucleus lite",
        "src/app.py (unchanged)", "  shadows: lamp", "0 files would be ported, 1 unchanged; 1 finding (1 warning)"]
