"""The ported example runs on the real greengrasssdk wheel and makes the expected core calls.

The core's own runtime modules are replaced by recording stand-ins (tests/port/core_shims);
everything from the function's code down through greengrasssdk 1.6.1 is real.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from gglift.port import analyze_path

HERE = Path(__file__).parent
EXAMPLE = HERE.parents[1] / "examples" / "cloud_lambda" / "src"
MY_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:sensor-gateway:1"

DRIVER = """
import json, app
from greengrass_ipc_python_sdk import ipc_client
result = app.handler({"device": "sensor-7", "temperature": "21.5"}, None)
print(json.dumps({"result": result, "calls": ipc_client.CALLS}))
"""


def test_ported_example_runs_on_greengrasssdk(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "src")
    app = tmp_path / "src" / "app.py"
    ported = analyze_path(app)
    assert ported.changed and not any(f.severity == "error" for f in ported.findings)
    app.write_bytes(ported.new_source)

    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(HERE / "core_shims"), str(app.parent)]),
        MY_FUNCTION_ARN=MY_ARN,
        ROUTER_FUNCTION_ARN="arn:aws:lambda:::function:GGRouter",
        SHADOW_FUNCTION_ARN="arn:aws:lambda:::function:GGShadowService",
        SECRETS_MANAGER_FUNCTION_ARN="arn:aws:lambda:::function:GGSecretManager:1",
        AWS_REGION="eu-west-1",
    )
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["result"] == {"device": "sensor-7", "interval": 30}

    calls = out["calls"]
    contexts = [json.loads(base64.b64decode(c["client_context"])) if c["client_context"] else None for c in calls]
    assert [(c["target"], c["type"]) for c in calls] == [
        ("arn:aws:lambda:::function:GGSecretManager:1", "RequestResponse"),
        ("arn:aws:lambda:::function:GGRouter", "Event"),
        ("arn:aws:lambda:::function:GGShadowService", "RequestResponse"),
        ("arn:aws:lambda:::function:GGShadowService", "RequestResponse"),
    ]
    assert json.loads(calls[0]["payload"]) == {"SecretId": "sensor-gateway/api-key"}
    assert contexts[1] == {
        "custom": {"source": MY_ARN, "subject": "sensors/sensor-7/telemetry", "queueFullPolicy": ""}
    }
    assert json.loads(calls[1]["payload"]) == {"device": "sensor-7", "temperature": 21.5, "key": "k3y-"}
    assert contexts[2] == {"custom": {"subject": "$aws/things/sensor-gateway/shadow/update"}}
    assert json.loads(calls[2]["payload"]) == {"state": {"reported": {"last": json.loads(calls[1]["payload"])}}}
    assert contexts[3] == {"custom": {"subject": "$aws/things/sensor-gateway/shadow/get"}}
