"""The cache of clean files: what is skipped, what is re-checked, and what invalidates it.

Parsing is observed by counting calls of ``libcst.parse_module`` (the engine's only parse);
with fewer than eight files the command runs them in this process, so the count is exact.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import libcst
import pytest
from click.testing import CliRunner

import gglift
from gglift.cli.port import port
from gglift.port.cache import cache_dir

PORTED = (
    "import greengrasssdk\n"
    'iot = greengrasssdk.client("iot-data")\n'
    'resp = iot.get_thing_shadow(thingName="pump")\n'
    'doc = resp["payload"]\n'
    'iot.publish(topic="sensors/pump", payload=doc)\n'
)
RETAIN_LINE = 'iot.publish(topic="alerts", payload="x", retain=True)\n'
CLEAN_REPORT = (
    "app.py (unchanged)\n"
    "  publishes: sensors/pump\n"
    "  shadows: pump\n"
    "0 files would be ported, 2 unchanged; no findings\n"
)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the first line of every module the port parses."""
    seen: list[str] = []
    real = libcst.parse_module

    def counting(source, *args, **kwargs):
        seen.append(str(source).split("\n", 1)[0])
        return real(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", counting)
    return seen


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(PORTED)
    (tmp_path / "util.py").write_text("def helper():\n    return 1\n")
    return tmp_path


def run(tree: Path, *args: str):
    old = os.getcwd()
    os.chdir(tree)
    try:
        return CliRunner().invoke(port, [*args, "."])
    finally:
        os.chdir(old)


def test_second_check_of_a_clean_tree_parses_nothing(tree: Path, parses: list[str]) -> None:
    first = run(tree, "--check")
    assert (first.exit_code, first.stdout) == (0, CLEAN_REPORT)
    assert parses == ["import greengrasssdk"]
    second = run(tree, "--check")
    assert (second.exit_code, second.stdout) == (0, CLEAN_REPORT)
    assert parses == ["import greengrasssdk"]  # no new parse


def test_cached_results_keep_resources_for_json(tree: Path, parses: list[str]) -> None:
    fresh = run(tree, "--check", "--format", "json").stdout
    cached = run(tree, "--check", "--format", "json").stdout
    assert len(parses) == 1
    assert cached == fresh
    (app,) = [f for f in json.loads(cached)["files"] if f["path"] == "app.py"]
    assert app["publishes"] == [{"value": "sensors/pump", "literal": True, "line": 5, "resolved": True}]
    assert app["shadows"] == [{"value": "pump", "literal": True, "line": 3, "resolved": True}]


def test_a_changed_file_is_checked_again(tree: Path, parses: list[str]) -> None:
    run(tree, "--check")
    with open(tree / "app.py", "a") as handle:
        handle.write(RETAIN_LINE)
    second = run(tree, "--check")
    assert second.exit_code == 1
    assert "app.py:6:42: GGL101 error: `retain` has no Greengrass equivalent" in second.stdout
    assert len(parses) == 2
    # not clean any more: checked on every run until it is fixed
    run(tree, "--check")
    assert len(parses) == 3
    (tree / "app.py").write_text(PORTED)
    assert run(tree, "--check").stdout == CLEAN_REPORT
    assert len(parses) == 4
    run(tree, "--check")
    assert len(parses) == 4


def test_a_file_with_a_warning_is_never_cached(tree: Path, parses: list[str]) -> None:
    (tree / "app.py").write_text('import boto3\nsns = boto3.client("sns")\nsns.publish(Message="m")\n')
    for _ in range(2):
        result = run(tree, "--check")
        assert result.exit_code == 0
        assert "app.py:3:1: GGL140 warning: `sns.publish` stays a cloud call" in result.stdout
    assert parses == ["import boto3", "import boto3"]


def test_a_file_that_would_change_is_never_cached(tree: Path, parses: list[str]) -> None:
    (tree / "app.py").write_text('import boto3\niot = boto3.client("iot-data")\n')
    assert [run(tree, "--check").exit_code for _ in range(2)] == [1, 1]
    assert len(parses) == 2


def test_another_gglift_version_starts_from_an_empty_cache(
    tree: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(tree, "--check")
    monkeypatch.setattr(gglift, "__version__", "99.0.0")
    assert run(tree, "--check").stdout == CLEAN_REPORT
    assert len(parses) == 2
    run(tree, "--check")
    assert len(parses) == 2


@pytest.mark.parametrize(
    "garbage",
    [b"\x00\xff not json", b"[1, 2]", b'{"versions": "x", "files": []}', None],
    ids=["binary", "list", "wrong-shape", "corrupt-entry"],
)
def test_a_corrupt_cache_is_ignored_and_replaced(
    tree: Path, parses: list[str], isolated_cache: Path, garbage: bytes
) -> None:
    run(tree, "--check")
    (cache_file,) = isolated_cache.iterdir()
    if garbage is None:  # valid file, but the entry's stored result is damaged
        data = json.loads(cache_file.read_text())
        for entry in data["files"].values():
            entry["result"] = {"findings": [{"code": 1}]}
        garbage = json.dumps(data).encode()
    cache_file.write_bytes(garbage)
    result = run(tree, "--check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, CLEAN_REPORT, "")
    assert len(parses) == 2
    # the next write replaced it with a usable cache
    run(tree, "--check")
    assert len(parses) == 2


def test_no_cache_neither_reads_nor_writes(tree: Path, parses: list[str], isolated_cache: Path) -> None:
    run(tree, "--check", "--no-cache")
    assert list(isolated_cache.iterdir()) == []
    run(tree, "--check")
    run(tree, "--check", "--no-cache")
    assert len(parses) == 3


def test_an_unwritable_cache_directory_only_costs_speed(tree: Path, parses: list[str], monkeypatch) -> None:
    blocker = tree / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("GGLIFT_CACHE_DIR", str(blocker / "cache"))
    results = [run(tree, "--check") for _ in range(2)]
    assert [(r.exit_code, r.stdout) for r in results] == [(0, CLEAN_REPORT)] * 2
    assert len(parses) == 2


def test_cache_directory_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GGLIFT_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("GGLIFT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "gglift"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "gglift"


WARM_RUN = """\
import sys
from gglift.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    print("exit", exit.code, "libcst loaded:", "libcst" in sys.modules)
"""


def test_a_run_the_cache_answers_does_not_load_the_parser(tmp_path: Path) -> None:
    """Loading libcst is most of the start-up; a warm run (e.g. the pre-commit hook) skips it."""
    (tmp_path / "app.py").write_text(PORTED)
    (tmp_path / "util.py").write_text("x = 1\n")

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", WARM_RUN, *args], capture_output=True, text=True, timeout=60, check=True
        )
        return done.stdout.splitlines()[-1]

    assert run("port", "--check", str(tmp_path)) == "exit 0 libcst loaded: True"
    assert run("port", "--check", str(tmp_path)) == "exit 0 libcst loaded: False"
    assert run("port", "--explain", "GGL100") == "exit 0 libcst loaded: False"
