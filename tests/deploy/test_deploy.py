"""Every deploy step against moto (S3, Lambda) and Stubber (greengrassv2), resume included."""

from __future__ import annotations

import json

import pytest
from botocore.stub import ANY, Stubber

from gglift.deploy import Clients, DeployError

REGION = "eu-west-1"  # as in conftest.py
ACCOUNT = "123456789012"

LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sensor"
COMPONENT_ARN = f"arn:aws:greengrass:{REGION}:{ACCOUNT}:components:com.example.Sensor:versions:1.0.0"
FLEET = f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/Fleet"


def expect_import(stubber, result, version="1"):
    body = json.loads((result.out_dir / "sensor/requests/create-component-version.json").read_text())
    body["lambdaFunction"]["lambdaArn"] = f"{LAMBDA_ARN}:{version}"
    stubber.add_response("create_component_version", {"arn": COMPONENT_ARN, "componentName": "com.example.Sensor",
                                                      "componentVersion": "1.0.0", "creationTimestamp": 0,
                                                      "status": {"componentState": "REQUESTED"}}, body)


def expect_status(stubber, state, message=None, errors=None):
    status = {"componentState": state}
    if message:
        status["message"] = message
    if errors:
        status["errors"] = errors
    stubber.add_response("describe_component", {"arn": COMPONENT_ARN, "status": status}, {"arn": COMPONENT_ARN})


def deploy_failure(make_deployer, clients, sleeps=None) -> DeployError:
    """Run a deploy that must fail; return its error."""
    with pytest.raises(DeployError) as exc:
        make_deployer(clients, lambda line: None, sleeps).run()
    return exc.value


def expect_existing_component(stubber, source):
    """create_component_version finds the version taken; its recipe imports ``source``."""
    stubber.add_client_error("create_component_version", service_error_code="ConflictException", http_status_code=409)
    stubber.add_response("get_component", {"recipeOutputFormat": "JSON", "recipe": json.dumps({"ComponentSource": source}).encode()},
                         {"arn": COMPONENT_ARN, "recipeOutputFormat": "JSON"})


def expect_deployment(stubber, version="1", error=None):
    router = {"subscriptions": {"gglift-1": {"id": "gglift-1", "source": f"{LAMBDA_ARN}:{version}", "subject": "readings/temp", "target": "cloud"}}}
    params = {
        "targetArn": FLEET,
        "deploymentName": ANY,
        "components": {
            "com.example.Sensor": {"componentVersion": "1.0.0"},
            "aws.greengrass.LegacySubscriptionRouter": {"componentVersion": "2.1.14", "configurationUpdate": {"merge": json.dumps(router, sort_keys=True)}},
        },
        "deploymentPolicies": ANY,
    }
    if error:
        stubber.add_client_error("create_deployment", service_error_code=error, service_message="Rate exceeded", expected_params=params)
    else:
        stubber.add_response("create_deployment", {"deploymentId": "d-1"}, params)


def test_a_full_deploy_creates_each_thing_once(aws, greengrass, packaged, make_deployer):
    s3, lam, iot = aws
    gg, stubber = greengrass
    result, _ = packaged
    expect_import(stubber, result)
    expect_status(stubber, "REQUESTED")
    expect_status(stubber, "DEPLOYABLE")
    expect_deployment(stubber)
    lines, sleeps = [], []
    outputs = make_deployer(Clients(s3, lam, gg, iot), lines.append, sleeps).run()
    assert outputs["deploymentId"] == "d-1"
    key = result.functions[0].s3_key
    assert s3.get_object(Bucket="artifacts", Key=key)["Body"].read() == result.functions[0].artifact.read_bytes()
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="sensor")["Versions"]]
    assert versions == ["$LATEST", "1"]
    assert lam.get_function(FunctionName="sensor")["Configuration"]["CodeSha256"] == result.functions[0].digest
    assert sleeps == [2.0]  # one poll before DEPLOYABLE, through the injected sleep
    assert lines == [
        f"done: upload sensor artifact to s3://artifacts/{key}",
        "done: create or update Lambda function sensor",
        "done: publish a version of sensor",
        f"done: import {LAMBDA_ARN}:1 as component com.example.Sensor 1.0.0",
        f"done: create deployment to {FLEET}",
    ]


def test_a_failure_half_way_says_what_exists_and_a_rerun_continues(aws, greengrass, packaged, make_deployer):
    s3, lam, iot = aws
    gg, stubber = greengrass
    result, _ = packaged
    expect_import(stubber, result)
    expect_status(stubber, "DEPLOYABLE")
    expect_deployment(stubber, error="ThrottlingException")
    with pytest.raises(DeployError) as exc:
        make_deployer(Clients(s3, lam, gg, iot), lambda line: None).run()
    key = result.functions[0].s3_key
    assert exc.value.text() == "\n".join([
        f"step failed: create deployment to {FLEET}",
        "  ThrottlingException: Rate exceeded",
        "  hint: AWS is throttling requests; run the same command again to continue",
        "created before the failure (kept; a rerun continues after them):",
        f"  s3://artifacts/{key}",
        "  Lambda function sensor (created)",
        f"  Lambda version {LAMBDA_ARN}:1",
        f"  component com.example.Sensor 1.0.0 ({COMPONENT_ARN})",
        "run the same command again to continue from the failed step",
    ])
    stubber.assert_no_pending_responses()

    expect_deployment(stubber)  # the only request the rerun makes to Greengrass
    lines = []
    assert make_deployer(Clients(s3, lam, gg, iot), lines.append).run()["deploymentId"] == "d-1"
    assert lines[:4] == [
        f"already done: upload sensor artifact to s3://artifacts/{key}",
        "already done: create or update Lambda function sensor",
        "already done: publish a version of sensor",
        f"already done: import {LAMBDA_ARN}:1 as component com.example.Sensor 1.0.0",
    ]
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="sensor")["Versions"]] == ["$LATEST", "1"]


def test_without_the_state_file_existing_things_are_found_not_duplicated(aws, greengrass, packaged, make_deployer):
    s3, lam, iot = aws
    gg, stubber = greengrass
    result, _ = packaged
    expect_import(stubber, result)
    expect_status(stubber, "DEPLOYABLE")
    expect_deployment(stubber)
    make_deployer(Clients(s3, lam, gg, iot), lambda line: None).run()
    (result.out_dir / "deploy-state.json").unlink()

    # Lambda publishes no new version for unchanged code; the component exists with that source.
    expect_existing_component(stubber, f"{LAMBDA_ARN}:1")
    expect_status(stubber, "DEPLOYABLE")
    expect_deployment(stubber)
    lines = []
    make_deployer(Clients(s3, lam, gg, iot), lines.append).run()
    assert lines[1] == "done: create or update Lambda function sensor"
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName="sensor")["Versions"]] == ["$LATEST", "1"]


def test_an_existing_component_version_with_other_code_asks_for_a_new_version(aws, greengrass, packaged, make_deployer):
    s3, lam, iot = aws
    gg, stubber = greengrass
    expect_existing_component(stubber, f"{LAMBDA_ARN}:7")
    error = deploy_failure(make_deployer, Clients(s3, lam, gg, iot))
    assert error.message == f"component version {COMPONENT_ARN} already exists and imports {LAMBDA_ARN}:7"
    assert error.hint == "component versions are immutable: raise component.version in gglift.toml to ship the new code"


def test_a_failed_import_is_reported_with_its_message(aws, greengrass, packaged, make_deployer):
    s3, lam, iot = aws
    gg, stubber = greengrass
    result, _ = packaged
    expect_import(stubber, result)
    expect_status(stubber, "FAILED", "Lambda function version not found", {"us-east-1": "NotFound"})
    error = deploy_failure(make_deployer, Clients(s3, lam, gg, iot))
    assert error.step == f"import component {COMPONENT_ARN}"
    assert error.message == "the component import FAILED: Lambda function version not found (us-east-1: NotFound)"


def test_a_component_that_never_becomes_deployable_times_out(aws, greengrass, packaged, make_deployer):
    s3, lam, iot = aws
    gg, stubber = greengrass
    result, _ = packaged
    expect_import(stubber, result)
    for _ in range(6):  # timeout 10 s, polls every 2 s: t = 0, 2, 4, 6, 8, 10
        expect_status(stubber, "REQUESTED")
    sleeps = []
    error = deploy_failure(make_deployer, Clients(s3, lam, gg, iot), sleeps)
    assert error.message == "still not DEPLOYABLE after 10 s"
    assert len(sleeps) == 6


def test_aws_errors_name_the_step_and_give_a_hint(packaged, make_deployer):
    import boto3

    clients = Clients(boto3.client("s3", region_name=REGION), boto3.client("lambda", region_name=REGION),
                      boto3.client("greengrassv2", region_name=REGION), boto3.client("iot", region_name=REGION))
    result, _ = packaged
    key = result.functions[0].s3_key
    with Stubber(clients.s3) as s3, Stubber(clients.lambda_) as lam, Stubber(clients.iot) as iot:
        iot.add_response("describe_thing_group", {"thingGroupName": "Fleet"}, {"thingGroupName": "Fleet"})
        s3.add_client_error("head_object", service_error_code="404", http_status_code=404, expected_params={"Bucket": "artifacts", "Key": key})
        s3.add_response("put_object", {}, {"Bucket": "artifacts", "Key": key, "Body": result.functions[0].artifact.read_bytes()})
        lam.add_client_error("get_function", service_error_code="ResourceNotFoundException", http_status_code=404,
                             expected_params={"FunctionName": "sensor"})
        create = json.loads((result.out_dir / "sensor/requests/create-function.json").read_text())
        lam.add_client_error("create_function", service_error_code="AccessDeniedException", service_message="not allowed",
                             http_status_code=403, expected_params=create)
        with pytest.raises(DeployError) as exc:
            make_deployer(clients, lambda line: None).run()
    assert exc.value.text().splitlines()[:5] == [
        "step failed: create or update Lambda function sensor",
        "  AccessDeniedException: not allowed",
        "  hint: the credentials in use lack permission for this call (for an alias or $LATEST Lambda ARN, "
        "Greengrass also answers AccessDenied: use a published version)",
        "created before the failure (kept; a rerun continues after them):",
        f"  s3://artifacts/{key}",
    ]


def test_dry_run_prints_every_request_and_calls_nothing(packaged, make_deployer):
    lines = []
    outputs = make_deployer(None, lines.append, dry_run=True).run()  # no clients at all
    assert outputs == {"deploymentId": "(dry run)"}
    text = "\n".join(lines)
    for call in ("iot.describe_thing_group", "s3.put_object", "lambda.create_function", "lambda.update_function_code", "lambda.publish_version",
                 "greengrassv2.create_component_version", "greengrassv2.create_deployment"):
        assert f"\n{call}" in text
    assert f'"lambdaArn": "{LAMBDA_ARN}:1"' in text
    result, _ = packaged
    assert not (result.out_dir / "deploy-state.json").exists()


def test_a_missing_thing_group_stops_before_anything_is_created(aws, packaged, make_deployer):
    s3, lam, iot = aws
    iot.delete_thing_group(thingGroupName="Fleet")
    error = deploy_failure(make_deployer, Clients(s3, lam, None, iot))
    assert error.text() == "\n".join([
        f"step failed: check {FLEET}",
        f"  there is no thing group 'Fleet' in {REGION}",
        "  hint: check the name and --region, or create it: aws iot create-thing-group --thing-group-name Fleet "
        "(a core device registers its own thing)",
        "run the same command again to continue from the failed step",
    ])
    assert s3.list_objects_v2(Bucket="artifacts").get("KeyCount") == 0
    assert lam.list_functions()["Functions"] == []


def test_a_new_handler_updates_the_configuration_and_publishes_a_new_version(aws, greengrass, packaged, make_deployer):
    from gglift.config import load_project
    from gglift.package import package_project

    s3, lam, iot = aws
    gg, stubber = greengrass
    result, target = packaged
    expect_import(stubber, result)
    expect_status(stubber, "DEPLOYABLE")
    expect_deployment(stubber)
    make_deployer(Clients(s3, lam, gg, iot), lambda line: None).run()

    config = result.project.config_path
    config.write_text(config.read_text().replace('handler = "app.handler"', 'handler = "app.main"'))
    (config.parent / "src" / "app.py").write_text("def main(event, context):\n    return event\n")
    changed = package_project(load_project(config.parent), target=target, thing_group="Fleet",
                              derive_with=lambda p: result.derived)
    expect_import(stubber, changed, version="2")
    expect_status(stubber, "DEPLOYABLE")
    expect_deployment(stubber, version="2")
    lines = []
    make_deployer(Clients(s3, lam, gg, iot), lines.append, packaged_result=changed).run()
    assert lines[1:3] == ["done: create or update Lambda function sensor", "done: publish a version of sensor"]
    assert lam.get_function_configuration(FunctionName="sensor")["Handler"] == "app.main"
    versions = lam.list_versions_by_function(FunctionName="sensor")["Versions"]
    assert [(v["Version"], v["Handler"]) for v in versions] == [("$LATEST", "app.main"), ("1", "app.handler"), ("2", "app.main")]
