"""Bad input: a clear error naming the file and the JSON path, exit 2, no traceback, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import gglift

TEMPLATE = Path(__file__).resolve().parent / "plant.yaml"


def _refused(source, out: Path) -> str:
    result = gglift("migrate", source, "--out", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*"))  # no staging folder left behind
    return result.stderr


def test_truncated_json_names_the_member_being_read(export, tmp_path):
    functions = export / "functions.json"
    text = functions.read_text()
    cut = text.index('"Timeout": 10') + len('"Timeout": ')
    functions.write_text(text[:cut])
    line = text[:cut].count("\n") + 1
    column = cut - text.rfind("\n", 0, cut)
    assert _refused(export, tmp_path / "out") == (
        f"error: functions.json: $.Definition.Functions[1].FunctionConfiguration.Timeout: not valid JSON: "
        f"Expecting value at line {line} column {column} [GGM901]\n"
        "  hint: the file looks cut short or edited; export it again\n")


def test_a_missing_definition_file_is_named_with_the_group_member(export, tmp_path):
    arn = json.loads((export / "group.json").read_text())["Definition"]["SubscriptionDefinitionVersionArn"]
    (export / "subscriptions.json").unlink()
    assert _refused(export, tmp_path / "out") == (
        f"error: group.json: $.Definition.SubscriptionDefinitionVersionArn: names {arn}, which no file of the export holds [GGM902]\n"
        "  hint: save `aws greengrass get-subscription-definition-version` for it in the folder\n")


def test_a_definition_the_script_does_not_export_is_reported_not_fatal(export, tmp_path):
    (export / "saved-resources.json").unlink()
    result = gglift("migrate", export, "--out", tmp_path / "out", "--format", "json")
    assert result.returncode == 0, result.stderr
    items = [(i["code"], i["element"]) for i in json.loads(result.stdout)["items"]]
    assert ("GGM906", "group") in items
    assert items.count(("GGM304", "function sensor")) == 2 and ("GGM304", "function thermostat") in items


RESOURCE_TYPES = ("LocalDeviceResourceData, LocalVolumeResourceData, S3MachineLearningModelResourceData, "
                  "SageMakerMachineLearningModelResourceData, SecretsManagerSecretResourceData")


@pytest.mark.parametrize("file, old, new, expected", [
    ("saved-resources.json", "LocalDeviceResourceData", "LocalPipeResourceData",
     "error: saved-resources.json: $.Definition.Resources[1].ResourceDataContainer.LocalPipeResourceData: "
     f"unknown resource type 'LocalPipeResourceData' [GGM903]\n  hint: use one of: {RESOURCE_TYPES}\n"),
    ("plant.yaml", "AWS::Greengrass::ResourceDefinition", "AWS::Greengrass::PipeDefinition",
     "error: plant.yaml: $.Resources.ResourceDefinition.Type: unknown resource type 'AWS::Greengrass::PipeDefinition' [GGM903]\n"
     "  hint: Greengrass V1 types: AWS::Greengrass::Group, AWS::Greengrass::<Kind>Definition(Version)\n"),
    ("functions.json", '"Timeout": 10', '"Timeout": "ten"',
     "error: functions.json: $.Definition.Functions[1].FunctionConfiguration.Timeout: must be an integer [GGM901]\n"
     "  hint: compare with the AWS CLI's output for this call\n"),
    ("bucket.yaml", None, "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n",
     "error: bucket.yaml: $.Resources: the template declares no Greengrass V1 group or definition [GGM904]\n"
     "  hint: give a template with AWS::Greengrass::Group and its definitions\n"),
    ("one-file.json", None, '{"Arn": "a", "Definition": {"Functions": []}}',
     "error: one-file.json: $: an AWS CLI export, not a template [GGM904]\n"
     "  hint: give the folder that holds it with the group's other exports\n"),
], ids=["unknown-resource-type-in-export", "unknown-resource-type-in-template", "wrong-type", "template-without-group",
        "single-export-file"])
def test_bad_content_is_named_by_file_and_path(export, tmp_path, file, old, new, expected):
    """Exports are damaged in the folder; templates and single files are written beside it and given as SOURCE."""
    path = export / file
    if old is None or file.endswith(".yaml"):  # a file given as SOURCE itself
        path.write_text(new if old is None else TEMPLATE.read_text().replace(old, new))
        source = path
    else:
        path.write_text(path.read_text().replace(old, new))
        source = export
    assert _refused(source, tmp_path / "out") == expected


def test_broken_yaml(tmp_path):
    template = tmp_path / "plant.yaml"
    template.write_text(TEMPLATE.read_text()[:400] + "\n  - [unclosed\n")
    stderr = _refused(template, tmp_path / "out")
    assert stderr.startswith("error: plant.yaml: not valid YAML at line ") and stderr.endswith(" [GGM901]\n  hint: the file looks cut short or edited\n")


def test_unknown_fields_are_reported_not_dropped_silently(export, tmp_path):
    functions = export / "functions.json"
    data = json.loads(functions.read_text())
    data["Definition"]["Functions"][0]["FunctionConfiguration"]["CpuShares"] = 512
    functions.write_text(json.dumps(data))
    (export / "notes.json").write_text('{"owner": "plant team"}')
    result = gglift("migrate", export, "--out", tmp_path / "out", "--format", "json")
    assert result.returncode == 0, result.stderr
    items = [(i["code"], i["element"], i["message"]) for i in json.loads(result.stdout)["items"]]
    # reading notes come first, in file name order
    assert items[:2] == [
        ("GGM120", "file functions.json", "$.Definition.Functions[0].FunctionConfiguration.CpuShares is not a key the API knows; it is not migrated"),
        ("GGM900", "file notes.json", "not a Greengrass V1 export (get-group-version or get-*-definition-version output); ignored"),
    ]


def test_an_existing_out_is_never_overwritten_without_force(pristine_export, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "gglift.toml").write_text("# mine\n")
    result = gglift("migrate", pristine_export, "--out", out)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"error: {out}: already exists; nothing was written [GGM905]\n  hint: give another --out, or --force to replace it\n"
    assert [p.name for p in out.iterdir()] == ["gglift.toml"] and (out / "gglift.toml").read_text() == "# mine\n"
    forced = gglift("migrate", pristine_export, "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / "gglift.toml").read_text().startswith("# Migrated from a Greengrass V1 group")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the old folder and the staging one are gone


def test_usage_errors(tmp_path):
    missing = gglift("migrate", tmp_path / "nope", "--out", tmp_path / "out")
    assert (missing.returncode, missing.stderr) == (2, f"error: {tmp_path / 'nope'}: no such file or folder [GGM901]\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = gglift("migrate", empty, "--out", tmp_path / "out")
    assert (nothing.returncode, nothing.stderr) == (2, f"error: {empty}: no Greengrass V1 export here [GGM904]\n"
                                                      "  hint: give the folder AWS's export script wrote (group.json, functions.json, ...) or a template\n")
    unknown = gglift("migrate", "--explain", "GGM999")
    assert unknown.returncode == 2 and "unknown code 'GGM999'" in unknown.stderr
