"""`gglift deploy` from the command line: usage errors, executables refused, dry run."""

from __future__ import annotations

from click.testing import CliRunner

from gglift.cli import main


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_a_target_is_required(tmp_path):
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "fn"\nhandler = "app.handler"\n')
    result = run("deploy", str(tmp_path))
    assert result.exit_code == 2
    assert "give exactly one of --thing NAME or --thing-group NAME" in result.output


def test_executables_are_refused_before_anything_happens(tmp_path):
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "blink"\nhandler = "blink"\nruntime = "executable"\n')
    result = run("deploy", str(tmp_path), "--thing", "core")
    assert result.exit_code == 1
    assert result.output == (
        "error: function 'blink' is a C Lambda executable: Greengrass V2 cannot import executables as Lambda "
        "components (create-component-version accepts only Lambda runtimes), so gglift deploy does not ship it. "
        "gglift package still builds its artifact and the V1-style create-function request.\n"
    )
    assert not (tmp_path / "build").exists()


def test_dry_run_needs_no_credentials_and_prints_the_requests(tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    (tmp_path / "gglift.toml").write_text('[[function]]\nname = "fn"\nhandler = "app.handler"\nsource = "src"\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    result = run("deploy", str(tmp_path), "--thing-group", "Fleet", "--dry-run", "--region", "eu-west-1",
                 env={"GGLIFT_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("dry run: these requests would be sent (Lambda versions assumed to be 1); nothing is called\n")
    assert "greengrassv2.create_deployment" in out
    assert '"targetArn": "arn:aws:iot:eu-west-1:000000000000:thinggroup/Fleet"' in out
    assert not (tmp_path / "build" / "deploy-state.json").exists()
