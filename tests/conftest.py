"""Suite-wide checks: the gglift under test is the one installed, never the source tree.

`make test` installs the wheel it built into a fresh virtual environment and sets
``GGLIFT_TEST_VENV`` to it; the suite then refuses to run against anything else. Without that
variable (development in the editable ``.venv``) it still refuses a non-editable install
shadowed by the source tree, the mistake that hides files missing from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

import pytest

import gglift

ROOT = Path(__file__).resolve().parents[1]


def _site_packages() -> list[Path]:
    return [Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib")]


def _is_editable() -> bool:
    """Whether the gglift installed in this environment is an editable install (``pip install -e``).

    Only site-packages is searched: a checkout's own ``gglift.egg-info`` says nothing."""
    paths = [str(site) for site in _site_packages()]
    for dist in metadata.distributions(name="gglift", path=paths):
        text = dist.read_text("direct_url.json")
        if text and json.loads(text).get("dir_info", {}).get("editable", False):
            return True
    return False


def installed_gglift_problem() -> str | None:
    """Why the imported gglift is not the installed one under test, or None."""
    imported = Path(gglift.__file__).resolve()
    in_site = any(imported.is_relative_to(site) for site in _site_packages())
    venv = os.environ.get("GGLIFT_TEST_VENV")
    if venv:
        if Path(sys.prefix).resolve() != Path(venv).resolve():
            return f"GGLIFT_TEST_VENV is {venv} but the tests run in {sys.prefix}"
        if _is_editable() or not in_site:
            return f"gglift was imported from {imported}, not from the wheel installed in {venv}"
    elif not in_site and not _is_editable():
        return f"gglift was imported from {imported}, shadowing the installed (non-editable) gglift"
    # Subprocesses the tests start (python -m gglift, workers) must see the same gglift.
    child = subprocess.run([sys.executable, "-c", "import gglift; print(gglift.__file__)"],
                           capture_output=True, text=True, timeout=120)
    seen = Path(child.stdout.strip()).resolve() if child.returncode == 0 else child.stderr.strip()
    if seen != imported:
        return f"a subprocess imports gglift from {seen}, the tests from {imported}"
    return None


def folders_without_init() -> list[str]:
    """Test folders that are not packages. Under --import-mode=append their same-named modules
    (every folder's conftest.py) would resolve to the first such folder on sys.path."""
    tests = ROOT / "tests"
    folders = {path.parent for pattern in ("test_*.py", "conftest.py") for path in tests.rglob(pattern)}
    return sorted(str(folder.relative_to(ROOT)) for folder in folders if not (folder / "__init__.py").exists())


def pytest_configure(config: pytest.Config) -> None:
    problem = installed_gglift_problem()
    if problem:
        pytest.exit(f"not testing the installed gglift: {problem}", returncode=4)
    missing = folders_without_init()
    if missing:
        pytest.exit(f"add an empty __init__.py to each test folder: {', '.join(missing)}", returncode=4)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The gglift wheel under test: the one `make test` built and installed
    (``GGLIFT_TEST_WHEEL``), else one built from this checkout now."""
    built = os.environ.get("GGLIFT_TEST_WHEEL")
    if built:
        return Path(built)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True)
    [path] = out.glob("gglift-*.whl")
    return path
