"""The runtime as shipped: inside a wheel (library, header, cffi module, found through the
package), the `gglift native` command, and the cibuildwheel matrix for edge devices."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import zipfile

import pytest

from gglift.native import include_dir, library_dir, library_path
from tests.native.conftest import EXAMPLES, GGLIFT, ROOT, needs_cc


@pytest.mark.slow
def test_wheel_carries_the_library_header_and_module(wheel, tmp_path):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    assert {"gglift/native/lib/libaws-greengrass-core-sdk-c.so", "gglift/native/include/greengrasssdk.h"} <= names
    assert any(n.startswith("gglift/_native.") and n.endswith(".so") for n in names)
    site = tmp_path / "site"
    found = subprocess.run(
        [sys.executable, "-c", "from gglift.native import library_path; from gglift._native import lib; "
                               "print(library_path()); print(lib.GGE_TERMINATE)"],
        env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    assert found == [str(site / "gglift/native/lib/libaws-greengrass-core-sdk-c.so"), "5"]
    abi = subprocess.run(["sh", str(ROOT / "runtime_c/tests/check_abi.sh"), found[0]], capture_output=True, text=True)
    assert abi.returncode == 0, abi.stdout


def test_the_installed_package_resolves_library_and_header():
    assert library_path() == library_dir() / "libaws-greengrass-core-sdk-c.so"
    assert (include_dir() / "greengrasssdk.h").read_text() == (ROOT / "runtime_c/include/greengrasssdk.h").read_text()


def test_native_flags():
    def run(*args):
        return subprocess.run([*GGLIFT, "native", *args], capture_output=True, text=True)

    assert run("--cflags").stdout == f"-I{include_dir()}\n"
    assert run("--libs").stdout == f"-L{library_dir()} -laws-greengrass-core-sdk-c -lpthread\n"
    assert run("--lib-dir").stdout == f"{library_dir()}\n"
    assert run("--prefix").stdout == f"{library_dir().parent}\n"
    assert (library_dir() / "cmake/aws-greengrass-core-sdk-c/aws-greengrass-core-sdk-cConfig.cmake").is_file()
    assert run("--cflags", "--libs").stdout.split() == [f"-I{include_dir()}", f"-L{library_dir()}",
                                                         "-laws-greengrass-core-sdk-c", "-lpthread"]
    usage = run()
    assert usage.returncode == 2 and "gglift native build handler.c -o handler" in usage.stdout


@needs_cc
def test_native_build_links_against_the_runtime(tmp_path):
    out = tmp_path / "invokee"
    done = subprocess.run([*GGLIFT, "native", "build", str(EXAMPLES / "invokee.c"), "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert shlex.split(done.stderr)[-3:] == [f"-L{library_dir()}", "-laws-greengrass-core-sdk-c", "-lpthread"]
    needed = subprocess.run(["readelf", "-d", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Shared library: [libaws-greengrass-core-sdk-c.so]" in needed


@needs_cc
def test_native_build_reports_compiler_errors_and_missing_files(tmp_path):
    bad = tmp_path / "bad.c"
    bad.write_text("int main(void) { return undeclared; }\n")
    done = subprocess.run([*GGLIFT, "native", "build", str(bad), "-o", str(tmp_path / "bad")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "undeclared" in done.stderr and f"{tmp_path / 'bad'} was not written" in done.stderr
    assert not (tmp_path / "bad").exists()
    missing = subprocess.run([*GGLIFT, "native", "build", "nope.c", "-o", "x"], capture_output=True, text=True, cwd=tmp_path)
    assert missing.returncode == 2 and "'nope.c' does not exist" in missing.stderr
    no_cc = subprocess.run([*GGLIFT, "native", "build", str(bad), "-o", "x", "--cc", "no-such-cc"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert no_cc.returncode == 2 and "C compiler not found: 'no-such-cc'" in no_cc.stderr


def test_cibuildwheel_builds_cpython_39_to_313_for_three_linux_architectures():
    done = subprocess.run([sys.executable, "-m", "cibuildwheel", "--print-build-identifiers", "--platform", "linux",
                           str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    expected = [f"cp3{minor}-manylinux_{arch}" for arch in ("x86_64", "aarch64", "armv7l") for minor in range(9, 14)]
    assert done.stdout.split() == expected
