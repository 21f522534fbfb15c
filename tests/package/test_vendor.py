"""Requirements vendored through pip from PyPI: native, aarch64 wheels, the cache, boto3 left out."""

from __future__ import annotations

import subprocess
import zipfile

import pytest

from gglift.package import package_project
from gglift.package.report import report_lines
from gglift.package.vendor import pip_arguments
from gglift.config.model import Platform

ELF_MACHINE_AARCH64 = 183


def names(artifact):
    with zipfile.ZipFile(artifact) as zf:
        return zf.namelist()


def test_greengrasssdk_is_vendored_for_aarch64_from_manylinux_wheels(write_project, vendor_cache, no_derive, tmp_path):
    project = write_project(
        """
        [[function]]
        name = "fn"
        handler = "app.handler"
        runtime = "python3.11"
        component = {platforms = [{os = "linux", architecture = "aarch64"}]}
        """,
        {"app.py": "import greengrasssdk\nclient = greengrasssdk.client('iot-data')\n"},
    )
    out = package_project(project, cache_dir=vendor_cache, derive_with=no_derive).functions[0]
    entries = names(out.artifact)
    assert "greengrasssdk/__init__.py" in entries
    (native,) = [n for n in entries if n.endswith(".so")]
    assert native == "_cbor2.cpython-311-aarch64-linux-gnu.so"
    with zipfile.ZipFile(out.artifact) as zf:
        header = zf.read(native)[:20]
    assert header[:4] == b"\x7fELF" and int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64
    assert [(d.name, d.version) for d in out.distributions] == [("cbor2", "5.4.6"), ("greengrasssdk", "1.6.1")]


def test_pip_is_asked_for_foreign_wheels_only():
    assert pip_arguments(Platform(architecture="aarch64"), "python3.11") == [
        "--only-binary=:all:", "--platform", "manylinux2014_aarch64", "--python-version", "3.11", "--implementation", "cp",
    ]
    assert pip_arguments(Platform(architecture="armv7l"), "python3.9")[2] == "manylinux2014_armv7l"


def test_unchanged_requirements_come_from_the_cache_without_pip(write_project, vendor_cache, no_derive, monkeypatch):
    project = write_project(
        '[[function]]\nname = "fn"\nhandler = "app.handler"\nrequirements = "requirements.txt"\n',
        {"app.py": "import six\n", "requirements.txt": "six==1.16.0  # pure Python\n"},
    )
    first = package_project(project, cache_dir=vendor_cache, derive_with=no_derive)
    assert "six/__init__.py" not in names(first.functions[0].artifact)  # six is a single module
    assert "six.py" in names(first.functions[0].artifact)

    def no_pip(*args, **kwargs):
        raise AssertionError("pip ran although the requirements did not change")

    monkeypatch.setattr(subprocess, "run", no_pip)
    second = package_project(project, cache_dir=vendor_cache, derive_with=no_derive)
    assert second.functions[0].cached is True
    assert second.functions[0].artifact.read_bytes() == first.functions[0].artifact.read_bytes()
    lines = report_lines(second, cwd=project.root)
    assert lines[0].startswith("fn: build/fn/lambda-artifact.zip (") and lines[0].endswith(", cached requirements)")
    assert lines[1] == "  six 1.16.0: 37.2 KB installed"


def test_a_requirement_pip_cannot_find_is_reported(write_project, vendor_cache, no_derive, tmp_path):
    from gglift.package.vendor import VendorError

    project = write_project(
        '[[function]]\nname = "fn"\nhandler = "app.handler"\nrequirements = "r.txt"\n'
        'component = {platforms = [{architecture = "aarch64"}]}\n',
        {"app.py": "", "r.txt": "gglift-no-such-package-xyz==0.0.1\n"},
    )
    cache = tmp_path / "cache"  # its own cache: the shared one may hold other tests' installs in progress
    with pytest.raises(VendorError, match="gglift-no-such-package-xyz"):
        package_project(project, cache_dir=cache, derive_with=no_derive)
    assert list((cache / "vendor").iterdir()) == []  # no half-done install left behind


@pytest.mark.slow
def test_boto3_is_left_out_when_the_ported_code_no_longer_imports_it(write_project, vendor_cache, no_derive, tmp_path):
    config = '[[function]]\nname = "fn"\nhandler = "app.handler"\nrequirements = "requirements.txt"\n'
    req = {"requirements.txt": "boto3==1.34.0\nbotocore==1.34.0\n"}
    ported = write_project(config, {"app.py": "import greengrasssdk\n", **req})
    out = package_project(ported, cache_dir=vendor_cache, derive_with=no_derive).functions[0]
    entries = names(out.artifact)
    assert not [n for n in entries if n.startswith(("boto3/", "botocore/", "s3transfer/"))]
    assert sorted(d.name for d in out.left_out) == ["boto3", "botocore", "s3transfer"]
    assert "greengrasssdk/__init__.py" in entries
    lines = report_lines(package_project(ported, cache_dir=vendor_cache, derive_with=no_derive), cwd=tmp_path)
    assert any(line.startswith("  left out botocore 1.34.0 (") and line.endswith("): the code does not import it") for line in lines)

    (tmp_path / "app.py").write_text("import boto3\n")
    kept = package_project(ported, cache_dir=vendor_cache, derive_with=no_derive).functions[0]
    assert "boto3/__init__.py" in names(kept.artifact) and kept.left_out == []
    assert kept.size > out.size * 5


def test_platforms_needing_different_wheels_ask_for_one_component_each(write_project, vendor_cache, no_derive):
    from gglift.package import PackageError

    project = write_project(
        '[[function]]\nname = "fn"\nhandler = "app.handler"\n'
        'component = {platforms = [{architecture = "aarch64"}, {architecture = "amd64"}]}\n',
        {"app.py": "import greengrasssdk\n"},
    )
    with pytest.raises(PackageError) as exc:
        package_project(project, cache_dir=vendor_cache, derive_with=no_derive)
    assert str(exc.value) == (
        "function 'fn': its requirements install different files for amd64 than for aarch64 (binary wheels), "
        "and a Lambda component has one artifact: package one component per architecture"
    )
    assert not (project.root / "build").exists()
