"""gglift init --from-sam: a SAM project becomes a gglift project, and what cannot come along
is said, not dropped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 5
    Runtime: python3.11
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello/
      Handler: app.lambda_handler
      MemorySize: 128
      Environment:
        Variables:
          TABLE: !Ref Table
          STAGE: dev
      Events:
        Api:
          Type: Api
          Properties: {Path: /hello, Method: get}
        Rule:
          Type: IoTRule
          Properties:
            Sql: "SELECT * FROM 'sensors/+/readings'"
  Table:
    Type: AWS::Serverless::SimpleTable
  NodeFn:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: node/, Handler: index.handler, Runtime: nodejs18.x}
"""


def gglift(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=180)


def sam_project(root: Path, template: str = TEMPLATE, name: str = "template.yaml") -> Path:
    (root / "hello").mkdir()
    (root / "hello" / "app.py").write_text("import os\n\n\ndef lambda_handler(event, context):\n    return {'stage': os.environ['STAGE']}\n")
    (root / "hello" / "requirements.txt").write_text("")
    (root / name).write_text(template)
    return root


def test_a_sam_template_becomes_a_project_that_runs(tmp_path: Path) -> None:
    root = sam_project(tmp_path)
    result = gglift("init", "--from-sam", "template.yaml", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "wrote gglift.toml (HelloFunction)"
    assert result.stderr.splitlines() == [
        "not carried over: HelloFunction: environment variable TABLE (computed by CloudFormation)",
        "not carried over: HelloFunction: event Api (Api)",
        "not carried over: NodeFn: runtime 'nodejs18.x': gglift runs Python functions (and C executables)",
    ]
    config = (root / "gglift.toml").read_text()
    for line in ('name = "HelloFunction"', 'handler = "app.lambda_handler"', 'source = "hello"',
                 'requirements = "hello/requirements.txt"', "timeoutInSeconds = 5", 'environmentVariables = { STAGE = "dev" }',
                 'eventSources = [{ topic = "sensors/+/readings", type = "IOT_CORE" }]',
                 "linuxProcessParams = { containerParams = { memorySizeInKB = 131072 } }"):
        assert line in config.splitlines()
    assert "#   HelloFunction: event Api (Api)" in config  # kept in the config for later
    invoked = gglift("invoke", "HelloFunction", "-q", cwd=root)
    assert (invoked.returncode, json.loads(invoked.stdout)) == (0, {"stage": "dev"})
    again = gglift("init", "--from-sam", "template.yaml", cwd=root)
    assert again.returncode == 1 and "already exists; nothing was written" in again.stderr


def test_json_templates_and_templates_without_functions(tmp_path: Path) -> None:
    template = {"Resources": {"Fn": {"Type": "AWS::Serverless::Function",
                                     "Properties": {"CodeUri": "hello", "Handler": "app.lambda_handler", "FunctionName": "hello-fn"}}}}
    root = sam_project(tmp_path, json.dumps(template), "template.json")
    result = gglift("init", "--from-sam", "template.json", cwd=root)
    assert result.returncode == 0, result.stderr
    assert 'name = "hello-fn"' in (root / "gglift.toml").read_text().splitlines()
    (root / "empty.yaml").write_text("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n")
    (root / "gglift.toml").unlink()
    empty = gglift("init", "--from-sam", "empty.yaml", cwd=root)
    assert empty.returncode == 2
    assert "the template has no AWS::Serverless::Function with a local CodeUri and a Handler" in empty.stderr
    assert not (root / "gglift.toml").exists()


def test_values_with_quotes_backslashes_and_non_ascii_text_reach_the_function(tmp_path: Path) -> None:
    # written through the same TOML writer as gglift migrate, read back by package and invoke
    template = {"Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
        "CodeUri": "hello", "Handler": "app.lambda_handler",
        "Environment": {"Variables": {"STAGE": 'd"e\\v\x7f-\u00e9t\u00e9'}}}}}}
    root = sam_project(tmp_path, json.dumps(template), "template.json")
    result = gglift("init", "--from-sam", "template.json", cwd=root)
    assert result.returncode == 0, result.stderr
    checked = gglift("package", "--check", cwd=root)
    assert checked.returncode == 0, checked.stderr
    invoked = gglift("invoke", "Fn", "-q", cwd=root)
    assert (invoked.returncode, json.loads(invoked.stdout)) == (0, {"stage": 'd"e\\v\x7f-\u00e9t\u00e9'})
