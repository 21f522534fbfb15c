"""``target = "component"``: the examples packaged as one gglift host component each, checked
against botocore's greengrassv2 model, byte-identical across rebuilds."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import botocore.session
import pytest
import yaml
from botocore.validate import ParamValidator

from gglift.config import load_project
from gglift.package import package_project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = sorted(p.name for p in EXAMPLES.iterdir() if (p / "gglift.toml").is_file())


def as_component(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("build", ".gglift"))
    config = dst / "gglift.toml"
    text = config.read_text()
    if 'target = "component"' not in text:  # examples/shadow has it already
        config.write_text('target = "component"\n' + text)
    return dst


def assert_valid(operation: str, body: dict) -> None:
    model = botocore.session.get_session().get_service_model("greengrassv2")
    report = ParamValidator().validate(body, model.operation_model(operation).input_shape)
    assert not report.has_errors(), report.generate_report()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", NAMES)
def test_examples_package_as_valid_byte_identical_components(name, tmp_path, vendor_cache):
    project = load_project(as_component(EXAMPLES / name, tmp_path / name))
    package_project(project, out_dir=tmp_path / "a", cache_dir=vendor_cache)
    package_project(project, out_dir=tmp_path / "b", cache_dir=vendor_cache)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")

    out = tmp_path / "a"
    deployment = json.loads((out / "deployment.json").read_text())
    assert_valid("CreateDeployment", deployment)
    request = json.loads((out / "component" / "requests" / "create-component-version.json").read_text())
    assert_valid("CreateComponentVersion", {"inlineRecipe": base64.b64decode(request["inlineRecipe"])})
    recipe = json.loads(base64.b64decode(request["inlineRecipe"]))
    assert recipe == json.loads((out / "component" / "recipe.json").read_text())
    assert yaml.safe_load((out / "component" / "recipe.yaml").read_text()) == recipe
    first = project.functions[0]
    assert (recipe["RecipeFormatVersion"], recipe["ComponentName"], recipe["ComponentType"]) == (
        "2020-01-25", first.component.name, "aws.greengrass.generic")
    assert [m["Platform"] for m in recipe["Manifests"]] == [{"os": "linux", "runtime": "aws_nucleus_lite"}, {"os": "linux"}]
    data = (out / "component" / "gglift-component.zip").read_bytes()
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert {m["Artifacts"][0]["Digest"] for m in recipe["Manifests"]} == {digest}
    limits = deployment["components"][first.component.name]["runWith"]["systemResourceLimits"]
    assert limits == {"memory": 16384 + sum(fn.linuxProcessParams.containerParams.memorySizeInKB for fn in project.functions)}


def test_access_control_is_derived_from_routes_and_code(tmp_path, vendor_cache):
    project = load_project(as_component(EXAMPLES / "republish", tmp_path / "republish"))
    package_project(project, out_dir=tmp_path / "out", cache_dir=vendor_cache)
    recipe = json.loads((tmp_path / "out" / "component" / "recipe.json").read_text())
    assert recipe["ComponentConfiguration"]["DefaultConfiguration"]["accessControl"] == {
        "aws.greengrass.ipc.mqttproxy": {
            "republish:mqttproxy:1": {"policyDescription": "gglift: IOT_CORE event sources and routes from cloud",
                                      "operations": ["aws.greengrass#SubscribeToIoTCore"],
                                      "resources": ["test/input_message"]},
            "republish:mqttproxy:2": {"policyDescription": "gglift: publishes routed to cloud",
                                      "operations": ["aws.greengrass#PublishToIoTCore"],
                                      "resources": ["test/topic_results"]}}}


def test_wildcard_routes_become_globs_nucleus_lite_reads_as_meant():
    from gglift.package.access import globs
    from gglift.runtime.access import glob_matches

    filters = ("a/+/b", "a/#", "#", "plain", "x/${y}")
    assert [globs(f) for f in filters] == [["a/*/b"], ["a", "a/*"], ["*"], ["plain"], ["x/${$}{y}"]]
    for topic in ("a/1/b", "a", "a/1/2", "anything", "plain", "x/${y}"):  # each topic one filter routes
        assert any(glob_matches(topic, g) for f in filters for g in globs(f)), topic


def test_lifecycle_fails_clearly_without_python3(tmp_path):
    from gglift.package.component import lifecycle

    script = lifecycle("lite").replace("{artifacts:decompressedPath}", str(tmp_path)).replace("{work:path}", str(tmp_path))
    done = subprocess.run(["/bin/sh", "-c", script], env={"PATH": str(tmp_path / "empty")}, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (
        1, "gglift: this component needs python3 3.9 or newer on the device (apt-get install python3)\n")


def test_lambda_target_reports_what_v2_lambda_components_cannot_run(tmp_path, vendor_cache):
    shutil.copytree(EXAMPLES / "shadow", tmp_path / "shadow")
    config = tmp_path / "shadow" / "gglift.toml"  # without the key: target = "lambda"
    config.write_text(config.read_text().replace('target = "component"\n', ""))
    result = package_project(load_project(tmp_path / "shadow"), out_dir=tmp_path / "out", cache_dir=vendor_cache)
    hint = 'hint: set target = "component" in gglift.toml: gglift\'s host runs it on the nucleus and on nucleus lite'
    assert [n for n in result.notes if n.startswith("GGL190")] == [
        f"GGL190 thermostat.py:{line}: function thermostat calls the V1 local shadow service (thing THING), "
        f"which a Lambda component on Greengrass V2 cannot run; {hint}" for line in (12, 13, 14)]


def test_a_thing_named_at_run_time_gets_every_thing_shadow(tmp_path, vendor_cache):
    project = load_project(as_component(EXAMPLES / "shadow", tmp_path / "shadow"))
    package_project(project, out_dir=tmp_path / "out", cache_dir=vendor_cache)
    recipe = json.loads((tmp_path / "out" / "component" / "recipe.json").read_text())
    policy = recipe["ComponentConfiguration"]["DefaultConfiguration"]["accessControl"]["aws.greengrass.ShadowManager"]
    assert [p["resources"] for p in policy.values()] == [["$aws/things/*/shadow"]]


def test_route_qos_is_validated_and_reaches_the_host_description(tmp_path, vendor_cache):
    from gglift.config import ConfigError
    from gglift.host import description

    project_dir = as_component(EXAMPLES / "republish", tmp_path / "republish")
    config = project_dir / "gglift.toml"
    config.write_text(config.read_text().replace('target = "cloud"', 'target = "cloud"\nqos = 1'))
    project = load_project(project_dir)
    assert [s.qos for s in project.subscriptions] == [1]
    package_project(project, out_dir=tmp_path / "out", cache_dir=vendor_cache)
    hosted = description.load(tmp_path / "out" / "component" / "work" / "project.json", tmp_path)
    assert [(s.subject, s.target, s.qos) for s in hosted.subscriptions] == [("test/topic_results", "cloud", 1)]

    config.write_text(config.read_text().replace("qos = 1", "qos = 2"))
    with pytest.raises(ConfigError) as bad:
        load_project(project_dir)
    assert [(p.key, p.message, p.hint) for p in bad.value.problems] == [("subscription[0].qos", "QoS 2 is not supported", "use 0 or 1")]


def test_shadow_sync_grants_the_classic_topics_and_configures_shadow_manager(tmp_path, vendor_cache):
    root = as_component(EXAMPLES / "shadow", tmp_path / "shadow")
    config = root / "gglift.toml"
    config.write_text(config.read_text().replace('target = "component"\n', 'target = "component"\nshadow_sync = ["thermostat-1"]\n'))
    package_project(load_project(root), out_dir=tmp_path / "out", cache_dir=vendor_cache)
    recipe = json.loads((tmp_path / "out" / "component" / "recipe.json").read_text())
    mqtt = recipe["ComponentConfiguration"]["DefaultConfiguration"]["accessControl"]["aws.greengrass.ipc.mqttproxy"]
    assert [(p["operations"], p["resources"]) for p in mqtt.values()] == [
        (["aws.greengrass#PublishToIoTCore"], [f"$aws/things/thermostat-1/shadow/{op}" for op in ("delete", "get", "update")]),
        (["aws.greengrass#SubscribeToIoTCore"], ["$aws/things/thermostat-1/shadow/get/accepted",
                                                 "$aws/things/thermostat-1/shadow/update/delta"])]
    deployment = json.loads((tmp_path / "out" / "deployment.json").read_text())
    assert_valid("CreateDeployment", deployment)
    manager = deployment["components"]["aws.greengrass.ShadowManager"]
    assert json.loads(manager["configurationUpdate"]["merge"]) == {"synchronize": {
        "direction": "betweenDeviceAndCloud",
        "shadowDocuments": [{"classic": True, "namedShadows": [], "thingName": "thermostat-1"}]}}
    description = json.loads(zipfile.ZipFile(tmp_path / "out" / "component" / "gglift-component.zip").read("project.json"))
    assert description["shadow_sync"] == ["thermostat-1"]
