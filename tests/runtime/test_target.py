"""``target = "lambda"`` (the default): the local core behaves as a V2 Lambda component would,
refusing V1 shadow calls and C executables with GGL190's explanation."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from .conftest import kinds, run_core

GGLIFT = [sys.executable, "-m", "gglift"]
HINT = "set target = \"component\" in gglift.toml: gglift's host runs it on the nucleus and on nucleus lite"
SHADOW_REFUSAL = ("GGL190: function shadow calls the V1 local shadow service (thing lamp), which a Lambda "
                  f"component on Greengrass V2 cannot run; hint: {HINT}")

APP = '''
import greengrasssdk

iot = greengrasssdk.client("iot-data")

def shadow(event, context):
    try:
        iot.get_thing_shadow(thingName="lamp")
    except Exception as exc:
        return {"error": str(exc)}
    return {"error": None}
'''

SHADOW_TOML = '''
[[function]]
name = "shadow"
handler = "app.shadow"
'''


def test_a_shadow_call_is_refused_with_ggl190_under_target_lambda(make_project, tmp_path):
    project = make_project(SHADOW_TOML, app=APP)

    async def body(core, records):
        result = await core.invoke("shadow", {})
        return json.loads(result.payload), kinds(records, "refused")

    answer, refused = run_core(project, body)
    assert answer == {"error": f'Request for shadow state returned error code 501 with message "{SHADOW_REFUSAL}"'}
    assert [(r.function, r.topic, r.reason) for r in refused] == [("shadow", "$aws/things/lamp/shadow/get", SHADOW_REFUSAL)]


def test_the_same_shadow_call_is_served_under_target_component(make_project):
    project = make_project('target = "component"\n' + SHADOW_TOML, app=APP)

    async def body(core, records):
        return json.loads((await core.invoke("shadow", {})).payload), kinds(records, "refused")

    answer, refused = run_core(project, body)
    assert answer == {"error": "Request for shadow state returned error code 404 with message \"No shadow exists with name: 'lamp'\""}
    assert refused == []


def test_gglift_invoke_prints_the_refusal_and_the_fix(make_project, tmp_path):
    make_project(SHADOW_TOML, app=APP)
    run = subprocess.run([*GGLIFT, "invoke", "shadow", "-p", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["error"].startswith("Request for shadow state returned error code 501 with message \"GGL190: ")
    assert f"refused shadow -> $aws/things/lamp/shadow/get: {SHADOW_REFUSAL}" in run.stderr.splitlines()


def _executable_project(tmp_path, target: str = ""):
    exe = tmp_path / "native"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    (tmp_path / "gglift.toml").write_text(target + textwrap.dedent('''
        [[function]]
        name = "native"
        runtime = "executable"
        handler = "native"
        inputPayloadEncodingType = "binary"
        '''))


EXECUTABLE_REFUSAL = ("error: GGL190 native: function native is a C executable, which a Lambda component on "
                      f"Greengrass V2 cannot run; hint: {HINT}\n")


def test_gglift_run_and_invoke_refuse_a_c_executable_at_start_under_target_lambda(tmp_path):
    _executable_project(tmp_path)
    events = tmp_path / "events.jsonl"
    events.write_text("")
    run = subprocess.run([*GGLIFT, "run", str(tmp_path), "--events", str(events), "--until-idle"],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", EXECUTABLE_REFUSAL)
    invoke = subprocess.run([*GGLIFT, "invoke", "native", "-p", str(tmp_path), "--payload", "x"],
                            capture_output=True, text=True, timeout=120)
    assert (invoke.returncode, invoke.stdout, invoke.stderr) == (2, "", EXECUTABLE_REFUSAL)
