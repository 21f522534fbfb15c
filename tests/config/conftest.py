"""Write a config to a temp folder and load it with the real loader."""

from __future__ import annotations

import textwrap

import pytest

from gglift.config import ConfigError, load_project

@pytest.fixture(autouse=True)
def handler_module(tmp_path):
    """The loader checks that the handler exists: the handlers these tests name are in app.py."""
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event\n\n\nh = handler\n")


@pytest.fixture
def problems_of(tmp_path):
    """Return the list of problem strings raised for ``config`` (empty when it loads)."""

    def load(config: str) -> list[str]:
        path = tmp_path / "gglift.toml"
        path.write_text(textwrap.dedent(config))
        try:
            load_project(tmp_path)
        except ConfigError as exc:
            return [str(p).replace(str(path), "gglift.toml") for p in exc.problems]
        return []

    return load
