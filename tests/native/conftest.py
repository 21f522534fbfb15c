"""Fixtures: the C examples built with ``gglift native build``, and projects that run them."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gglift.config import load_project
from gglift.runtime import Core

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "runtime_c" / "examples"
GGLIFT = [sys.executable, "-m", "gglift"]

needs_cc = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler (install gcc)")


def build(source: Path, output: Path, *extra: str) -> Path:
    """Compile one C program with ``gglift native build``; fails the test on compiler errors."""
    done = subprocess.run([*GGLIFT, "native", "build", str(source), "-o", str(output), *extra],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return output


@pytest.fixture(scope="session")
def examples(tmp_path_factory) -> Path:
    """A folder with every example of runtime_c/examples built, named after its source."""
    if shutil.which("cc") is None:
        pytest.skip("no C compiler (install gcc)")
    out = tmp_path_factory.mktemp("c-examples")
    for source in sorted(EXAMPLES.glob("*.c")):
        build(source, out / source.stem)
    return out


@pytest.fixture
def c_project(tmp_path, examples):
    """``c_project(toml, files={name: text})``: a project folder holding the built examples."""

    def make(toml: str, files: dict | None = None):
        for exe in examples.iterdir():
            shutil.copy2(exe, tmp_path / exe.name)
        for name, text in (files or {}).items():
            (tmp_path / name).write_text(text)
        (tmp_path / "gglift.toml").write_text(COMPONENT + textwrap.dedent(toml))
        return load_project(tmp_path)

    return make


def run_core(project, body, **options):
    """Run ``await body(core, records)`` in a started core; returns (body's value, records)."""
    seen = []

    async def main():
        options.setdefault("mqtt", None)
        async with Core(project, **options) as core:
            core.add_observer(seen.append)
            return await asyncio.wait_for(body(core, seen), 60)

    return asyncio.run(main()), seen


def logs(records, function: str) -> list[str]:
    """The log messages of a function, in order."""
    return [r.message for r in records if r.kind == "log" and r.function == function]


# C executables run only with target = "component" (the host); target = "lambda" refuses them (GGL190).
COMPONENT = 'target = "component"\n'


def executable(name: str, handler: str = "", **fields: str) -> str:
    """A [[function]] table running the example ``handler`` (default: ``name``)."""
    extra = "".join(f"{key} = {value}\n" for key, value in fields.items())
    return (f'[[function]]\nname = "{name}"\nruntime = "executable"\nhandler = "{handler or name}"\n'
            f'inputPayloadEncodingType = "binary"\n{extra}\n')
