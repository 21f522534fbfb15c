"""An import the device will not have is named, with the requirement that fixes it, by every
command that loads the project, before it fails at run time (locally as on the device)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

APP = """\
import json

import yaml

try:
    import ujson
except ImportError:
    ujson = None

import helpers


def handler(event, context):
    return yaml.safe_dump(event)
"""
WARNING = (
    "warning: app.py:3: function 'fn' imports yaml, which neither the device's Python, the function's folder nor its "
    "requirements provide\n"
)


def gglift(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=180)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "helpers.py").write_text("")
    return tmp_path


@pytest.mark.parametrize("command, code", [
    (["package", "--check"], 0),
    (["invoke", "fn"], 3),  # and it fails, as on the device: workers import only what the artifact holds
    (["run", "--events", "/dev/null", "--until-idle"], 0),
])
def test_an_import_without_a_requirement_is_named_with_its_fix(project: Path, command: list[str], code: int) -> None:
    result = gglift(*command, cwd=project)
    assert result.returncode == code, result.stderr
    if command[0] == "invoke":
        assert "ModuleNotFoundError: No module named 'yaml'" in result.stdout
    assert WARNING + '  hint: list PyYAML in a requirements file and set requirements = "requirements.txt" (function[0])\n' \
        in result.stderr
    assert "ujson" not in result.stderr and "helpers" not in result.stderr and "json " not in result.stderr


def test_the_requirement_silences_it_and_a_wrong_one_does_not(project: Path) -> None:
    (project / "gglift.toml").write_text('[[function]]\nname = "fn"\nhandler = "app.handler"\nrequirements = "requirements.txt"\n')
    (project / "requirements.txt").write_text("requests\n")
    wrong = gglift("package", "--check", cwd=project)
    assert WARNING + "  hint: add PyYAML to requirements.txt (function[0].requirements)\n" in wrong.stderr
    assert gglift("package", "--check", "-q", cwd=project).stderr == ""  # -q: errors only
    (project / "requirements.txt").write_text("pyyaml==6.0.1\n")
    assert "warning" not in gglift("package", "--check", cwd=project).stderr
