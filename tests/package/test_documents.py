"""Recipe, requests, deployment and CloudFormation: shapes, field by field, hostile values."""

from __future__ import annotations

import base64
import hashlib
import json

import botocore.session
import pytest
import yaml
from botocore.validate import ParamValidator

from gglift.config.model import Subscription
from gglift.config.validate import check_shape
from gglift.package import package_project
from gglift.port.model import FileResult, Resource
from gglift.routes import derive

CONFIG = """
[[function]]
name = "sensor"
handler = "app.handler"
source = "sensor"
runtime = "python3.9"
lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:sensor:4"
component = {name = "com.example.Sensor", version = "4.0.0", platforms = [{os = "linux", architecture = "aarch64"}, {os = "linux", architecture = "amd64"}]}
pinned = false
timeoutInSeconds = 10
maxInstancesCount = 5
maxIdleTimeInSeconds = 120
maxQueueSize = 50
statusTimeoutInSeconds = 90
execArgs = ["-X", "dev"]
environmentVariables = {LEVEL = "debug"}
eventSources = [{topic = "cmd/sensor/#", type = "IOT_CORE"}]
linuxProcessParams = {isolationMode = "GreengrassContainer", containerParams = {memorySizeInKB = 32768, mountROSysfs = true, volumes = [{sourcePath = "/var/data", destinationPath = "/data", permission = "rw", addGroupOwner = true}], devices = [{path = "/dev/i2c-1", permission = "rw"}]}}

[[function]]
name = "alarm"
handler = "alarm.handler"
source = "alarm"
eventSources = [{topic = "readings/+/temp"}]
"""
FILES = {"sensor/app.py": "def handler(e, c):\n    pass\n", "alarm/alarm.py": "def handler(e, c):\n    pass\n"}


def fake_analysis(project):
    sensor = FileResult(
        path=project.root / "sensor/app.py",
        publishes=[Resource("readings/+/temp", False, 3), Resource("status/sensor", True, 4)],
        secrets=[Resource("db-password", True, 5)],
        shadows=[Resource("pump-1", True, 6)],
    )
    return derive(project, {"sensor": [sensor]})


@pytest.fixture
def built(write_project, vendor_cache):
    project = write_project(CONFIG, FILES)
    return package_project(project, cache_dir=vendor_cache, derive_with=fake_analysis)


def read_json(path):
    return json.loads(path.read_text())


def test_recipe_is_what_greengrass_generates_for_an_imported_lambda(built):
    out = built.functions[0]
    recipe = read_json(out.files["recipe_json"])
    assert yaml.safe_load(out.files["recipe_yaml"].read_text()) == recipe
    digest = base64.b64encode(hashlib.sha256(out.artifact.read_bytes()).digest()).decode()
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:sensor:4"
    launcher = "{aws.greengrass.LambdaLauncher:artifacts:path}/lambda-launcher"
    artifact = {"Uri": "greengrass:lambda-artifact.zip", "Digest": digest, "Algorithm": "SHA-256", "Unarchive": "ZIP",
                "Permission": {"Read": "OWNER", "Execute": "NONE"}}
    assert recipe == {
        "RecipeFormatVersion": "2020-01-25",
        "ComponentName": "com.example.Sensor",
        "ComponentVersion": "4.0.0",
        "ComponentType": "aws.greengrass.lambda",
        "ComponentPublisher": "AWS Lambda",
        "ComponentSource": arn,
        "ComponentConfiguration": {
            "DefaultConfiguration": {
                "lambdaExecutionParameters": {"EnvironmentVariables": {"LEVEL": "debug"}},
                "containerParams": {
                    "memorySize": 32768,
                    "mountROSysfs": True,
                    "volumes": {"0": {"sourcePath": "/var/data", "destinationPath": "/data", "permission": "rw", "addGroupOwner": True}},
                    "devices": {"0": {"path": "/dev/i2c-1", "permission": "rw", "addGroupOwner": False}},
                },
                "containerMode": "GreengrassContainer",
                "timeoutInSeconds": 10,
                "maxInstancesCount": 5,
                "inputPayloadEncodingType": "json",
                "maxQueueSize": 50,
                "pinned": False,
                "maxIdleTimeInSeconds": 120,
                "statusTimeoutInSeconds": 90,
                "pubsubTopics": {"0": {"topic": "cmd/sensor/#", "type": "IOT_CORE"}},
            }
        },
        "ComponentDependencies": {
            "aws.greengrass.LambdaLauncher": {"VersionRequirement": ">=2.0.0 <3.0.0", "DependencyType": "HARD"},
            "aws.greengrass.TokenExchangeService": {"VersionRequirement": ">=2.0.0 <3.0.0", "DependencyType": "HARD"},
            "aws.greengrass.LambdaRuntimes": {"VersionRequirement": ">=2.0.0 <3.0.0", "DependencyType": "SOFT"},
        },
        "Manifests": [
            {"Platform": {"os": "linux", "architecture": "aarch64"}, "Lifecycle": {}, "Artifacts": [artifact]},
            {"Platform": {"os": "linux", "architecture": "amd64"}, "Lifecycle": {}, "Artifacts": [artifact]},
        ],
        "Lifecycle": {
            "startup": {"requiresPrivilege": True, "script": f"{launcher} start"},
            "setenv": {
                "AWS_GREENGRASS_LAMBDA_CONTAINER_MODE": "{configuration:/containerMode}",
                "AWS_GREENGRASS_LAMBDA_ARN": arn,
                "AWS_GREENGRASS_LAMBDA_FUNCTION_HANDLER": "app.handler",
                "AWS_GREENGRASS_LAMBDA_ARTIFACT_PATH": "{artifacts:decompressedPath}/lambda-artifact",
                "AWS_GREENGRASS_LAMBDA_CONTAINER_PARAMS": "{configuration:/containerParams}",
                "AWS_GREENGRASS_LAMBDA_STATUS_TIMEOUT_SECONDS": "{configuration:/statusTimeoutInSeconds}",
                "AWS_GREENGRASS_LAMBDA_ENCODING_TYPE": "{configuration:/inputPayloadEncodingType}",
                "AWS_GREENGRASS_LAMBDA_PARAMS": "{configuration:/lambdaExecutionParameters}",
                "AWS_GREENGRASS_LAMBDA_RUNTIME_PATH": "{aws.greengrass.LambdaRuntimes:artifacts:decompressedPath}/runtime/",
                "AWS_GREENGRASS_LAMBDA_EXEC_ARGS": json.dumps(
                    ["python3.9", "-u", "/runtime/python/lambda_runtime.py", "--handler=app.handler", "-X", "dev"]
                ),
                "AWS_GREENGRASS_LAMBDA_RUNTIME": "python3.9",
            },
            "shutdown": {"requiresPrivilege": True, "script": f"{launcher} stop; {launcher} clean"},
        },
    }


def test_greengrass_cli_layout_and_command(built):
    root = built.out_dir / "greengrass-cli"
    recipe = root / "recipes" / "com.example.Sensor-4.0.0.yaml"
    assert recipe.read_text() == built.functions[0].files["recipe_yaml"].read_text()
    artifact = root / "artifacts" / "com.example.Sensor" / "4.0.0" / "lambda-artifact.zip"
    assert artifact.read_bytes() == built.functions[0].artifact.read_bytes()
    assert (root / "artifacts" / "alarm" / "1.0.0" / "lambda-artifact.zip").is_file()
    assert built.cli_command == (
        'sudo /greengrass/v2/bin/greengrass-cli deployment create --recipeDir "$PWD/greengrass-cli/recipes" '
        '--artifactDir "$PWD/greengrass-cli/artifacts" --merge com.example.Sensor=4.0.0 --merge alarm=1.0.0'
    )
    assert built.cli_command in (root / "deploy.sh").read_text()


SERVICES = {
    "create-function": ("lambda", "CreateFunction"),
    "update-function-code": ("lambda", "UpdateFunctionCode"),
    "publish-version": ("lambda", "PublishVersion"),
    "create-component-version": ("greengrassv2", "CreateComponentVersion"),
}


def assert_valid(service, operation, body):
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape
    report = ParamValidator().validate(body, shape)
    assert not report.has_errors(), report.generate_report()
    assert list(check_shape(body, shape)) == []  # enums too, which botocore's validator skips


@pytest.mark.parametrize("kind", sorted(SERVICES))
def test_request_bodies_match_the_service_models(built, kind):
    for out in built.functions:
        assert_valid(*SERVICES[kind], read_json(out.files[kind]))


def test_deployment_carries_derived_routes_secrets_and_shadows(built):
    body = read_json(built.deployment)
    assert_valid("greengrassv2", "CreateDeployment", body)
    assert body["targetArn"] == "arn:aws:iot:us-east-1:000000000000:thing/gglift-local"
    components = body["components"]
    assert sorted(components) == [
        "alarm", "aws.greengrass.LegacySubscriptionRouter", "aws.greengrass.SecretManager",
        "aws.greengrass.ShadowManager", "com.example.Sensor",
    ]
    router = json.loads(components["aws.greengrass.LegacySubscriptionRouter"]["configurationUpdate"]["merge"])
    assert router == {
        "subscriptions": {
            "gglift-1": {
                "id": "gglift-1",
                "source": "arn:aws:lambda:eu-west-1:123456789012:function:sensor:4",
                "subject": "readings/+/temp",
                "target": "arn:aws:lambda:us-east-1:000000000000:function:alarm:1",
            },
            "gglift-2": {
                "id": "gglift-2",
                "source": "arn:aws:lambda:eu-west-1:123456789012:function:sensor:4",
                "subject": "status/sensor",
                "target": "cloud",
            },
        }
    }
    secrets = json.loads(components["aws.greengrass.SecretManager"]["configurationUpdate"]["merge"])
    assert secrets == {"cloudSecrets": [{"arn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-password"}]}
    assert built.derived.subscriptions[0] == Subscription("sensor", "readings/+/temp", "alarm")


def test_cloudformation_template_mirrors_the_requests(built):
    template = yaml.safe_load(built.cloudformation.read_text())
    resources = template["Resources"]
    assert sorted(resources) == ["ComponentAlarm1", "ComponentSensor0", "Deployment"]
    sensor = resources["ComponentSensor0"]
    assert sensor["Type"] == "AWS::GreengrassV2::ComponentVersion"
    lam = sensor["Properties"]["LambdaFunction"]
    assert lam["LambdaArn"] == "arn:aws:lambda:eu-west-1:123456789012:function:sensor:4"
    params = lam["ComponentLambdaParameters"]
    assert params["EnvironmentVariables"] == {"LEVEL": "debug"}
    assert params["LinuxProcessParams"]["ContainerParams"]["MemorySizeInKB"] == 32768
    assert params["LinuxProcessParams"]["ContainerParams"]["Volumes"][0]["SourcePath"] == "/var/data"
    assert params["EventSources"] == [{"Topic": "cmd/sensor/#", "Type": "IOT_CORE"}]
    assert lam["ComponentDependencies"]["aws.greengrass.LambdaLauncher"] == {"VersionRequirement": ">=2.0.0 <3.0.0", "DependencyType": "HARD"}
    deployment = resources["Deployment"]
    assert deployment["DependsOn"] == ["ComponentAlarm1", "ComponentSensor0"]
    assert deployment["Properties"]["Components"]["com.example.Sensor"] == {"ComponentVersion": "4.0.0"}
    assert deployment["Properties"]["DeploymentPolicies"]["FailureHandlingPolicy"] == "ROLLBACK"


HOSTILE = 'a"b\'c\n{{ x }}: #d\\e'


def test_hostile_names_and_values_still_give_valid_documents(write_project, vendor_cache, tmp_path):
    from gglift.config.model import ComponentSpec, EventSource, Function, Project

    base = write_project('[[function]]\nname = "fn"\nhandler = "app.handler"\n', {"app.py": ""})
    fn = Function(
        name="fn", handler=HOSTILE, runtime="python3.11", source=tmp_path,
        component=ComponentSpec(name=HOSTILE, version="1.0.0"),
        environmentVariables=((HOSTILE, HOSTILE), ("PLAIN", "{{ 7 * 7 }}")),
        eventSources=(EventSource(HOSTILE),),
        execArgs=(HOSTILE,),
    )
    project = Project(root=base.root, config_path=base.config_path, functions=(fn,),
                      subscriptions=(Subscription("fn", HOSTILE, "cloud"),))
    result = package_project(project, cache_dir=vendor_cache, derive_with=lambda p: derive(p, {}))
    out = result.functions[0]
    recipe = read_json(out.files["recipe_json"])
    assert yaml.safe_load(out.files["recipe_yaml"].read_text()) == recipe
    assert recipe["ComponentName"] == HOSTILE
    config = recipe["ComponentConfiguration"]["DefaultConfiguration"]
    assert config["lambdaExecutionParameters"]["EnvironmentVariables"] == {HOSTILE: HOSTILE, "PLAIN": "{{ 7 * 7 }}"}
    assert config["pubsubTopics"]["0"]["topic"] == HOSTILE
    assert json.loads(recipe["Lifecycle"]["setenv"]["AWS_GREENGRASS_LAMBDA_EXEC_ARGS"])[-1] == HOSTILE
    template = yaml.safe_load(result.cloudformation.read_text())
    (component,) = [r for r in template["Resources"].values() if r["Type"].endswith("ComponentVersion")]
    assert component["Properties"]["LambdaFunction"]["ComponentName"] == HOSTILE
    deployment = read_json(result.deployment)
    router = json.loads(deployment["components"]["aws.greengrass.LegacySubscriptionRouter"]["configurationUpdate"]["merge"])
    assert router["subscriptions"]["gglift-1"]["subject"] == HOSTILE
    for kind in SERVICES:
        if kind in out.files:
            assert read_json(out.files[kind])  # parses
