"""`gglift init` writes a starter project that loads and packages as is."""

from __future__ import annotations

import sys

from click.testing import CliRunner

from gglift.cli import main
from gglift.config import load_project

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_init_writes_a_project_that_validates(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "weather-station")])
    assert result.exit_code == 0, result.output
    root = tmp_path / "weather-station"
    assert result.output.splitlines()[:3] == [f"wrote {root / 'gglift.toml'}", f"wrote {root / 'src/app.py'}", f"wrote {root / 'requirements.txt'}"]
    project = load_project(root)
    fn = project.functions[0]
    assert (fn.name, fn.component.name, fn.handler) == ("weather-station", "com.example.WeatherStation", "app.handler")
    assert fn.eventSources[0].topic == "weather-station/in"
    assert fn.linuxProcessParams.containerParams.memorySizeInKB == 65536
    compile((root / "src/app.py").read_text(), "app.py", "exec")


def test_init_never_overwrites(tmp_path):
    (tmp_path / "gglift.toml").write_text("# mine\n")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 1
    assert "gglift.toml already exist(s)" in result.output
    assert (tmp_path / "gglift.toml").read_text() == "# mine\n"
    assert not (tmp_path / "src").exists()


def test_an_invalid_name_is_refused_before_anything_is_written(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--name", 'Bad Name!"{{ 1 }}'])
    assert result.exit_code == 2
    assert "Invalid value for --name: 'Bad Name!\"{{ 1 }}' is not a valid Lambda function name: use 1 to 64 letters, digits, - and _ (e.g. 'Bad-Name-1')" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_hostile_folder_name_becomes_a_valid_function_name(tmp_path):
    folder = tmp_path / 'x"y z {{ 1 }}'
    result = CliRunner().invoke(main, ["init", str(folder)])
    assert result.exit_code == 0, result.output
    data = tomllib.loads((folder / "gglift.toml").read_text())
    assert data["function"][0]["name"] == "x-y-z-1"
    assert load_project(folder).functions[0].name == "x-y-z-1"
