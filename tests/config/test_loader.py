"""The loader's structural checks and defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from gglift.config import ConfigError, find_config, load_project
from gglift.config.model import ContainerParams, EventSource


def test_defaults_are_those_of_the_launcher(tmp_path):
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    fn = load_project(tmp_path).functions[0]
    assert (fn.pinned, fn.timeoutInSeconds, fn.maxInstancesCount, fn.maxIdleTimeInSeconds, fn.maxQueueSize) == (True, 3, 100, 60, 1000)
    assert (fn.statusTimeoutInSeconds, fn.inputPayloadEncodingType, fn.runtime) == (60, "json", "python3.11")
    assert fn.linuxProcessParams.isolationMode == "GreengrassContainer"
    assert fn.linuxProcessParams.containerParams == ContainerParams(memorySizeInKB=16384, mountROSysfs=False)
    assert (fn.component.name, fn.component.version) == ("fn", "1.0.0")
    assert fn.source == tmp_path.resolve()


def test_pyproject_tool_table_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[[tool.gglift.function]]\nname = "fn"\nhandler = "app.h"\n'
        'eventSources = [{topic = "a/+", type = "Pubsub"}]\n'
    )
    project = load_project(tmp_path)
    assert project.config_path == (tmp_path / "pyproject.toml").resolve()
    assert project.functions[0].eventSources == (EventSource("a/+", "PUB_SUB"),)


def test_missing_config_says_how_to_start(tmp_path):
    with pytest.raises(ConfigError) as exc:
        find_config(tmp_path)
    assert "run `gglift init`" in str(exc.value)


def test_structural_problems_are_all_collected(tmp_path):
    (tmp_path / "gglift.toml").write_text(
        '[[function]]\nname = "fn"\nhandler = "app.h"\npined = true\ntimeoutInSeconds = "3"\n'
        'environmentVariables = {N = 3}\n'
    )
    with pytest.raises(ConfigError) as exc:
        load_project(tmp_path)
    text = [str(p).replace(str(tmp_path.resolve() / "gglift.toml"), "gglift.toml") for p in exc.value.problems]
    assert text == [
        "gglift.toml: function[0].pined (function 'fn'): unknown key\n  hint: did you mean 'pinned'?",
        "gglift.toml: function[0].timeoutInSeconds (function 'fn'): must be an integer, not a string",
        "gglift.toml: function[0].environmentVariables.N (function 'fn'): must be a string, not an integer\n  hint: write it quoted: N = \"3\"",
    ]


def test_bad_toml_names_the_file(tmp_path):
    (tmp_path / "gglift.toml").write_text("[[function]\n")
    with pytest.raises(ConfigError) as exc:
        load_project(tmp_path)
    assert str(exc.value).startswith(f"{Path(tmp_path) / 'gglift.toml'}: not valid TOML")


def test_target_defaults_to_lambda_and_takes_component(tmp_path):
    config = tmp_path / "gglift.toml"
    config.write_text('[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    assert load_project(tmp_path).target == "lambda"
    config.write_text('target = "component"\n[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    assert load_project(tmp_path).target == "component"


def test_an_unknown_target_is_a_problem_with_a_fix(tmp_path):
    (tmp_path / "gglift.toml").write_text('target = "device"\n[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    with pytest.raises(ConfigError) as exc:
        load_project(tmp_path)
    assert "target: must be one of 'lambda', 'component', not 'device'" in str(exc.value)
    assert '"component" for a generic component' in str(exc.value)


def test_shadow_sync_names_things(tmp_path):
    config = tmp_path / "gglift.toml"
    config.write_text('shadow_sync = ["lamp", "door"]\n[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    assert load_project(tmp_path).shadow_sync == ("lamp", "door")
    config.write_text('shadow_sync = ["a/#"]\n[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    with pytest.raises(ConfigError) as exc:
        load_project(tmp_path)
    assert "shadow_sync: must be a list of thing names" in str(exc.value)
    assert 'for example shadow_sync = ["thermostat-1"]' in str(exc.value)
