"""`gglift package` from the command line: exit codes, messages, nothing written on errors."""

from __future__ import annotations

import textwrap

from click.testing import CliRunner

from gglift.cli import main

GOOD = """
[[function]]
name = "gateway"
handler = "app.handler"
source = "src"
"""
CODE = 'import greengrasssdk\niot = greengrasssdk.client("iot-data")\n\ndef handler(event, context):\n    iot.publish(topic="status/up", payload=b"1")\n'


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def setup(tmp_path, config=GOOD):
    (tmp_path / "gglift.toml").write_text(textwrap.dedent(config))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(CODE)


def test_invalid_config_exits_2_lists_problems_and_writes_nothing(tmp_path):
    setup(tmp_path, GOOD + 'timeoutInSeconds = 0\nlambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:gateway:$LATEST"\n')
    result = run("package", str(tmp_path))
    assert result.exit_code == 2
    assert "function[0].timeoutInSeconds (function 'gateway'): 0 is below the minimum of 1" in result.output
    assert "function[0].lambda_arn (function 'gateway'): $LATEST cannot be imported" in result.output
    assert result.output.rstrip().endswith("2 problem(s) in the project config; nothing was done.")
    assert not (tmp_path / "build").exists()


def test_check_validates_only(tmp_path):
    setup(tmp_path)
    result = run("package", "--check", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output == f"{(tmp_path / 'gglift.toml').resolve()}: ok (1 function(s))\n"
    assert not (tmp_path / "build").exists()


def test_package_reports_outputs_and_derived_items(tmp_path, vendor_cache):
    setup(tmp_path)
    result = run("package", str(tmp_path), "--thing-group", "Fleet", env={"GGLIFT_CACHE_DIR": str(vendor_cache)})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  greengrasssdk 1.6.1: 331.5 KB installed" in lines
    assert f"  subscription gateway -> status/up -> cloud  ({tmp_path.resolve()}/src/app.py:5, function gateway)" in lines
    assert (tmp_path / "build" / "gateway" / "recipe.yaml").is_file()
    assert '"targetArn": "arn:aws:iot:us-east-1:000000000000:thinggroup/Fleet"' in (tmp_path / "build" / "deployment.json").read_text()


def test_thing_and_group_together_are_a_usage_error(tmp_path):
    setup(tmp_path)
    result = run("package", str(tmp_path), "--thing", "a", "--thing-group", "b")
    assert result.exit_code == 2
    assert "give --thing or --thing-group, not both" in result.output


def test_analysis_is_cached_by_file_content(tmp_path, vendor_cache, monkeypatch):
    import gglift.port
    from gglift.config import load_project
    from gglift.package.analysis_cache import cached_derive
    from gglift.routes import derive

    setup(tmp_path)
    project = load_project(tmp_path)
    first = cached_derive(project, tmp_path / "cache")
    assert first == derive(project)

    def no_parse(*args, **kwargs):
        raise AssertionError("the analysis ran although the file did not change")

    monkeypatch.setattr(gglift.port, "analyze_source", no_parse)
    assert cached_derive(project, tmp_path / "cache") == first


def test_a_missing_executable_is_reported(tmp_path):
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "blink"\nhandler = "blink"\nruntime = "executable"\n')
    result = run("package", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (
        f"error: function 'blink': the executable {tmp_path.resolve() / 'blink'} does not exist; "
        "build it first (handler names the executable)\n"
    )


def test_config_paths_that_would_leave_the_project_are_refused_and_nothing_is_written(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "link").symlink_to("/etc")
    setup(project, '[[function]]\nname = "gateway"\nhandler = "app.handler"\nsource = "link"\n'
                   'component = {name = "../../../x"}\n'
                   '[[function]]\nname = "native"\nruntime = "executable"\nhandler = "../../../../etc/hostname"\n')
    result = run("package", str(project))
    assert result.exit_code == 2
    assert "function[0].source (function 'gateway'): the source folder /etc is outside the project folder" in result.output
    assert "function[0].component.name (function 'gateway'): '../../../x' is not a valid component name" in result.output
    assert ("function[1].handler (function 'native'): the executable '../../../../etc/hostname' is not a plain path "
            "inside the source folder: '..' in the path") in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]
    assert sorted(p.name for p in project.iterdir()) == ["gglift.toml", "link", "src"]
