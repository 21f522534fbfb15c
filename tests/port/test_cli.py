"""The ``gglift port`` command: modes, exit codes, reports, discovery, ordering."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from gglift.cli.port import port
from gglift.port.rules import RULES, explain

CLOUD = 'import boto3\niot = boto3.client("iot-data")\niot.publish(topic="t", payload="x", qos=1)\n'
PORTED = 'import greengrasssdk\niot = greengrasssdk.client("iot-data")\niot.publish(topic="t", payload="x")\n'
QOS_LINES = (
    "{path}:3:37: GGL100 warning: `qos=1` dropped: messages published on the core are QoS 0 only\n"
    "  hint: remove `qos`; if delivery must be guaranteed, confirm it at the application level\n"
)


def run(*args: str, cwd: Path):
    """Invoke ``gglift port`` from ``cwd`` so report paths are relative, as users see them."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(port, list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(CLOUD)
    (tmp_path / "util.py").write_text("def helper():\n    return 1\n")
    return tmp_path


def test_default_mode_ports_in_place_and_reports(project: Path) -> None:
    result = run(".", cwd=project)
    assert result.exit_code == 0
    assert (project / "app.py").read_text() == PORTED
    assert result.output == (
        QOS_LINES.format(path="app.py")
        + "ported app.py\n  publishes: t\n"
        + "1 file ported, 1 unchanged; 1 finding (1 warning)\n"
    )


def test_check_writes_nothing_and_exits_1(project: Path) -> None:
    result = run("--check", "app.py", cwd=project)
    assert result.exit_code == 1
    assert (project / "app.py").read_text() == CLOUD
    assert result.output.endswith("would port app.py\n  publishes: t\n1 file would be ported, 0 unchanged; 1 finding (1 warning)\n")


@pytest.mark.parametrize(
    "content, code, output",
    [
        (PORTED, 0, "app.py (unchanged)\n  publishes: t\n0 files would be ported, 2 unchanged; no findings\n"),
        (
            PORTED.replace('payload="x"', 'payload="x", retain=True'),
            1,
            "app.py:3:37: GGL101 error: `retain` has no Greengrass equivalent and is ignored by the core\n",
        ),
    ],
    ids=["ported", "ported-with-remaining-error"],
)
def test_check_on_ported_code(project: Path, content: str, code: int, output: str) -> None:
    (project / "app.py").write_text(content)
    result = run("--check", ".", cwd=project)
    assert result.exit_code == code
    assert result.output.startswith(output)


def test_diff_prints_a_patch_and_writes_nothing(project: Path) -> None:
    result = run("--diff", "app.py", cwd=project)
    assert result.exit_code == 1
    assert (project / "app.py").read_text() == CLOUD
    assert result.stdout == (
        "--- app.py\t(original)\n"
        "+++ app.py\t(ported)\n"
        "@@ -1,3 +1,3 @@\n"
        "-import boto3\n"
        '-iot = boto3.client("iot-data")\n'
        '-iot.publish(topic="t", payload="x", qos=1)\n'
        "+import greengrasssdk\n"
        '+iot = greengrasssdk.client("iot-data")\n'
        '+iot.publish(topic="t", payload="x")\n'
    )
    assert "1 file would be ported" in result.stderr


def test_json_report(project: Path) -> None:
    result = run("--check", "--format", "json", ".", cwd=project)
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report == {
        "files": [
            {
                "path": "app.py",
                "changed": True,
                "error": None,
                "findings": [
                    {
                        "code": "GGL100",
                        "severity": "warning",
                        "line": 3,
                        "col": 37,
                        "message": "`qos=1` dropped: messages published on the core are QoS 0 only",
                        "hint": "remove `qos`; if delivery must be guaranteed, confirm it at the application level",
                    }
                ],
                "publishes": [{"value": "t", "literal": True, "line": 3, "resolved": True}],
                "secrets": [],
                "invokes": [],
                "shadows": [],
            },
            {
                "path": "util.py",
                "changed": False,
                "error": None,
                "findings": [],
                "publishes": [],
                "secrets": [],
                "invokes": [],
                "shadows": [],
            },
        ],
        "summary": {"files": 2, "changed": 1, "errors": 0, "findings": 1},
    }


def test_sarif_report_shape(project: Path) -> None:
    result = run("--check", "--format", "sarif", ".", cwd=project)
    log = json.loads(result.output)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (sarif_run,) = log["runs"]
    assert sarif_run["columnKind"] == "unicodeCodePoints"
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "gglift"
    assert [rule["id"] for rule in driver["rules"]] == list(RULES)
    assert sarif_run["results"] == [
        {
            "ruleId": "GGL100",
            "ruleIndex": list(RULES).index("GGL100"),
            "level": "warning",
            "message": {
                "text": "`qos=1` dropped: messages published on the core are QoS 0 only "
                "(hint: remove `qos`; if delivery must be guaranteed, confirm it at the application level)"
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "app.py"},
                        "region": {"startLine": 3, "startColumn": 37},
                    }
                }
            ],
        }
    ]


def test_usage_errors_exit_2(project: Path) -> None:
    assert run(cwd=project).exit_code == 2
    assert run("missing.py", cwd=project).exit_code == 2
    assert run("--diff", "--format", "json", ".", cwd=project).exit_code == 2
    assert run("--jobs", "0", ".", cwd=project).exit_code == 2
    unknown = run("--explain", "GGL999", cwd=project)
    assert unknown.exit_code == 2
    assert "unknown code 'GGL999'" in unknown.output


def test_explain_prints_the_registry_text(project: Path) -> None:
    result = run("--explain", "ggl110", cwd=project)
    assert result.exit_code == 0
    assert result.output == explain("GGL110")
    assert result.output.startswith("GGL110 (error): named shadow\n\nThe SDK's `get_thing_shadow`")


@pytest.mark.parametrize(
    "code, first_line",
    [
        ("GGL113", "GGL113 (error): `client.exceptions` on a ported client"),
        ("GGL141", "GGL141 (warning): client kept on boto3: a use of it cannot be followed"),
        ("GGL142", "GGL142 (warning): client kept on boto3: it makes cloud control-plane calls"),
        ("GGL143", "GGL143 (warning): explicit credentials dropped"),
        ("GGL144", "GGL144 (warning): cloud call left only for what the port removed"),
    ],
)
def test_explain_knows_the_codes_for_flows_and_credentials(project: Path, code: str, first_line: str) -> None:
    result = run("--explain", code, cwd=project)
    assert result.exit_code == 0
    assert result.output == explain(code)
    assert result.output.splitlines()[0] == first_line


def test_porting_twice_changes_nothing_the_second_time(project: Path) -> None:
    assert run(".", cwd=project).exit_code == 0
    first = (project / "app.py").read_bytes()
    second = run(".", cwd=project)
    assert (project / "app.py").read_bytes() == first
    assert "0 files ported, 2 unchanged" in second.output


def test_discovery_skips_hidden_venv_site_packages_and_excluded(tmp_path: Path) -> None:
    for rel in [
        "src/app.py",
        "src/pkg/deep.py",
        "src/notes.txt",
        ".hidden/app.py",
        "venv/lib/app.py",
        "lib/site-packages/app.py",
        "src/__pycache__/app.py",
        "tests/test_app.py",
    ]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(CLOUD)
    (tmp_path / "venv/pyvenv.cfg").write_text("home = /usr\n")
    result = run("--check", "--format", "json", "--exclude", "tests/*", ".", cwd=tmp_path)
    paths = [entry["path"] for entry in json.loads(result.output)["files"]]
    assert paths == ["src/app.py", "src/pkg/deep.py"]


def test_jobs_keep_the_order_stable(tmp_path: Path) -> None:
    for index in range(24):
        body = CLOUD if index % 3 == 0 else f"x = {index}\n"
        (tmp_path / f"m{index:02d}.py").write_text(body)
    one = run("--check", "--format", "json", "--jobs", "1", ".", cwd=tmp_path)
    two = run("--check", "--format", "json", "--jobs", "2", ".", cwd=tmp_path)
    assert one.output == two.output
    assert [f["path"] for f in json.loads(two.output)["files"]] == [f"m{i:02d}.py" for i in range(24)]


def test_help_has_examples() -> None:
    result = CliRunner().invoke(port, ["--help"])
    assert result.exit_code == 0
    assert "gglift port --diff app.py" in result.output
    assert "Exit codes: 0 clean" in result.output


def test_a_file_that_cannot_be_written_is_reported_and_the_others_are_ported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from gglift.cli import port as port_cli

    (tmp_path / "a.py").write_text(CLOUD)
    (tmp_path / "b.py").write_text(CLOUD)
    real_write = port_cli.write_atomic

    def read_only_a(path: Path, data: bytes) -> None:
        if path.name == "a.py":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        real_write(path, data)

    monkeypatch.setattr(port_cli, "write_atomic", read_only_a)
    result = run("--jobs", "1", ".", cwd=tmp_path)
    assert result.exit_code == 1
    assert (tmp_path / "a.py").read_text() == CLOUD
    assert (tmp_path / "b.py").read_text() == PORTED
    assert result.output.startswith(
        "a.py:1:1: GGL900 error: cannot port this file: cannot write: Read-only file system\n"
        "  hint: fix what the message names (permissions, Python 3 syntax, encoding or PEP 263 coding line) and run again\n"
        + QOS_LINES.format(path="a.py")
    )


def test_no_progress_bar_when_stderr_is_not_a_terminal(project: Path) -> None:
    result = run("--check", ".", cwd=project)
    assert result.stderr == ""


def test_progress_bar_on_stderr_when_it_is_a_terminal(project: Path) -> None:
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "gglift", "port", "--check", "--jobs", "1", "."],
            cwd=project, stdout=subprocess.PIPE, stderr=terminal, timeout=60,
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert done.returncode == 1
    # the report stays on stdout, clean for pipes; the bar runs to the end on the terminal
    report = done.stdout.decode()
    assert report.startswith(QOS_LINES.format(path="app.py")) and "porting" not in report
    # on a slow machine the bar shows an ETA, which its last render blanks with spaces
    assert b"porting  [" in shown and re.search(rb"100%\s*\x1b\[\?25h$", shown.rstrip())
