"""What users install works: the wheel alone, in an empty virtual environment with no extras,
runs a Python function and C functions through ``gglift invoke``, and carries every file the
core, the runners and C builds need."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
C_BINARY = 'runtime = "executable"\ninputPayloadEncodingType = "binary"\n'


def test_record_lists_shims_templates_and_the_c_runtime(wheel):
    with zipfile.ZipFile(wheel) as zf:
        [record] = [name for name in zf.namelist() if name.endswith(".dist-info/RECORD")]
        listed = {line.split(",")[0] for line in zf.read(record).decode().splitlines()}
    assert {
        "gglift/runner/shims/greengrass_common/__init__.py",
        "gglift/runner/shims/greengrass_common/env_vars.py",
        "gglift/runner/shims/greengrass_common/function_arn_fields.py",
        "gglift/runner/shims/greengrass_ipc_python_sdk/__init__.py",
        "gglift/runner/shims/greengrass_ipc_python_sdk/ipc_client.py",
        "gglift/templates/recipe.yaml.j2",
        "gglift/templates/recipe.json.j2",
        "gglift/templates/init/src/app.py.j2",
        "gglift/native/lib/libaws-greengrass-core-sdk-c.so",
        "gglift/native/include/greengrasssdk.h",
        "gglift/native/lib/cmake/aws-greengrass-core-sdk-c/aws-greengrass-core-sdk-cConfig.cmake",
    } <= listed
    assert any(name.startswith("gglift/_native.") and name.endswith(".so") for name in listed)


@pytest.fixture(scope="module")
def sdist(wheel, tmp_path_factory) -> Path:
    """The sdist `make test` built the wheel from (beside it), else one built from this checkout now."""
    beside = sorted(wheel.parent.glob("gglift-*.tar.gz"))
    if beside:
        return beside[-1]
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    [path] = out.glob("gglift-*.tar.gz")
    return path


def test_sdist_carries_what_a_wheel_is_built_from(sdist):
    with tarfile.open(sdist) as tf:
        names = {name.split("/", 1)[1] for name in tf.getnames() if "/" in name}
    assert {
        "setup.py", "pyproject.toml", "MANIFEST.in",
        "gglift/runner/shims/__init__.py",
        "gglift/runner/shims/greengrass_common/__init__.py",
        "gglift/runner/shims/greengrass_ipc_python_sdk/ipc_client.py",
        "templates/recipe.yaml.j2",
        "templates/init/src/app.py.j2",
        "runtime_c/include/greengrasssdk.h",
        "runtime_c/exports.map",
        "runtime_c/src/runtime.c",
        "runtime_c/cmake/aws-greengrass-core-sdk-cConfig.cmake",
    } <= names
    assert not any(name.startswith("runtime_c/build/") for name in names)


@pytest.fixture(scope="module")
def bare_venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with only ``pip install <wheel>`` (its dependencies, no extras)."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    done = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return venv


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _invoke(venv: Path, project: Path, function: str, payload: str) -> subprocess.CompletedProcess:
    return _run(venv, str(venv / "bin/gglift"), "invoke", function, "--payload", payload, "-p", str(project),
                cwd=project)


def test_a_python_function_runs_with_greengrasssdk_from_the_wheels_dependencies(bare_venv, tmp_path):
    project = tmp_path / "invoke"
    shutil.copytree(ROOT / "examples" / "invoke", project)
    done = _invoke(bare_venv, project, "invoker", '{"name": "hello"}')
    assert (done.returncode, done.stdout) == (0, '"hello world"\n'), done.stderr
    assert "log     invoker INFO invoker.py:16,Response: hello world" in done.stderr.splitlines()


def test_a_functions_own_greengrasssdk_wins_over_the_vendored_one(bare_venv, tmp_path):
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "where"\nhandler = "where.handler"\n')
    (tmp_path / "where.py").write_text(textwrap.dedent("""
        import greengrasssdk

        def handler(event, context):
            return greengrasssdk.__file__
    """))
    site = _run(bare_venv, str(bare_venv / "bin/python"), "-c", "import greengrasssdk; print(greengrasssdk.__file__)",
                cwd=tmp_path).stdout.strip()
    assert site.startswith(str(bare_venv))
    from_core = _invoke(bare_venv, tmp_path, "where", "{}")
    # Not gglift's own copy: what the artifact would vendor (greengrasssdk, since the code
    # imports it), installed for this machine in gglift's cache.
    assert from_core.returncode == 0, from_core.stderr
    where = from_core.stdout.strip().strip('"')
    assert where != site and "/vendor/" in where and where.endswith("/greengrasssdk/__init__.py"), where
    # Vendored beside the code, as `gglift package` vendors requirements.txt for a device.
    vendored = _run(bare_venv, str(bare_venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(tmp_path), "greengrasssdk==1.6.1", cwd=tmp_path)
    assert vendored.returncode == 0, vendored.stderr
    own = _invoke(bare_venv, tmp_path, "where", "{}")
    assert (own.returncode, own.stdout) == (0, f'"{tmp_path / "greengrasssdk" / "__init__.py"}"\n'), own.stderr


@pytest.mark.skipif(shutil.which("cc") is None or shutil.which("cmake") is None, reason="needs cc and cmake")
def test_c_functions_built_against_the_wheel_by_cmake_and_gglift_native_build(bare_venv, tmp_path):
    gglift = str(bare_venv / "bin/gglift")
    prefix = _run(bare_venv, gglift, "native", "--prefix", cwd=tmp_path).stdout.strip()
    assert prefix == str(next((bare_venv / "lib").glob("python3*/site-packages/gglift/native")))
    # AWS's documented way: find_package(aws-greengrass-core-sdk-c REQUIRED), AWS's flags.
    build = tmp_path / "cmake"
    for step in (["cmake", "-S", str(ROOT / "runtime_c/compat"), "-B", str(build), f"-DCMAKE_PREFIX_PATH={prefix}"],
                 ["cmake", "--build", str(build)]):
        done = _run(bare_venv, *step, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(build / "log_size_t", project / "log_size_t")
    built = _run(bare_venv, gglift, "native", "build", str(ROOT / "runtime_c/compat/posix_types.c"),
                 "-o", str(project / "posix_types"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    (project / "gglift.toml").write_text(
        f'target = "component"\n[[function]]\nname = "sizes"\nhandler = "log_size_t"\n{C_BINARY}\n'
        f'[[function]]\nname = "upper"\nhandler = "posix_types"\n{C_BINARY}'
    )
    sizes = _invoke(bare_venv, project, "sizes", "hello")
    assert (sizes.returncode, sizes.stdout) == (0, "5 bytes: hello\n"), sizes.stderr
    assert "log     sizes INFO log_size_t,Received message: [hello] size: [5]" in sizes.stderr.splitlines()
    upper = _invoke(bare_venv, project, "upper", "Hello, world")
    assert (upper.returncode, upper.stdout) == (0, "HELLO, WORLD\n"), upper.stderr
