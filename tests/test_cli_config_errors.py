"""Every project command reports a bad gglift.toml the same way and exits 2, having done nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gglift.cli import main

BAD = '[[function]]\nname = "gateway"\nhandler = "app.handler"\ntimeoutInSeconds = 0\npined = false\n'
PROBLEMS = [
    "function[0].pined (function 'gateway'): unknown key\n  hint: did you mean 'pinned'?",
    "function[0].timeoutInSeconds (function 'gateway'): 0 is below the minimum of 1",
]


@pytest.mark.parametrize(
    "command",
    [["run"], ["invoke", "gateway", "-p"], ["package"], ["deploy", "--thing", "core", "--dry-run"]],
    ids=["run", "invoke", "package", "deploy"],
)
def test_a_bad_config_stops_every_command_with_exit_2(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "gglift.toml").write_text(BAD)
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return event\n")
    result = CliRunner().invoke(main, [*command, str(tmp_path)])
    assert result.exit_code == 2
    for problem in PROBLEMS:
        assert problem in result.stderr
    assert result.stderr.rstrip().endswith("2 problem(s) in the project config; nothing was done.")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py", "gglift.toml"]
