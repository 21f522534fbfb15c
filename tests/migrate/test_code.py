"""Functions' code: fetched from the cloud Lambda version with --fetch-code, and checked by gglift port."""

from __future__ import annotations

import json
import shutil
import zipfile

import boto3
from moto import mock_aws

from gglift.migrate import plan_migration

from . import v1group
from .conftest import gglift
from .test_exports import EXPECTED_TOML


def test_fetch_code_downloads_each_function_from_its_lambda_version(pristine_export, filter_binary, tmp_path):
    export = shutil.copytree(pristine_export, tmp_path / "export", ignore=shutil.ignore_patterns("lambda-code"))
    with mock_aws():
        session = boto3.Session(region_name=v1group.REGION)
        v1group.create_group(session, filter_binary)  # the same functions and versions, in this moto
        plan = plan_migration(export, fetch_code=True, download=v1group.moto_code)
    for name, rel in (("sensor", "app.py"), ("thermostat", "thermostat.py"), ("filter", "filter")):
        assert plan.files[f"functions/{name}/{rel}"][0] == (pristine_export / "lambda-code" / name / rel).read_bytes()
    assert plan.files["functions/filter/filter"][1] == 0o755
    codes = [(item.code, item.element) for item in plan.report.items]
    # handler and runtime now come from the Lambda configuration, not from a guess
    assert [c for c in codes if c[0] in ("GGM109", "GGM110")] == []
    assert plan.files["gglift.toml"][0].decode() == EXPECTED_TOML


def test_without_code_or_fetch_code_the_report_says_what_to_do(pristine_export, tmp_path):
    export = shutil.copytree(pristine_export, tmp_path / "export", ignore=shutil.ignore_patterns("lambda-code"))
    result = gglift("migrate", export, "--out", tmp_path / "p", "--format", "json")
    assert result.returncode == 1  # migrated, with error items
    items = [i for i in json.loads(result.stdout)["items"] if i["code"] == "GGM110"]
    assert [(i["element"], i["message"], i["hint"]) for i in items][0] == (
        "function sensor", "the export has no code for it (no lambda-code/sensor/)",
        "run gglift migrate --fetch-code, or copy the code to functions/sensor/")
    assert len(items) == 3


def test_a_failed_download_is_reported_per_function(pristine_export, tmp_path, monkeypatch):
    export = shutil.copytree(pristine_export, tmp_path / "export", ignore=shutil.ignore_patterns("lambda-code"))
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    plan = plan_migration(export, fetch_code=True)
    failures = [item for item in plan.report.items if item.code == "GGM110"]
    assert len(failures) == 3
    assert failures[0].message.startswith(f"lambda get-function {v1group.arn('sensor')} failed: EndpointConnectionError")


def test_port_findings_are_part_of_the_report(export, tmp_path):
    (export / "lambda-code" / "sensor" / "app.py").write_text(
        "import boto3\n"
        "iot = boto3.client('iot-data')\n"
        "def function_handler(event, context):\n"
        "    iot.publish(topic='sensors/s1/celsius', qos=1, payload='{}')\n")
    result = gglift("migrate", export, "--out", tmp_path / "p", "--format", "json")
    assert result.returncode == 0, result.stderr
    [item] = [i for i in json.loads(result.stdout)["items"] if i["code"] == "GGM111"]
    assert (item["element"], item["message"]) == ("function sensor", "gglift port --check: 2 finding(s) in the code")
    assert [(f["file"], f["line"], f["code"]) for f in item["detail"]["findings"]] == [("app.py", 1, "port"), ("app.py", 4, "GGL100")]
    # the code is copied as it was: porting it is the user's next step
    assert (tmp_path / "p" / "functions/sensor/app.py").read_bytes() == (export / "lambda-code/sensor/app.py").read_bytes()


def test_a_code_zip_the_script_did_not_unzip_is_read(export, tmp_path):
    shutil.rmtree(export / "lambda-code" / "sensor")
    with zipfile.ZipFile(export / "lambda-code" / "sensor.zip", "w") as archive:
        archive.write(v1group.CODE / "sensor" / "app.py", "app.py")
    result = gglift("migrate", export, "--out", tmp_path / "p")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "p/functions/sensor/app.py").read_bytes() == (v1group.CODE / "sensor" / "app.py").read_bytes()
    assert (tmp_path / "p/gglift.toml").read_text() == EXPECTED_TOML
