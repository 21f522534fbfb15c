"""One CLI grammar: the project found upwards and taken alike, -q/-v, colour only where asked,
JSON where output is data, and the documented exit codes (Ctrl-C included)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = """\
[[function]]
name = "echo"
handler = "app.handler"
source = "src"

[[function]]
name = "boom"
handler = "app.boom"
source = "src"
eventSources = [{topic = "boom"}]

[[function]]
name = "slow"
handler = "app.slow"
source = "src"
timeoutInSeconds = 300
"""
APP = """\
import time


def handler(event, context):
    return event


def boom(event, context):
    raise ValueError("no reading")


def slow(event, context):
    print("sleeping", flush=True)
    time.sleep(250)
"""
CLOUD_CODE = "import boto3\n\nclient = boto3.client('iot-data')\nclient.publish(topic='a/b', payload=b'x')\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "gglift.toml").write_text(CONFIG)
    (root / "src" / "app.py").write_text(APP)
    return root


def gglift(*args: str, cwd: Path, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env or {})
    kwargs.setdefault("input", "")
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, capture_output=True, text=True,
                          env=environment, timeout=180, **kwargs)


def test_every_command_finds_the_project_from_a_subfolder_and_says_which_with_v(project: Path) -> None:
    src = project / "src"
    config = project.resolve() / "gglift.toml"
    checked = gglift("package", "--check", "-v", cwd=src)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == f"using {config}\n"
    assert checked.stdout == f"{config}: ok (3 function(s))\n"
    invoked = gglift("-v", "-q", "invoke", "echo", "--payload", '{"a": 1}', cwd=src)
    assert (invoked.returncode, invoked.stdout) == (0, '{"a": 1}\n')
    ran = gglift("run", "-v", "--events", "-", "--until-idle", cwd=src)
    assert ran.returncode == 0 and f"using {config}\n" in ran.stderr


def test_no_project_anywhere_says_where_it_looked(tmp_path: Path) -> None:
    result = gglift("package", "--check", cwd=tmp_path)
    assert result.returncode == 2
    assert f"no gglift.toml in {tmp_path.resolve()} or any folder above it" in result.stderr
    assert "hint: run `gglift init`" in result.stderr


@pytest.mark.parametrize("how", ["positional", "option"])
def test_every_project_command_takes_the_project_the_same_way(project: Path, tmp_path: Path, how: str) -> None:
    where = [str(project)] if how == "positional" else ["-p", str(project)]
    assert gglift("package", "--check", *where, cwd=tmp_path).returncode == 0
    assert gglift("deploy", *where, "--thing", "core", "--dry-run", "-q", cwd=tmp_path).returncode == 0
    assert gglift("run", *where, "--events", "-", "--until-idle", "-q", cwd=tmp_path).returncode == 0
    invoked = gglift("invoke", "echo", *where, "-q", cwd=tmp_path)
    assert (invoked.returncode, invoked.stdout) == (0, "{}\n")


def test_two_different_projects_are_a_usage_error(project: Path, tmp_path: Path) -> None:
    result = gglift("package", "--check", str(project), "-p", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert f"two projects given: {project} and -p {tmp_path}; give one" in result.stderr


def test_quiet_prints_only_the_result(project: Path) -> None:
    packaged = gglift("package", "-q", cwd=project)
    assert (packaged.returncode, packaged.stdout, packaged.stderr) == (0, "", "")
    assert (project / "build" / "echo" / "lambda-artifact.zip").is_file()


def test_colour_on_request_only(project: Path) -> None:
    (project / "src" / "cloud.py").write_text(CLOUD_CODE)
    piped = gglift("port", "--diff", "src/cloud.py", cwd=project)
    assert piped.returncode == 1 and "\x1b[" not in piped.stdout + piped.stderr
    forced = gglift("port", "--diff", "--color", "always", "src/cloud.py", cwd=project)
    assert "\x1b[32m+import greengrasssdk\x1b[0m" in forced.stdout
    assert "\x1b[31m-import boto3\x1b[0m" in forced.stdout
    before = gglift("--color", "always", "port", "--diff", "src/cloud.py", cwd=project)
    assert before.stdout == forced.stdout
    no_color = gglift("port", "--diff", "src/cloud.py", cwd=project, env={"NO_COLOR": "1"})
    assert "\x1b[" not in no_color.stdout
    problems = gglift("--color", "always", "invoke", "nope", cwd=project)
    assert problems.returncode == 2


def test_package_json_is_one_document_about_the_files_written(project: Path) -> None:
    result = gglift("package", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [fn["name"] for fn in report["functions"]] == ["echo", "boom", "slow"]
    first = report["functions"][0]
    assert Path(first["artifact"]).stat().st_size == first["artifact_bytes"]
    assert first["requirements"] == "none"
    assert Path(report["deployment"]).is_file()
    checked = json.loads(gglift("package", "--check", "--format", "json", cwd=project).stdout)
    assert checked == {"config": str(project.resolve() / "gglift.toml"), "ok": True, "functions": ["echo", "boom", "slow"]}


def test_deploy_dry_run_json_lists_every_request(project: Path) -> None:
    result = gglift("deploy", "--thing-group", "Fleet", "--dry-run", "--format", "json", "--region", "eu-west-1", cwd=project)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["dry_run"] is True and document["target"].endswith(":thinggroup/Fleet")
    operations = [(r["service"], r["operation"]) for r in document["requests"]]
    assert operations[0] == ("iot", "describe_thing_group")
    assert operations[-1] == ("greengrassv2", "create_deployment")
    assert ("greengrassv2", "create_component_version") in operations
    assert document["requests"][-1]["request"]["targetArn"] == document["target"]


def test_invoke_exit_codes_and_ctrl_c(project: Path) -> None:
    assert gglift("invoke", "echo", "-q", cwd=project).returncode == 0
    assert gglift("invoke", "boom", "-q", cwd=project).returncode == 1  # Handled: the function raised
    assert gglift("invoke", "nope", cwd=project).returncode == 2
    proc = subprocess.Popen([sys.executable, "-m", "gglift", "invoke", "slow"], cwd=project, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # interrupt once the function is running, however slow the machine
        if "sleeping" in line:
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err


def test_run_fails_for_ci_only_when_asked_and_prints_the_broker_in_json(project: Path) -> None:
    events = '{"topic": "boom", "payload": {}}\n'
    assert gglift("run", "--events", "-", "--until-idle", "-q", cwd=project, input=events).returncode == 0
    failing = gglift("run", "--events", "-", "--until-idle", "--fail-on-error", "-q", cwd=project, input=events)
    assert failing.returncode == 1
    assert failing.stderr == "1 invocation(s) failed or were dropped (--fail-on-error)\n"
    (project / "gglift.toml").write_text(CONFIG.replace('eventSources = [{topic = "boom"}]', 'eventSources = [{topic = "boom", type = "IOT_CORE"}]'))
    ran = gglift("run", "--events", "-", "--until-idle", "--json", cwd=project)
    (core,) = [line for line in map(json.loads, ran.stdout.splitlines()) if line["kind"] == "core"]
    assert core["mqtt_url"].startswith("mqtt://127.0.0.1:") and core["thing_name"] == "gglift-local"


def test_package_says_what_pip_is_doing_on_a_terminal_or_with_v(project: Path, tmp_path: Path) -> None:
    import platform

    (project / "requirements.txt").write_text("six==1.16.0\n")
    (project / "gglift.toml").write_text(CONFIG.replace('source = "src"\n', 'source = "src"\nrequirements = "requirements.txt"\n', 1))
    here = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (project / "gglift.toml").write_text((project / "gglift.toml").read_text().replace('handler = "app.handler"', f'handler = "app.handler"\nruntime = "{here}"'))
    cache = {"GGLIFT_CACHE_DIR": str(tmp_path / "cache")}
    piped = gglift("package", cwd=project, env=cache)
    assert piped.returncode == 0, piped.stderr
    assert "pip: installing" not in piped.stderr  # a pipe gets no progress
    (tmp_path / "cache").rename(tmp_path / "old-cache")
    verbose = gglift("package", "-v", cwd=project, env=cache)
    assert f"pip: installing six==1.16.0 for linux/{platform.machine()}, {here}\n" in verbose.stderr


def test_deploy_takes_an_aws_cli_profile_and_names_the_known_ones(project: Path, tmp_path: Path) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[profile dev]\nregion = eu-west-1\n[default]\nregion = us-east-1\n")
    env = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    result = gglift("deploy", "--thing", "core", "--profile", "prod", cwd=project, env=env)
    assert result.returncode == 2
    assert "Invalid value for --profile: no AWS profile 'prod' in the AWS config; profiles: default, dev" in result.stderr
    assert "Traceback" not in result.stderr
