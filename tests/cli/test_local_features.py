"""What users of SAM CLI expect when running locally: generate-event, --env-vars, a warning
(or, with --strict-runtime, an error) when the declared Python is not the one that runs, and
a .gitignore from init."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = f"python{sys.version_info[0]}.{sys.version_info[1]}"
MISSING = "python3.99"  # valid in a config, installed nowhere
CONFIG = """\
[[function]]
name = "env"
handler = "app.env"
runtime = "{runtime}"
environmentVariables = {{ GREETING = "hello", SITE = "lab" }}

[[function]]
name = "sink"
handler = "app.sink"
eventSources = [{{ topic = "sensors/+/readings" }}, {{ topic = "$aws/things/+/shadow/update/delta" }}]
"""
APP = """\
import os


def env(event, context):
    return {"greeting": os.environ["GREETING"], "site": os.environ["SITE"]}


def sink(event, context):
    return event
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "gglift.toml").write_text(CONFIG.format(runtime=HERE))
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def gglift(*args: str, cwd: Path, input: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, capture_output=True, text=True,
                          input=input, timeout=180)


def test_env_vars_override_per_function_and_for_all(project: Path) -> None:
    (project / "env.json").write_text(json.dumps({"Parameters": {"SITE": "home"}, "env": {"GREETING": "hi"}}))
    result = gglift("invoke", "env", "-q", "--env-vars", "env.json", cwd=project)
    assert (result.returncode, json.loads(result.stdout)) == (0, {"greeting": "hi", "site": "home"})
    (project / "bad.json").write_text(json.dumps({"nope": {"A": "b"}}))
    bad = gglift("invoke", "env", "--env-vars", "bad.json", cwd=project)
    assert bad.returncode == 2
    assert "'nope' is not a function of" in bad.stderr and "functions: env, sink" in bad.stderr


def test_a_declared_python_that_is_not_installed_warns_or_fails_when_strict(project: Path) -> None:
    (project / "gglift.toml").write_text(CONFIG.format(runtime=MISSING))
    warned = gglift("invoke", "env", cwd=project)
    assert warned.returncode == 0
    assert (f"warning: function 'env' declares {MISSING}, which is not installed here: it runs locally on {HERE}, and code "
            "that works here may not on the device (--strict-runtime makes this an error)") in warned.stderr.splitlines()
    strict = gglift("run", "--strict-runtime", "--events", "-", "--until-idle", cwd=project)
    assert strict.returncode == 2
    assert strict.stderr.startswith(f"error: function 'env' declares {MISSING}, which is not installed here")


def other_python() -> tuple[str, str] | None:
    """Another installed CPython 3 (its bin folder and runtime name), if this machine has one."""
    for minor in range(8, 14):
        runtime = f"python3.{minor}"
        if runtime == HERE:
            continue
        for folder in [*os.environ["PATH"].split(os.pathsep), *map(str, Path.home().glob(".pyenv/versions/3.*/bin"))]:
            candidate = Path(folder) / runtime
            probe = subprocess.run([str(candidate), "-c", "import sys; print(sys.version_info[1])"], capture_output=True,
                                   text=True) if candidate.is_file() else None
            if probe is not None and probe.returncode == 0 and probe.stdout.strip() == str(minor):
                return folder, runtime
    return None


def test_a_declared_python_that_is_installed_runs_the_workers(project: Path) -> None:
    found = other_python()
    if found is None:
        pytest.skip("no other CPython 3 installed here")
    folder, runtime = found
    (project / "gglift.toml").write_text(CONFIG.format(runtime=runtime))
    (project / "app.py").write_text("import sys\n\n\ndef env(event, context):\n    return 'python%d.%d' % sys.version_info[:2]\n\n\n"
                                    "def sink(event, context):\n    return event\n")
    env = {**os.environ, "PATH": folder + os.pathsep + os.environ["PATH"]}
    result = subprocess.run([sys.executable, "-m", "gglift", "invoke", "env", "-v"], cwd=project, capture_output=True,
                            text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == runtime
    assert "warning" not in result.stderr and "function 'env' runs on " in result.stderr


def test_generated_events_feed_a_run(project: Path) -> None:
    readings = gglift("generate-event", "readings", "--device", "a", "--device", "b", "--count", "2",
                      "--field", "temperature=10:20", "--seed", "7", cwd=project)
    lines = [json.loads(line) for line in readings.stdout.splitlines()]
    assert [(e["topic"], e["payload"]["device"]) for e in lines] == [
        ("sensors/a/readings", "a"), ("sensors/b/readings", "b"), ("sensors/a/readings", "a"), ("sensors/b/readings", "b")]
    assert all(10 <= e["payload"]["temperature"] <= 20 for e in lines)
    assert gglift("generate-event", "readings", "--seed", "7", "--device", "a", "--device", "b", "--count", "2",
                  "--field", "temperature=10:20", cwd=project).stdout == readings.stdout  # a seed repeats
    delta = gglift("generate-event", "shadow-delta", "--thing", "core", "--state", '{"mode": "ON"}', "--timestamp", "5",
                   cwd=project)
    assert json.loads(delta.stdout) == {"topic": "$aws/things/core/shadow/update/delta", "source": "PUB_SUB", "payload": {
        "version": 2, "timestamp": 5, "state": {"mode": "ON"}, "metadata": {"mode": {"timestamp": 5}}}}
    ran = gglift("run", "--events", "-", "--until-idle", "--json", "--fail-on-error", cwd=project,
                 input=readings.stdout + delta.stdout)
    assert ran.returncode == 0, ran.stderr
    results = [r["result"] for r in map(json.loads, ran.stdout.splitlines()) if r["kind"] == "invocation"]
    assert len(results) == 5 and {"mode": "ON"} in [r.get("state") for r in results]
    payload = gglift("generate-event", "message", "--topic", "t", "--payload", '{"a": 1}', "--payload-only", cwd=project)
    assert payload.stdout == '{"a": 1}\n'


def test_init_writes_a_gitignore_and_keeps_one_that_exists(tmp_path: Path) -> None:
    fresh = gglift("init", "fresh", cwd=tmp_path)
    assert fresh.returncode == 0
    assert (tmp_path / "fresh" / ".gitignore").read_text().splitlines()[1:3] == ["build/", ".gglift/"]
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".gitignore").write_text("mine\n")
    kept = gglift("init", "repo", cwd=tmp_path)
    assert kept.returncode == 0 and "wrote repo/.gitignore" not in kept.stdout
    assert (tmp_path / "repo" / ".gitignore").read_text() == "mine\n"


SHADOW_APP = """\
import json

import greengrasssdk

iot = greengrasssdk.client("iot-data")


def handler(event, context):
    document = json.loads(iot.get_thing_shadow(thingName="sensor-1")["payload"])
    return document["state"]["desired"]
"""


def test_a_shadow_seeded_from_the_command_line_is_what_functions_read(tmp_path: Path) -> None:
    (tmp_path / "gglift.toml").write_text('target = "component"\n[[function]]\nname = "reader"\nhandler = "app.handler"\n')
    (tmp_path / "app.py").write_text(SHADOW_APP)
    missing = gglift("shadow", "get", "--thing", "sensor-1", cwd=tmp_path)
    assert (missing.returncode, missing.stderr) == (1, "error: No shadow exists with name: 'sensor-1' (code 404)\n")
    seeded = gglift("shadow", "update", "--thing", "sensor-1", "--state", '{"desired": {"interval": 30}}', cwd=tmp_path)
    assert seeded.returncode == 0 and json.loads(seeded.stdout)["version"] == 1
    invoked = gglift("invoke", "reader", "-q", cwd=tmp_path)
    assert (invoked.returncode, json.loads(invoked.stdout)) == (0, {"interval": 30})
    conflict = gglift("shadow", "update", "--thing", "sensor-1", "--state", '{"reported": {}}', "--version", "7", cwd=tmp_path)
    assert (conflict.returncode, conflict.stderr) == (1, "error: Version conflict (code 409)\n")
    bad = gglift("shadow", "update", "--thing", "sensor-1", "--state", '{"bogus": {}}', cwd=tmp_path)
    assert (bad.returncode, bad.stderr) == (2, "error: State contains an invalid node: 'bogus' (code 400)\n")
    deleted = gglift("shadow", "delete", "--thing", "sensor-1", cwd=tmp_path)
    assert deleted.returncode == 0 and gglift("shadow", "get", "--thing", "sensor-1", cwd=tmp_path).returncode == 1
