"""The ABI contract: a binary linked against a stand-in library with the SDK's SONAME and
symbol version nodes but empty bodies (as AWS ships its stub) runs unchanged with gglift's
library first on LD_LIBRARY_PATH, which is how the core launches it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from gglift.native import include_dir, library_path
from tests.native.conftest import COMPONENT, EXAMPLES, ROOT, executable, logs, needs_cc, run_core

RUNTIME = ROOT / "runtime_c"


@pytest.fixture
def stub_built(tmp_path):
    """Examples using all three version nodes, linked against the stand-in library."""
    stub_dir = tmp_path / "stub"
    stub_dir.mkdir()
    subprocess.run(["cc", "-shared", "-fPIC", f"-I{include_dir()}", "-Wl,-soname,libaws-greengrass-core-sdk-c.so",
                    f"-Wl,--version-script={RUNTIME / 'exports.map'}", "-o", str(stub_dir / library_path().name),
                    str(RUNTIME / "tests" / "abi_stub.c")], check=True)
    for name in ("publish_all_or_error", "secret", "invokee"):
        subprocess.run(["cc", f"-I{include_dir()}", str(EXAMPLES / f"{name}.c"), "-o", str(tmp_path / name),
                        f"-L{stub_dir}", "-laws-greengrass-core-sdk-c"], check=True)
    return tmp_path, stub_dir


def _needed_versions(binary) -> set[str]:
    out = subprocess.run(["readelf", "-V", "-W", str(binary)], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"Name: (aws_greengrass_core_sdk_c_1\.\d)", out))


@needs_cc
def test_binaries_built_against_the_stub_ask_for_the_version_nodes(stub_built):
    folder, stub_dir = stub_built
    assert _needed_versions(folder / "publish_all_or_error") == {"aws_greengrass_core_sdk_c_1.0", "aws_greengrass_core_sdk_c_1.2"}
    assert _needed_versions(folder / "secret") == {"aws_greengrass_core_sdk_c_1.0", "aws_greengrass_core_sdk_c_1.1"}
    # Alone with the stub, the binary only reaches the empty bodies.
    done = subprocess.run([str(folder / "invokee")], env={**os.environ, "LD_LIBRARY_PATH": str(stub_dir)},
                          capture_output=True, text=True, timeout=30)
    assert done.stderr == "Loaded stub instead of implementation library!\n"
    assert done.returncode == 1


@needs_cc
def test_stub_linked_binaries_run_on_the_core_with_gglifts_library(stub_built):
    from gglift.config import load_project

    folder, _ = stub_built
    (folder / "secrets.json").write_text(json.dumps({"foo": "s3cr3t"}))
    (folder / "gglift.toml").write_text(
        COMPONENT + executable("publish_all_or_error") + executable("secret") + executable("invokee")
        + '[[subscription]]\nsource = "publish_all_or_error"\nsubject = "to/cloud"\ntarget = "cloud"\n'
        + '[local]\nsecrets_file = "secrets.json"\n'
    )

    async def body(core, seen):
        return [await core.invoke(name, b"hello") for name in ("publish_all_or_error", "secret", "invokee")]

    (published, secret, hello), records = run_core(load_project(folder), body)
    assert published.payload == b"published"
    assert json.loads(secret.payload)["SecretString"] == "s3cr3t"
    assert hello.payload == b"hello world"
    assert logs(records, "secret") == ["secret,read secret foo"]
    assert not any("Loaded stub" in r.message for r in records if r.kind == "log")


@needs_cc
@pytest.mark.skipif(shutil.which("chrpath") is None, reason="chrpath is not installed")
def test_a_dt_rpath_to_the_stub_beats_ld_library_path_until_converted_to_runpath(stub_built, tmp_path):
    from gglift.config import load_project
    from gglift.native import library_dir

    folder, stub_dir = stub_built
    binary = tmp_path / "rpath" / "invokee"
    binary.parent.mkdir()
    # As some toolchains link by default: the stub's folder recorded as DT_RPATH.
    subprocess.run(["cc", f"-I{include_dir()}", str(EXAMPLES / "invokee.c"), "-o", str(binary), f"-L{stub_dir}",
                    "-laws-greengrass-core-sdk-c", "-Wl,--disable-new-dtags", f"-Wl,-rpath,{stub_dir}"], check=True)
    assert _dynamic_paths(binary) == [("RPATH", str(stub_dir))]
    stubbed = subprocess.run([str(binary)], env={**os.environ, "LD_LIBRARY_PATH": str(library_dir())},
                             capture_output=True, text=True, timeout=30)
    assert stubbed.stderr == "Loaded stub instead of implementation library!\n"

    # What docs/c-runtime.md says to do: the same path as DT_RUNPATH, which LD_LIBRARY_PATH beats.
    subprocess.run(["chrpath", "-c", str(binary)], check=True, capture_output=True)
    assert _dynamic_paths(binary) == [("RUNPATH", str(stub_dir))]
    (binary.parent / "gglift.toml").write_text(COMPONENT + executable("invokee"))

    async def body(core, seen):
        return await core.invoke("invokee", b"hello")

    hello, records = run_core(load_project(binary.parent), body)
    assert hello.payload == b"hello world"
    assert not any("Loaded stub" in r.message for r in records if r.kind == "log")


def _dynamic_paths(binary) -> list[tuple[str, str]]:
    out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\((RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(.*)\]", out)
