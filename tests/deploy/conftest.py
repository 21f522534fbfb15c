"""A packaged project, AWS clients (moto for S3/Lambda, Stubber for greengrassv2), no sleeps."""

from __future__ import annotations

import json
import textwrap

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from gglift.config import load_project
from gglift.deploy import Deployer, DeployState, STATE_NAME
from gglift.package import package_project
from gglift.package.requests import Target
from gglift.port.model import FileResult, Resource
from gglift.routes import derive

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's account
CONFIG = """
[[function]]
name = "sensor"
handler = "app.handler"
source = "src"
component = {name = "com.example.Sensor", version = "1.0.0"}
"""


@pytest.fixture(autouse=True)
def aws_env(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def packaged(tmp_path):
    (tmp_path / "gglift.toml").write_text(textwrap.dedent(CONFIG))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    project = load_project(tmp_path)
    target = Target.default(project, region=REGION, account=ACCOUNT, bucket="artifacts",
                            role=f"arn:aws:iam::{ACCOUNT}:role/gglift-lambda")

    def analysis(p):
        return derive(p, {"sensor": [FileResult(path=tmp_path / "src/app.py", publishes=[Resource("readings/temp", True, 2)])]})

    return package_project(project, target=target, thing_group="Fleet", derive_with=analysis), target


@pytest.fixture
def aws():
    """moto's S3, IAM and Lambda, with the bucket and the role gglift expects."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
        iam = boto3.client("iam", region_name=REGION)
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="gglift-lambda", AssumeRolePolicyDocument=json.dumps(trust))
        iot = boto3.client("iot", region_name=REGION)
        iot.create_thing_group(thingGroupName="Fleet")
        yield s3, boto3.client("lambda", region_name=REGION), iot


@pytest.fixture
def greengrass():
    """A real greengrassv2 client whose every request is checked by Stubber against the model."""
    client = boto3.client("greengrassv2", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def make_deployer(packaged):
    result, target = packaged

    def make(clients, echo, sleeps=None, dry_run=False, packaged_result=None):
        state = DeployState(result.out_dir / STATE_NAME, dry_run=dry_run)
        return Deployer(packaged_result or result, target, target.thing_arn(group="Fleet"), clients, state, echo=echo, dry_run=dry_run,
                        poll_interval=2.0, timeout=10.0, sleep=(sleeps.append if sleeps is not None else lambda s: None))

    return make


