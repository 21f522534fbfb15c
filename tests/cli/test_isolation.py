"""gglift run and invoke run what gglift package ships: a worker imports only the function's
code, its requirements (installed for this machine in a cache keyed like the package's) and
the device's modules, never gglift's own environment."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path

APP = """\
import sys


def handler(event, context):
    import six  # noqa: F401 - from the function's requirements
    return [p for p in sys.path if p.rstrip("/").endswith("site-packages")]  # a site-packages folder itself


def uses_gglifts_dependency(event, context):
    import jinja2  # noqa: F401 - gglift has it; the device does not
    return "imported"
"""
CONFIG = """\
[[function]]
name = "fn"
handler = "app.handler"
requirements = "requirements.txt"

[[function]]
name = "leaky"
handler = "app.uses_gglifts_dependency"
"""


def gglift(*args: str, cwd: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {"GGLIFT_CACHE_DIR": str(cache)}
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300, env={**__import__("os").environ, **env})


def test_workers_import_only_the_function_and_its_requirements(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "gglift.toml").write_text(CONFIG)
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("six==1.16.0\n")
    cache = tmp_path / "cache"
    here = f"python{sys.version_info[0]}.{sys.version_info[1]}"

    cold = gglift("invoke", "fn", "-v", cwd=project, cache=cache)
    assert cold.returncode == 0, cold.stderr
    assert f"pip: installing six==1.16.0 for linux/{platform.machine()}, {here}\n" in cold.stderr
    assert json.loads(cold.stdout) == []  # no site-packages on the worker's path
    assert len(list((cache / "vendor").iterdir())) == 1  # one tree, in the package cache's layout

    warm = gglift("invoke", "fn", "-v", cwd=project, cache=cache)
    assert warm.returncode == 0 and "pip:" not in warm.stderr  # the cached tree, no pip run

    leaky = gglift("invoke", "leaky", cwd=project, cache=cache)
    assert leaky.returncode == 1  # the handler raised, as it would on the device
    error = json.loads(leaky.stdout)
    assert (error["errorType"], error["errorMessage"]) == ("ModuleNotFoundError", "No module named 'jinja2'")
    assert "function 'leaky' imports jinja2, which neither the device's Python" in leaky.stderr
