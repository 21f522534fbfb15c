"""Shared fixtures: a project written to a temp folder and loaded by the real loader."""

from __future__ import annotations

import textwrap

import pytest

from gglift.config import load_project


@pytest.fixture
def write_project(tmp_path):
    """Write ``gglift.toml`` (and optional source files) and return the loaded Project."""

    def write(config: str, files: dict | None = None):
        (tmp_path / "gglift.toml").write_text(textwrap.dedent(config))
        for name, text in (files or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        # The loader checks that the handler exists: code under test that has none gets one.
        app = tmp_path / "app.py"
        if not app.exists() or "def handler" not in app.read_text():
            with open(app, "a") as fh:
                fh.write("\n\ndef handler(event, context):\n    return event\n")
        return load_project(tmp_path)

    return write


@pytest.fixture(scope="session")
def vendor_cache():
    """One vendoring cache for the whole run (and both xdist workers): pip runs once per input."""
    import tempfile
    from pathlib import Path

    path = Path(tempfile.gettempdir()) / "gglift-test-vendor-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def no_derive():
    """A derive function for projects whose code analysis is not under test."""
    from gglift.routes import derive

    return lambda project: derive(project, {})


@pytest.fixture
def make_wheel():
    """A function building a wheel by hand, see :func:`build_wheel`."""
    return build_wheel


def build_wheel(folder, name: str, version: str, files: dict, record_rows=()):
    """Build ``<name>-<version>-py3-none-any.whl`` in ``folder`` by hand (no network, no build
    backend): ``files`` maps archive names to text; ``record_rows`` are extra RECORD paths."""
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    info = f"{name}-{version}.dist-info"
    members = dict(files)
    members[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    members[f"{info}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: gglift-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    rows = [f"{path},," for path in list(members) + list(record_rows)] + [f"{info}/RECORD,,"]
    members[f"{info}/RECORD"] = "\n".join(rows) + "\n"
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for member, text in members.items():
            zf.writestr(member, text)
    return wheel
