"""Realistic mistakes in a project: each is caught before anything is built, named with its
file, key and fix, exit code 2; and no command prints a traceback for any of them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gglift.cli import COMMANDS

HANDLER = "def handler(event, context):\n    return event\n\n\ndef helper(value):\n    return value\n"
CONFIG = """\
[[function]]
name = "fn"
handler = "app.handler"
source = "src"
requirements = "requirements.txt"
"""

# name -> (changes to the good config, extra or replaced files, the problem `package --check` prints)
BROKEN = {
    "source-typo": (
        {'source = "src"': 'source = "scr"'}, {},
        "gglift.toml: function[0].source (function 'fn'): folder 'scr' does not exist\n  hint: did you mean 'src'?",
    ),
    "requirements-typo": (
        {'requirements = "requirements.txt"': 'requirements = "requirement.txt"'}, {},
        "gglift.toml: function[0].requirements (function 'fn'): file 'requirement.txt' does not exist\n"
        "  hint: did you mean 'requirements.txt'?",
    ),
    "missing-module": (
        {'handler = "app.handler"': 'handler = "apps.handler"'}, {},
        "gglift.toml: function[0].handler (function 'fn'): no module 'apps' in the source folder src\n"
        "  hint: did you mean 'app.handler'?",
    ),
    "missing-function": (
        {'handler = "app.handler"': 'handler = "app.handle"'}, {},
        "gglift.toml: function[0].handler (function 'fn'): src/app.py has no function 'handle'\n"
        "  hint: did you mean 'app.handler'?",
    ),
    "handler-syntax-error": (
        {}, {"src/app.py": "def handler(event, context:\n    return event\n"},
        "gglift.toml: function[0].handler (function 'fn'): src/app.py:1: cannot parse the handler's module: ",
    ),
    "deprecated-runtime": (
        {'source = "src"': 'source = "src"\nruntime = "python3.7"'}, {},
        "gglift.toml: function[0].runtime (function 'fn'): python3.7 is a deprecated Lambda runtime\n"
        "  hint: use python3.8 or newer",
    ),
    "missing-secrets-file": (
        {}, {"gglift.toml+": '[local]\nsecrets_file = "secrets.json"\n'},
        "gglift.toml: local.secrets_file: file 'secrets.json' does not exist\n"
        "  hint: create secrets.json, or fix the path (it is relative to the config file)",
    ),
    "invalid-toml": (
        {'name = "fn"': 'name = "fn'}, {},
        "gglift.toml: not valid TOML: ",
    ),
    "no-config": (
        {}, {"gglift.toml": None},
        "no gglift.toml",
    ),
}


def write_project(root: Path, name: str) -> Path:
    replacements, files, _ = BROKEN[name]
    config = CONFIG
    for old, new in replacements.items():
        config = config.replace(old, new)
    root.mkdir()
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(HANDLER)
    (root / "requirements.txt").write_text("")
    (root / "gglift.toml").write_text(config)
    for rel, text in files.items():
        if rel.endswith("+"):
            with open(root / rel[:-1], "a") as fh:
                fh.write(text)
        elif text is None:
            (root / rel).unlink()
        else:
            (root / rel).write_text(text)
    return root


def gglift(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_package_check_names_the_mistake_its_key_and_fix_and_exits_2(tmp_path: Path, name: str) -> None:
    root = write_project(tmp_path / "project", name)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = gglift("package", "--check", cwd=root)
    assert result.returncode == 2, result.stderr
    assert BROKEN[name][2] in result.stderr.replace(str(root / "gglift.toml"), "gglift.toml")
    assert result.stdout == ""
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before  # nothing written


# Every command, with arguments that make it load the broken project or trip on it.
COMMAND_LINES = [
    ["package", "--check"],
    ["package"],
    ["package", "--format", "json"],
    ["deploy", "--thing", "core", "--dry-run"],
    ["run", "--events", "events.jsonl", "--until-idle"],
    ["invoke", "fn", "--payload", "{}"],
    ["port", "--check", "src", "scr"],
    ["init", ".", "--name", "Bad Name!"],
    ["native", "build", "missing.c", "-o", "out"],
    ["generate-event", "message", "--topic", "t", "--payload", "{not json"],
    ["shadow", "get"],
    ["migrate", "gglift.toml", "--out", "migrated"],  # not a V1 export or template
]


def test_every_command_is_covered() -> None:
    assert {line[0] for line in COMMAND_LINES} == set(COMMANDS)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_no_command_prints_a_traceback_for_a_broken_project(tmp_path: Path, name: str) -> None:
    root = write_project(tmp_path / "project", name)
    (root / "events.jsonl").write_text('{"topic": "t", "payload": {}}\nnot json\n')
    for line in COMMAND_LINES:
        result = gglift(*line, cwd=root)
        output = result.stdout + result.stderr
        assert "Traceback" not in output, (line, output)
        assert result.returncode == 2, (line, result.returncode, output)


def test_a_requirement_without_a_wheel_names_function_package_and_platform(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(HANDLER)
    (root / "requirements.txt").write_text("gglift-no-such-package-xyz==0.0.1\n")
    (root / "gglift.toml").write_text(textwrap.dedent("""\
        [[function]]
        name = "gateway"
        handler = "app.handler"
        requirements = "requirements.txt"
        component = {platforms = [{os = "linux", architecture = "armv7l"}]}
        """))
    result = gglift("package", cwd=root, )
    assert result.returncode == 2, result.stderr
    assert result.stderr.replace(str(root / "gglift.toml"), "gglift.toml").splitlines() == [
        "gglift.toml: function[0].requirements (function 'gateway'): pip found no distribution of "
        "gglift-no-such-package-xyz==0.0.1 for linux/armv7l, python3.11 (a wheel is needed: nothing is compiled for "
        "another device here)",
        "  hint: pin a version of gglift-no-such-package-xyz that publishes a wheel for this platform, or remove it; "
        "the device's platform is function[0].component.platforms",
        "1 problem(s) in the function's requirements; nothing was done.",
    ]
    assert "ERROR:" not in result.stderr  # pip's raw output stays out
