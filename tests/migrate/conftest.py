"""The moto-built V1 group, exported once per session, and a way to run ``gglift`` as users do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from . import v1group

AWS_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": v1group.REGION}


@pytest.fixture(autouse=True)
def aws_env(monkeypatch):
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(scope="session")
def filter_binary(tmp_path_factory) -> Path:
    return v1group.build_filter(tmp_path_factory.mktemp("filter"))


@pytest.fixture(scope="session")
def pristine_export(tmp_path_factory, filter_binary) -> Path:
    """The group built through moto's V1 API and exported as AWS's script does (never modified)."""
    out = tmp_path_factory.mktemp("v1") / "export"
    saved = {key: os.environ.get(key) for key in AWS_ENV}
    os.environ.update(AWS_ENV)
    try:
        with mock_aws():
            session = boto3.Session(region_name=v1group.REGION)
            group_id = v1group.create_group(session, filter_binary)
            v1group.export_group(session, group_id, out)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return out


@pytest.fixture
def export(pristine_export, tmp_path) -> Path:
    """A copy of the export a test may change."""
    return Path(shutil.copytree(pristine_export, tmp_path / "export", symlinks=True))


def gglift(*args, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    """Run the gglift command line in a fresh interpreter, as a user would."""
    return subprocess.run([sys.executable, "-m", "gglift", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)
