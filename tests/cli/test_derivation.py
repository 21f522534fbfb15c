"""The derived deployment uses what the project knows: environment variables, and the explicit
secrets, shadows and components keys; what stays unresolved is printed with its fix, by
package and deploy alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# A cloud Lambda as people write them: ids in environment variables.
APP = """\
import os

import greengrasssdk

SECRET_ID = os.environ["SECRET_ID"]
iot = greengrasssdk.client("iot-data")
secrets = greengrasssdk.client("secretsmanager")


def handler(event, context):
    secrets.get_secret_value(SecretId=SECRET_ID)
    iot.get_thing_shadow(thingName=os.getenv("THING_NAME", "fallback-thing"))
    iot.publish(topic=os.environ["ALERT_TOPIC"], payload=b"{}")
    secrets.get_secret_value(SecretId=event["secret"])
"""
CONFIG = """\
[[function]]
name = "gateway"
handler = "app.handler"
environmentVariables = { SECRET_ID = "db-password", THING_NAME = "sensor-1", ALERT_TOPIC = "alerts/high" }
"""


def gglift(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


def project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "gglift.toml").write_text(config)
    return tmp_path


def components(root: Path) -> dict:
    return json.loads((root / "build" / "deployment.json").read_text())["components"]


def test_environment_variables_resolve_secrets_shadows_and_topics(tmp_path: Path) -> None:
    root = project(tmp_path, CONFIG)
    result = gglift("package", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  secret       db-password  (app.py:11, function gateway)" in lines
    assert "  shadow       sensor-1  (app.py:12, function gateway)" in lines
    assert "  subscription gateway -> alerts/high -> cloud  (app.py:13, function gateway)" in lines
    deployed = components(root)
    merge = json.loads(deployed["aws.greengrass.SecretManager"]["configurationUpdate"]["merge"])
    assert merge == {"cloudSecrets": [{"arn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-password"}]}
    assert "aws.greengrass.ShadowManager" in deployed
    # the one id the code takes from the event stays unresolved, with the key that fixes it
    assert lines[lines.index('  unresolved: app.py:14: secret event["secret"] (function gateway) is not known until run time') + 1] == \
        '    fix: add secrets = ["<secret id or ARN>"] to [[function]] "gateway"'


def test_a_variable_missing_from_the_config_names_the_environment_key(tmp_path: Path) -> None:
    root = project(tmp_path, CONFIG.replace(', ALERT_TOPIC = "alerts/high"', ""))
    result = gglift("package", cwd=root)
    assert "  unresolved: app.py:13: topic os.environ[\"ALERT_TOPIC\"] (function gateway) is not known until run time\n" \
        '    fix: set environmentVariables.ALERT_TOPIC in [[function]] "gateway" (function[0]); the code reads it from there\n' \
        in result.stdout
    # os.getenv's default is what the device gets when the variable is not set
    no_thing = project(tmp_path, CONFIG.replace(' THING_NAME = "sensor-1",', ""))
    assert "  shadow       fallback-thing  (app.py:12" in gglift("package", cwd=no_thing).stdout


def test_explicit_keys_declare_what_the_code_cannot_show(tmp_path: Path) -> None:
    config = CONFIG + 'secrets = ["api-key"]\nshadows = ["gateway-core"]\ncomponents = { "aws.greengrass.StreamManager" = "2.1.0" }\n'
    root = project(tmp_path, config)
    result = gglift("package", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "  secret       api-key  (gglift.toml, function gateway)" in result.stdout.splitlines()
    assert "unresolved" not in result.stdout  # the function declares its secrets
    deployed = components(root)
    merge = json.loads(deployed["aws.greengrass.SecretManager"]["configurationUpdate"]["merge"])
    assert [s["arn"].rsplit(":", 1)[1] for s in merge["cloudSecrets"]] == ["api-key", "db-password"]
    assert deployed["aws.greengrass.StreamManager"] == {"componentVersion": "2.1.0"}
    bad = project(tmp_path, CONFIG + 'components = { "aws.greengrass.StreamManager" = "latest" }\nsecrets = "x"\n')
    checked = gglift("package", "--check", cwd=bad)
    assert checked.returncode == 2
    assert "function[0].components.aws.greengrass.StreamManager (function 'gateway'): 'latest' is not a semantic version" in checked.stderr
    assert "function[0].secrets (function 'gateway'): must be an array, not a string" in checked.stderr


def test_deploy_prints_the_warnings_package_prints(tmp_path: Path) -> None:
    root = project(tmp_path, CONFIG)
    result = gglift("deploy", "--thing", "core", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        '  unresolved: app.py:14: secret event["secret"] (function gateway) is not known until run time',
        '    fix: add secrets = ["<secret id or ARN>"] to [[function]] "gateway"',
        "note: GGL190 app.py:12: function gateway calls the V1 local shadow service (thing sensor-1), which a Lambda "
        "component on Greengrass V2 cannot run; hint: set target = \"component\" in gglift.toml: gglift's host runs "
        "it on the nucleus and on nucleus lite",
    ]
