"""The moto-built V1 group, exported as AWS's script does, migrated, packaged and run."""

from __future__ import annotations

import json
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import pytest

from .conftest import gglift

EXPECTED_TOML = """\
# Migrated from a Greengrass V1 group by `gglift migrate`.
# What changed meaning or could not move: migration-report.json (`gglift migrate --explain CODE`).

target = "component"

[local]
thing_name = "plant-core"
region = "us-east-1"
account = "123456789012"

[[function]]
name = "sensor"
handler = "app.function_handler"
runtime = "python3.8"
source = "functions/sensor"
lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:sensor:1"
pinned = true
timeoutInSeconds = 5
inputPayloadEncodingType = "json"
execArgs = []
environmentVariables.UNITS = "celsius"
eventSources = [{ topic = "sensors/+/raw", type = "IOT_CORE" }]
linuxProcessParams.isolationMode = "GreengrassContainer"
linuxProcessParams.containerParams.memorySizeInKB = 32768
linuxProcessParams.containerParams.mountROSysfs = true
linuxProcessParams.containerParams.volumes = [{ sourcePath = "/var/lib/sensor", destinationPath = "/data", permission = "rw", addGroupOwner = true }]
linuxProcessParams.containerParams.devices = [{ path = "/dev/ttyUSB0", permission = "ro", addGroupOwner = false }]

[[function]]
name = "thermostat"
handler = "thermostat.function_handler"
runtime = "python3.8"
source = "functions/thermostat"
lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:thermostat:1"
pinned = false
timeoutInSeconds = 10
inputPayloadEncodingType = "json"
execArgs = []
environmentVariables.THING_NAME = "plant-core"
eventSources = [{ topic = "$aws/things/plant-core/shadow/update/accepted", type = "PUB_SUB" }]
linuxProcessParams.isolationMode = "GreengrassContainer"
linuxProcessParams.containerParams.memorySizeInKB = 16384
linuxProcessParams.containerParams.mountROSysfs = false
linuxProcessParams.containerParams.volumes = []
linuxProcessParams.containerParams.devices = []

[[function]]
name = "filter"
handler = "filter"
runtime = "executable"
source = "functions/filter"
lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:filter:1"
pinned = false
timeoutInSeconds = 3
inputPayloadEncodingType = "binary"
execArgs = ["--threshold", "30"]
environmentVariables = {}
eventSources = []
linuxProcessParams.isolationMode = "NoContainer"
linuxProcessParams.containerParams.memorySizeInKB = 16384
linuxProcessParams.containerParams.mountROSysfs = false
linuxProcessParams.containerParams.volumes = []
linuxProcessParams.containerParams.devices = []

[[subscription]]
source = "sensor"
subject = "sensors/+/celsius"
target = "thermostat"

[[subscription]]
source = "sensor"
subject = "sensors/+/celsius"
target = "filter"

[[subscription]]
source = "thermostat"
subject = "thermostat/state"
target = "cloud"
"""

# (code, element) of every report item, in report order.
EXPECTED_ITEMS = [
    ("GGM100", "function sensor"), ("GGM109", "function sensor"), ("GGM113", "function sensor"),
    ("GGM300", "resource data-volume"), ("GGM301", "resource serial-port"),
    ("GGM100", "function thermostat"), ("GGM109", "function thermostat"), ("GGM107", "function thermostat"),
    ("GGM102", "function thermostat"), ("GGM303", "resource thermostat-secret"),
    ("GGM100", "function filter"), ("GGM105", "function filter"), ("GGM106", "function filter"),
    ("GGM101", "function filter"),
    ("GGM201", "subscription 1"), ("GGM200", "subscription 2"), ("GGM200", "subscription 3"),
    ("GGM203", "subscription 4"), ("GGM202", "subscription 5"), ("GGM200", "subscription 6"),
    ("GGM501", "group"),
]


@pytest.fixture
def migrated(export, tmp_path):
    result = gglift("migrate", export, "--out", tmp_path / "plant", "--format", "json")
    assert result.returncode == 0, result.stderr
    return tmp_path / "plant", json.loads(result.stdout)


def test_the_export_becomes_the_expected_project(migrated, export):
    project, report = migrated
    assert (project / "gglift.toml").read_text() == EXPECTED_TOML
    assert tomllib.loads(EXPECTED_TOML)["function"][2]["execArgs"] == ["--threshold", "30"]
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()) == [
        "functions/filter/filter", "functions/sensor/app.py", "functions/thermostat/thermostat.py",
        "gglift.toml", "migration-report.json"]
    for name, rel in (("sensor", "app.py"), ("thermostat", "thermostat.py"), ("filter", "filter")):
        assert (project / "functions" / name / rel).read_bytes() == (export / "lambda-code" / name / rel).read_bytes()
    assert (project / "functions/filter/filter").stat().st_mode & 0o111
    assert [(item["code"], item["element"]) for item in report["items"]] == EXPECTED_ITEMS
    assert report["functions"] == ["sensor", "thermostat", "filter"]
    assert report["lambda_components"] == ["sensor"]
    assert report["summary"] == {"error": 0, "warning": 7, "info": 14}
    assert json.loads((project / "migration-report.json").read_text()) == {**report, "source": "export"}


def test_the_text_report_names_each_item_with_its_fix(export, tmp_path):
    result = gglift("migrate", export, "--out", tmp_path / "plant")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "gglift migrate export"
    assert "  GGM106 warning RunAs 0:0 runs the function as root" in lines
    assert ('  GGM202 warning GGShadowService -> $aws/things/plant-core/shadow/update/accepted -> '
            'arn:aws:lambda:us-east-1:123456789012:function:thermostat:1 -> eventSources '
            "{ topic = '$aws/things/plant-core/shadow/update/accepted', type = 'PUB_SUB' } of thermostat") in lines
    assert lines[-3:] == ['target = "component"; would also work as Lambda components: sensor',
                          "3 function(s) migrated; 0 error(s), 7 warning(s), 14 info(s)",
                          f"wrote {tmp_path / 'plant'}"]


def test_the_same_export_gives_byte_identical_projects(export, tmp_path):
    for out in ("a", "b"):
        assert gglift("migrate", export, "--out", tmp_path / out).returncode == 0
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_the_migrated_project_packages_and_runs(migrated, tmp_path):
    project, _ = migrated
    check = gglift("package", "--check", project)
    assert (check.returncode, check.stdout) == (0, f"{project / 'gglift.toml'}: ok (3 function(s))\n")
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps({"topic": "sensors/s1/raw", "payload": {"fahrenheit": 212}, "source": "IOT_CORE"}) + "\n")
    record = tmp_path / "record.jsonl"
    run = gglift("run", project, "--events", events, "--until-idle", "--record", record)
    assert run.returncode == 0, run.stdout + run.stderr
    records = [json.loads(line) for line in record.read_text().splitlines()]
    invocations = {(r["function"], r["topic"]): r for r in records if r["kind"] == "invocation"}
    publishes = [(r["source"], r["topic"], r["targets"]) for r in records if r["kind"] == "publish"]
    # the cloud subscription became sensor's IOT_CORE event source
    assert invocations["sensor", "sensors/s1/raw"]["error"] == ""
    # sensor's publish follows the migrated subscriptions to thermostat and the C executable
    assert ("sensor", "sensors/s1/celsius", ["thermostat", "filter"]) in publishes
    assert invocations["filter", "sensors/s1/celsius"]["result"] == "30 bytes"
    assert invocations["thermostat", "sensors/s1/celsius"]["error"] == ""
    # the thermostat's local shadow update comes back on its migrated PUB_SUB event source ...
    accepted = "$aws/things/plant-core/shadow/update/accepted"
    assert ("GGShadowService", accepted, ["thermostat"]) in publishes
    assert invocations["thermostat", accepted]["error"] == ""
    # ... and its publish reaches the migrated cloud target
    state = [r for r in records if r["kind"] == "publish" and r["topic"] == "thermostat/state"]
    assert [(r["payload"], r["targets"]) for r in state] == [({"celsius": 100.0, "sensor": "s1"}, ["cloud"])]
