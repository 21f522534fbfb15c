"""The launch path of C Lambda executables: a binary at <source>/<handler>, binary payloads,
the Core SDK for C library first on LD_LIBRARY_PATH. The stand-in executable below speaks the
IPC protocol directly, as the C runtime does."""

from __future__ import annotations

import json
import stat
import sys
import types

import pytest

from .conftest import run_core

EXECUTABLE = '''#!{python} -S
import http.client, json, os
arn, port = os.environ["MY_FUNCTION_ARN"], int(os.environ["GG_DAEMON_PORT"])
auth = {{"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}}
conn = http.client.HTTPConnection("127.0.0.1", port)
conn.request("PUT", "/2016-11-01/functions/%s/initialized" % arn, b'{{"Success": true}}', auth)
conn.getresponse().read()
while True:
    conn.request("GET", "/2016-11-01/functions/%s/work" % arn, headers=auth)
    response = conn.getresponse()
    event = response.read()
    answer = json.dumps({{"event": event.decode(), "encoding": os.environ["ENCODING_TYPE"],
                         "ld_library_path": os.environ["LD_LIBRARY_PATH"]}}).encode()
    headers = dict(auth, **{{"X-Amz-InvocationId": response.getheader("X-Amz-InvocationId")}})
    conn.request("POST", "/2016-11-01/functions/%s/work" % arn, answer, headers)
    conn.getresponse().read()
'''

TOML = '''
target = "component"
[[function]]
name = "native"
runtime = "executable"
handler = "echo_exe"
inputPayloadEncodingType = "binary"
[function.linuxProcessParams]
isolationMode = "NoContainer"  # the stand-in imports http.client: about 17 MB, over the 16 MB default
'''


@pytest.fixture
def sdk_library(tmp_path, monkeypatch):
    """Where gglift.native's library_dir() points: a folder of this test (the runtime is built elsewhere)."""
    native = types.ModuleType("gglift.native")
    native.library_dir = lambda: tmp_path / "sdk-lib"
    monkeypatch.setitem(sys.modules, "gglift.native", native)
    return tmp_path / "sdk-lib"


def test_executable_runs_with_binary_payloads_and_the_sdk_library_path(make_project, tmp_path, sdk_library):
    project = make_project(TOML)
    exe = tmp_path / "echo_exe"
    exe.write_text(EXECUTABLE.format(python=sys.executable))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)

    result = run_core(project, lambda core, records: core.invoke("native", b"hello"))
    answer = json.loads(result.payload)
    assert answer["event"] == "hello" and answer["encoding"] == "binary"
    assert answer["ld_library_path"].split(":")[0] == str(sdk_library)


def test_missing_executable_is_an_initialization_error(make_project, tmp_path, sdk_library):
    project = make_project(TOML.replace("echo_exe", "not_there"))
    result = run_core(project, lambda core, records: core.invoke("native", b"x"))
    assert result.error == "Unhandled" and result.error_type == "InitializationError"
    assert json.loads(result.payload)["errorMessage"] == f"cannot start {tmp_path / 'not_there'}: No such file or directory"


def test_a_missing_c_runtime_is_an_initialization_error(make_project, monkeypatch):
    from gglift.native import RuntimeNotBuilt

    def not_built():
        raise RuntimeNotBuilt("libaws-greengrass-core-sdk-c.so is missing")

    native = types.ModuleType("gglift.native")
    native.library_dir = not_built
    monkeypatch.setitem(sys.modules, "gglift.native", native)
    result = run_core(make_project(TOML), lambda core, records: core.invoke("native", b"x"))
    assert result.error == "Unhandled" and result.error_type == "InitializationError"
    assert json.loads(result.payload)["errorMessage"] == (
        "C Lambda executables need gglift's Core SDK for C runtime (gglift.native): "
        "libaws-greengrass-core-sdk-c.so is missing")
