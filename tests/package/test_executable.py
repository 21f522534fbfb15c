"""C Lambda executables: the binary plus gglift's Core SDK for C library, a V1-style request."""

from __future__ import annotations

import json
import subprocess
import zipfile

import botocore.session
import pytest
from botocore.validate import ParamValidator

from gglift.package import package_project
from gglift.package.report import report_lines

native = pytest.importorskip("gglift.native", reason="the Core SDK for C library comes from gglift.native")


def test_executable_artifact_request_and_note(write_project, tmp_path, vendor_cache, no_derive):
    project = write_project('[[function]]\nname = "blink"\nhandler = "blink"\nruntime = "executable"\nsource = "bin"\n',
                            {"blink.c": "int main(void) { return 0; }\n"})
    (tmp_path / "bin").mkdir()
    subprocess.run(["cc", "-o", str(tmp_path / "bin" / "blink"), str(tmp_path / "blink.c")], check=True)
    result = package_project(project, cache_dir=vendor_cache, derive_with=no_derive)
    out = result.functions[0]
    library = native.library_path()
    with zipfile.ZipFile(out.artifact) as zf:
        modes = {info.filename: info.external_attr >> 16 for info in zf.infolist()}
        assert zf.read("blink") == (tmp_path / "bin" / "blink").read_bytes()
    assert modes == {"blink": 0o100755, library.name if hasattr(library, "name") else str(library).rsplit("/", 1)[1]: 0o100644}
    request = json.loads(out.files["create-function"].read_text())
    assert request["Runtime"] == "arn:aws:greengrass:::runtime/function/executable"
    assert request["Handler"] == "blink"
    shape = botocore.session.get_session().get_service_model("lambda").operation_model("CreateFunction").input_shape
    assert not ParamValidator().validate(request, shape).has_errors()
    assert "recipe_json" not in out.files and "create-component-version" not in out.files
    assert "blink" not in json.loads(result.deployment.read_text())["components"]
    assert report_lines(result, cwd=tmp_path)[-1] == (
        "note: blink: Greengrass V2 cannot import C Lambda executables as Lambda components: the artifact and the "
        "V1-style create-function request are written, but there is no recipe and `gglift deploy` refuses it."
    )
