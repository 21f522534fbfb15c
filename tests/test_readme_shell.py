"""The README's shell blocks run as written, top to bottom, as a new user would type them, and
so do docs/cli.md's, in a project folder.

Blocks preceded by ``<!-- not run: REASON -->`` (make targets, pipx, an AWS account) are
skipped; the C handler block is saved as ``handler.c``, which the text names. The install
block builds gglift from a copy of the repository in a new virtual environment (slow).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCK = re.compile(r"(?:<!-- not run: (?P<skip>[^>]*) -->\n)?```(?P<lang>\w+)\n(?P<body>.*?)```", re.S)


def blocks(lang: str, doc: Path = README) -> list[str]:
    return [m.group("body") for m in BLOCK.finditer(doc.read_text()) if m.group("lang") == lang and not m.group("skip")]


def local_env() -> dict:
    """The environment blocks run in: the gglift under test first on PATH, no NO_COLOR, and
    requirements vendored from the test run's shared cache."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["GGLIFT_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / "gglift-test-readme-cache")
    env.pop("NO_COLOR", None)
    return env


def is_install(block: str) -> bool:
    return "pip install" in block


def run_block(block: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-eo", "pipefail", "-c", block], cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=600)


def test_every_block_is_run_or_says_why_not() -> None:
    found = list(BLOCK.finditer(README.read_text()))
    skipped = [m.group("skip") for m in found if m.group("lang") == "sh" and m.group("skip")]
    assert sorted(skipped) == ["make targets (CI runs both)", "needs a saved Greengrass V1 group export", "needs an AWS account",
                              "needs pipx"]
    assert len(blocks("sh")) == 5


def test_the_readme_commands_run_as_written(tmp_path: Path) -> None:
    work = tmp_path / "checkout"
    shutil.copytree(ROOT / "examples", work / "examples", ignore=shutil.ignore_patterns("build", ".gglift"))
    (work / "handler.c").write_text(blocks("c")[0])
    env = local_env()
    outputs = []
    for block in blocks("sh"):
        if is_install(block):
            continue
        result = run_block(block, work, env)
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{block}\n---\n{output}"
        assert "Traceback" not in output
        outputs.append((result.stdout, output))
    (port, _), (package, _), (_, run), (c_build, _) = outputs
    assert "changes needed (exit 1)" in port and "0 files would be ported" in port
    assert "component com.example.MyFunction 1.0.0 (gglift host, for the nucleus and nucleus lite): build/component/gglift-component.zip" in package
    assert "my-function: functions/my-function/ in the component" in package
    assert "dry run: these requests would be sent" in package
    assert 'publish republish -> test/topic_results Invoked on topic "test/input_message" with message "hi"' in run
    assert c_build.endswith("hello\n")


def test_the_cli_docs_commands_run_in_a_project(tmp_path: Path) -> None:
    project = tmp_path / "republish"
    shutil.copytree(ROOT / "examples" / "republish", project)
    docs = blocks("sh", ROOT / "docs" / "cli.md")
    assert len(docs) == 2
    for block in docs:
        result = run_block(block, project, local_env())
        assert result.returncode == 0, f"{block}\n---\n{result.stdout + result.stderr}"
        assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_the_install_block_installs_a_working_command(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in filter(None, tracked.split("\0")):
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    (install,) = [block for block in blocks("sh") if is_install(block)]
    env = dict(os.environ, HOME=str(tmp_path / "home"))
    result = run_block(install, checkout, env)
    assert result.returncode == 0, result.stdout + result.stderr
    from gglift import __version__

    assert result.stdout.strip().endswith(f"gglift, version {__version__}")
    assert "Warning" not in result.stderr  # our packaging raises no setuptools warnings
