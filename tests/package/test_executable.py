"""C Lambda executables: the binary plus gglift's Core SDK for C library, a V1-style request."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import botocore.session
from botocore.validate import ParamValidator

from gglift import native
from gglift.package import package_project
from gglift.package.report import report_lines


def test_executable_artifact_request_and_note(write_project, tmp_path, vendor_cache, no_derive):
    project = write_project('[[function]]\nname = "publisher"\nhandler = "publisher"\nruntime = "executable"\nsource = "bin"\n', {"bin/.keep": ""})
    binary = tmp_path / "bin" / "publisher"
    example = Path(__file__).resolve().parents[2] / "runtime_c" / "examples" / "async_publish.c"
    subprocess.run([sys.executable, "-m", "gglift", "native", "build", str(example), "-o", str(binary)], check=True)
    result = package_project(project, cache_dir=vendor_cache, derive_with=no_derive)
    out = result.functions[0]
    library = native.library_path()
    with zipfile.ZipFile(out.artifact) as zf:
        modes = {info.filename: info.external_attr >> 16 for info in zf.infolist()}
        assert zf.read("publisher") == binary.read_bytes()
        assert zf.read(library.name) == library.read_bytes()
    assert modes == {"publisher": 0o100755, "libaws-greengrass-core-sdk-c.so": 0o100644}
    request = json.loads(out.files["create-function"].read_text())
    assert request["Runtime"] == "arn:aws:greengrass:::runtime/function/executable"
    assert request["Handler"] == "publisher"
    shape = botocore.session.get_session().get_service_model("lambda").operation_model("CreateFunction").input_shape
    assert not ParamValidator().validate(request, shape).has_errors()
    assert "recipe_json" not in out.files and "create-component-version" not in out.files
    assert json.loads(result.deployment.read_text())["components"] == {}
    assert report_lines(result, cwd=tmp_path)[-1] == (
        "note: publisher: Greengrass V2 cannot import C Lambda executables as Lambda components: the artifact and the "
        "V1-style create-function request are written, but there is no recipe and `gglift deploy` refuses it."
    )
