"""gglift deploy for target = "component": upload, create the component from its recipe, deploy;
moto for S3 and IoT, Stubber (the greengrassv2 model) for Greengrass, no Lambda function."""

from __future__ import annotations

import json
import textwrap

from gglift.config import load_project
from gglift.deploy import Clients, Deployer, DeployState, STATE_NAME
from gglift.package import package_project
from gglift.package.requests import Target
from gglift.routes import Derived

REGION, ACCOUNT = "eu-west-1", "123456789012"  # as in conftest.py
ARN = f"arn:aws:greengrass:{REGION}:{ACCOUNT}:components:com.example.Sensor:versions:1.0.0"
FLEET = f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/Fleet"
KEY = "gglift/com.example.Sensor/1.0.0/gglift-component.zip"


def test_a_component_deploy_uploads_creates_and_deploys(tmp_path, aws, greengrass):
    s3, lam, iot = aws
    gg, stubber = greengrass
    (tmp_path / "gglift.toml").write_text(textwrap.dedent('''
        target = "component"
        [[function]]
        name = "sensor"
        handler = "app.handler"
        source = "src"
        component = {name = "com.example.Sensor", version = "1.0.0"}
        '''))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    project = load_project(tmp_path)
    target = Target.default(project, region=REGION, account=ACCOUNT, bucket="artifacts", role="unused")
    result = package_project(project, target=target, thing_group="Fleet", derive_with=lambda p: Derived())
    recipe_json = (result.out_dir / "component" / "recipe.json").read_bytes()
    stubber.add_response("create_component_version", {"arn": ARN, "componentName": "com.example.Sensor",
                                                      "componentVersion": "1.0.0", "creationTimestamp": 0,
                                                      "status": {"componentState": "REQUESTED"}},
                         {"inlineRecipe": recipe_json})
    stubber.add_response("describe_component", {"arn": ARN, "status": {"componentState": "DEPLOYABLE"}}, {"arn": ARN})
    deployment = json.loads(result.deployment.read_text())
    assert deployment["targetArn"] == FLEET
    stubber.add_response("create_deployment", {"deploymentId": "d-1"}, deployment)
    lines = []
    deployer = Deployer(result, target, FLEET, Clients(s3, lam, gg, iot), DeployState(result.out_dir / STATE_NAME),
                        echo=lines.append, sleep=lambda s: None)
    assert deployer.run()["deploymentId"] == "d-1"
    assert s3.get_object(Bucket="artifacts", Key=KEY)["Body"].read() == (result.out_dir / "component" / "gglift-component.zip").read_bytes()
    assert lam.list_functions()["Functions"] == []
    assert lines == [f"done: upload component com.example.Sensor artifact to s3://artifacts/{KEY}",
                     "done: create component com.example.Sensor 1.0.0 from its recipe",
                     f"done: create deployment to {FLEET}"]


def test_dry_run_prints_the_component_requests_and_calls_nothing(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from gglift.cli import main

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    (tmp_path / "gglift.toml").write_text('target = "component"\n[[function]]\nname = "fn"\nhandler = "app.handler"\n'
                                          'source = "src"\nruntime = "executable"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.handler").write_text("#!/bin/sh\n")
    result = CliRunner().invoke(main, ["deploy", str(tmp_path), "--thing", "dev1", "--dry-run", "--region", "eu-west-1"],
                                env={"GGLIFT_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    headers = [line for line in result.output.splitlines() if line.startswith(("#", "dry run", "s3.", "greengrassv2.", "iot."))]
    assert headers == [
        "dry run: these requests would be sent; nothing is called",
        "# check that the target exists", "iot.describe_thing",
        "# upload component fn artifact to s3://gglift-artifacts-000000000000-eu-west-1/gglift/fn/1.0.0/gglift-component.zip",
        "s3.put_object",
        "# create component fn 1.0.0 from its recipe", "greengrassv2.create_component_version",
        "# create deployment to arn:aws:iot:eu-west-1:000000000000:thing/dev1", "greengrassv2.create_deployment",
    ]
