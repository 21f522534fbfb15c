"""A CloudFormation template of the same group, checked with cfn-lint's own schemas, gives the same project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from cfnlint.api import ManualArgs, lint

from gglift.migrate.cloudformation import read_yaml

from . import v1group
from .conftest import gglift
from .test_exports import EXPECTED_TOML

TEMPLATE = Path(__file__).resolve().parent / "plant.yaml"
SUNSETTING = "W3696"  # cfn-lint's warning that the V1 resource types are being shut down


def _lint(text: str) -> list[str]:
    """cfn-lint's findings other than the sunsetting warning, as 'RULE: message'."""
    matches = lint(text, config=ManualArgs(regions=[v1group.REGION]))
    return [f"{m.rule.id}: {m.message}" for m in matches if m.rule.id != SUNSETTING]


def test_the_template_is_valid_for_cloudformation():
    assert _lint(TEMPLATE.read_text()) == []
    # the schemas are really applied: a resource type V1 never had is refused
    broken = TEMPLATE.read_text().replace("LocalDeviceResourceData:", "LocalPipeResourceData:")
    assert [finding.split(":")[0] for finding in _lint(broken)] == ["E3002"]


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_the_template_gives_the_same_project_as_the_export(form, pristine_export, tmp_path):
    folder = tmp_path / "cfn"
    shutil.copytree(pristine_export / "lambda-code", folder / "lambda-code")
    if form == "yaml":
        template = Path(shutil.copy(TEMPLATE, folder / "plant.yaml"))
    else:  # the same template in JSON, intrinsic functions in their long form
        template = folder / "plant.json"
        template.write_text(json.dumps(read_yaml(TEMPLATE, TEMPLATE.name), indent=2))
        assert _lint(template.read_text()) == []
    result = gglift("migrate", template, "--out", tmp_path / "plant", "--region", v1group.REGION,
                    "--account", v1group.ACCOUNT, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "plant" / "gglift.toml").read_text() == EXPECTED_TOML
    exported = gglift("migrate", pristine_export, "--out", tmp_path / "from-export", "--format", "json")
    assert {**json.loads(result.stdout), "source": "export"} == json.loads(exported.stdout)
    check = gglift("package", "--check", tmp_path / "plant")
    assert check.returncode == 0, check.stderr


def test_handlers_and_runtimes_come_from_the_template_lambda_functions(tmp_path):
    template = yaml.safe_load(json.dumps(read_yaml(TEMPLATE, TEMPLATE.name)))
    template["Resources"]["SensorFunction"] = {"Type": "AWS::Lambda::Function", "Properties": {
        "FunctionName": "sensor", "Handler": "app.function_handler", "Runtime": "python3.11",
        "Role": f"arn:aws:iam::{v1group.ACCOUNT}:role/gg", "Code": {"ZipFile": "def function_handler(e, c): pass"}}}
    template["Resources"]["SensorAlias"] = {"Type": "AWS::Lambda::Alias", "Properties": {
        "FunctionName": {"Ref": "SensorFunction"}, "FunctionVersion": "1", "Name": "live"}}
    functions = template["Resources"]["FunctionDefinition"]["Properties"]["InitialVersion"]["Functions"]
    functions[0]["FunctionArn"] = {"Ref": "SensorAlias"}
    path = tmp_path / "alias.json"
    path.write_text(json.dumps(template))
    assert _lint(path.read_text()) == []
    result = gglift("migrate", path, "--out", tmp_path / "p", "--account", v1group.ACCOUNT, "--format", "json")
    report = json.loads(result.stdout)
    sensor = [(i["code"], i["message"]) for i in report["items"] if i["element"] == "function sensor"]
    assert ("GGM108", f"arn:aws:lambda:us-east-1:{v1group.ACCOUNT}:function:sensor:live names 'live'; lambda_arn left out") in sensor
    assert "GGM109" not in [code for code, _ in sensor]
    text = (tmp_path / "p" / "gglift.toml").read_text()
    assert 'handler = "app.function_handler"\nruntime = "python3.11"\nsource = "functions/sensor"\npinned = true\n' in text


def test_a_group_member_the_api_does_not_know_is_reported(pristine_export, tmp_path):
    template = tmp_path / "plant.yaml"
    template.write_text(TEMPLATE.read_text().replace(
        "        SubscriptionDefinitionVersionArn: !Ref Subscriptions\n",
        "        SubscriptionDefinitionVersionArn: !Ref Subscriptions\n        StreamDefinitionVersionArn: streams\n"))
    shutil.copytree(pristine_export / "lambda-code", tmp_path / "lambda-code")
    result = gglift("migrate", template, "--out", tmp_path / "p", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["items"][0] == {
        "code": "GGM120", "severity": "warning", "element": "file plant.yaml",
        "message": "$.Resources.Group.Properties.InitialVersion.StreamDefinitionVersionArn is not a key the API knows; it is not migrated"}
