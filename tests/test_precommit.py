"""The gglift-port pre-commit hook, run by pre-commit itself against this checkout.

``pre-commit try-repo`` clones this repository and installs gglift into a fresh hook
environment (pip's cache keeps repeated runs fast), then runs the hook on the given files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLOUD = 'import boto3\niot = boto3.client("iot-data")\niot.publish(topic="t", payload="x", qos=1)\n'
PORTED = 'import greengrasssdk\niot = greengrasssdk.client("iot-data")\niot.publish(topic="t", payload="x")\n'

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def try_repo(repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    env = dict(os.environ, PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never")
    return subprocess.run(
        [str(pre_commit), "try-repo", str(ROOT), "gglift-port", "--files", *files],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_fails_on_cloud_code_and_passes_on_ported_code(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "dev")
    (repo / "cloud.py").write_text(CLOUD)
    (repo / "edge.py").write_text(PORTED)
    git(repo, "add", ".")
    home = tmp_path / "pre-commit-home"

    failing = try_repo(repo, home, "cloud.py")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "gglift port --check" in failing.stdout
    assert "would port cloud.py" in failing.stdout
    assert (repo / "cloud.py").read_text() == CLOUD  # --check writes nothing

    passing = try_repo(repo, home, "edge.py")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
