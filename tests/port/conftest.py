"""Every test gets its own empty cache directory, so runs never see each other's cache."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path_factory.mktemp("gglift-cache")
    monkeypatch.setenv("GGLIFT_CACHE_DIR", str(directory))
    return directory
