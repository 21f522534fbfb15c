"""ARM builds of the runtime and examples (Debian's cross compilers), run under qemu-user as
workers of the local core on this machine: the aarch64 and armhf libraries really serve
invocations. `make cross` runs these after the cross builds' own C tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from gglift.config import load_project
from tests.native.conftest import COMPONENT, ROOT, executable, logs, run_core

TARGETS = [("aarch64-linux-gnu", "qemu-aarch64", "AArch64"), ("arm-linux-gnueabihf", "qemu-arm", "ARM")]
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}:1"


@pytest.mark.slow
@pytest.mark.parametrize("triple,qemu,machine", TARGETS)
def test_cross_built_examples_serve_the_core_under_qemu(tmp_path, triple, qemu, machine):
    if shutil.which(f"{triple}-gcc") is None or shutil.which(qemu) is None:
        pytest.skip(f"needs {triple}-gcc and {qemu} (tools/system-packages.txt)")
    out = tmp_path / triple
    subprocess.run(["make", "-s", "-C", str(ROOT / "runtime_c"), "lib", "examples", f"CC={triple}-gcc", f"OUT={out}"],
                   check=True, capture_output=True)
    for binary in (out / "libaws-greengrass-core-sdk-c.so", out / "examples" / "invokee"):
        header = subprocess.run(["readelf", "-h", str(binary)], capture_output=True, text=True, check=True).stdout
        assert re.search(rf"Machine:\s+{machine}$", header, re.M), header
    # The core runs <source>/<handler>: a wrapper that starts the ARM binary under qemu with the
    # ARM library first (qemu's own LD_LIBRARY_PATH keeps the host's).
    for name in ("invoker", "invokee", "shadow"):
        wrapper = tmp_path / name
        wrapper.write_text(f'#!/bin/sh\nexec {qemu} -L /usr/{triple} -E LD_LIBRARY_PATH={out} {out / "examples" / name}\n')
        wrapper.chmod(0o755)
    # Emulated workers start slowly on a loaded machine, and qemu itself takes more than the
    # 16 MB default memory limit: give them room.
    slow = {"timeoutInSeconds": "30", "statusTimeoutInSeconds": "60",
            "linuxProcessParams": "{containerParams = {memorySizeInKB = 131072}}"}
    (tmp_path / "gglift.toml").write_text(
        COMPONENT + executable("invoker", environmentVariables=f'{{TARGET_FUNCTION_ARN = "{ARN.format("invokee")}"}}', **slow)
        + executable("invokee", **slow) + executable("shadow", **slow)
        + f'[local]\nstate_dir = "{tmp_path / "state"}"\n'
    )

    async def body(core, seen):
        return await core.invoke("invoker", b"hello"), await core.invoke("shadow", b"")

    # The handlers are qemu wrapper scripts: the imported Core SDK symbols that grant the shadow
    # service cannot be read from them, so the policy the real binaries would get is given.
    shadows = {"aws.greengrass.ShadowManager": {"c": {"operations": ["*"], "resources": ["$aws/things/*/shadow"]}}}
    (hello, shadow), records = run_core(load_project(tmp_path), body, access_control=shadows)
    assert (hello.error, shadow.error) == ("", ""), (hello.payload, shadow.payload)
    assert hello.payload == b"SUCCESS: hello world"
    assert logs(records, "invoker") == ["invoker,Response: hello world read: 11"]
    assert json.loads(shadow.payload)["state"]["desired"] == {"mode": "OFF"}
