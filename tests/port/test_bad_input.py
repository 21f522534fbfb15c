"""Files we cannot handle: GGL900 with the reason, file byte-identical, others still done."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gglift.cli.port import port
from gglift.port import analyze_path, analyze_source

CLOUD = b'import boto3\niot = boto3.client("iot-data")\n'
HINT = "fix what the message names (permissions, Python 3 syntax, encoding or PEP 263 coding line) and run again"


def only_finding(result):
    (finding,) = result.findings
    assert finding.code == "GGL900" and finding.severity == "error" and finding.hint == HINT
    assert not result.changed and result.new_source is None
    return finding


def test_syntax_error() -> None:
    result = analyze_source(CLOUD + b"def broken(:\n    pass\n", Path("app.py"))
    finding = only_finding(result)
    assert result.error == "syntax error at line 3, column 12: invalid syntax"
    assert (finding.line, finding.col) == (3, 12)
    assert finding.message == "cannot port this file: syntax error at line 3, column 12: invalid syntax"


def test_python2_code_is_named() -> None:
    result = analyze_source(b"import boto3\nprint 'hello'\n", Path("app.py"))
    only_finding(result)
    assert result.error == (
        "syntax error at line 2, column 1: Missing parentheses in call to 'print'. "
        "Did you mean print(...)? (this looks like Python 2 code)"
    )


def test_non_utf8_without_coding_line() -> None:
    result = analyze_source(CLOUD + b"# caf\xe9\n", Path("app.py"))
    only_finding(result)
    assert result.error == "line 3: invalid utf-8 byte(s) for the default (no PEP 263 coding line) encoding"


def test_bytes_invalid_for_the_declared_encoding() -> None:
    result = analyze_source(b"# coding: ascii\n" + CLOUD + b"# \xff\n", Path("app.py"))
    only_finding(result)
    assert result.error == "line 4: invalid ascii byte(s) for the declared encoding"


def test_unknown_codec() -> None:
    result = analyze_source(b"# coding: klingon\n" + CLOUD, Path("app.py"))
    only_finding(result)
    assert result.error == "unknown encoding: klingon"


def test_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "gone.py"
    link.symlink_to(tmp_path / "missing.py")
    result = analyze_path(link)
    only_finding(result)
    assert result.error == "No such file or directory"


def test_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")
    result = analyze_path(tmp_path / "a.py")
    only_finding(result)
    assert result.error == "symlink loop"


def _error_seen_by_an_unprivileged_user(path: Path) -> tuple[str, list[str]]:
    """analyze_path's error and codes for ``path``, as a user without root's read-everything right.

    Run as root, the check runs as the owner of this checkout (root itself in CI) with every
    capability dropped: that user reaches the checkout, its venv and the interpreter wherever they
    are (a private temp folder, /root), and is refused an unreadable file like anyone else."""
    if os.geteuid() != 0:
        result = analyze_path(path)
        return result.error, [f.code for f in result.findings]
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv (util-linux) to drop root's rights")
    owner = Path(__file__).stat()
    script = (
        "import json, sys; from pathlib import Path; from gglift.port import analyze_path; "
        "r = analyze_path(Path(sys.argv[1])); print(json.dumps([r.error, [f.code for f in r.findings]]))"
    )
    done = subprocess.run(
        ["setpriv", f"--reuid={owner.st_uid}", f"--regid={owner.st_gid}", "--clear-groups", "--inh-caps=-all",
         "--bounding-set=-all", sys.executable, "-c", script, str(path)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    error, codes = json.loads(done.stdout)
    return error, codes


def test_permission_denied() -> None:
    # Outside pytest's private tmp folder, so a checkout owner other than root reaches the file itself.
    folder = Path(tempfile.mkdtemp(prefix="gglift-perm-"))
    try:
        folder.chmod(0o755)
        target = folder / "app.py"
        target.write_bytes(CLOUD)
        target.chmod(0)
        assert _error_seen_by_an_unprivileged_user(target) == ("Permission denied", ["GGL900"])
        target.chmod(0o600)
        assert target.read_bytes() == CLOUD
    finally:
        shutil.rmtree(folder)


def test_a_run_over_bad_files_ports_the_good_ones(tmp_path: Path) -> None:
    bad = {
        "a_syntax.py": CLOUD + b"def broken(:\n",
        "b_python2.py": b"import boto3\nprint 'x'\n",
        "c_latin1.py": CLOUD + b"# caf\xe9\n",
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "d_loop.py").symlink_to(tmp_path / "d_loop.py")
    (tmp_path / "e_good.py").write_bytes(CLOUD)
    result = CliRunner().invoke(port, [str(tmp_path), "--jobs", "1"])
    assert result.exit_code == 1  # error findings remain
    for name, data in bad.items():
        assert (tmp_path / name).read_bytes() == data
    assert (tmp_path / "e_good.py").read_bytes() == b'import greengrasssdk\niot = greengrasssdk.client("iot-data")\n'
    errors = [line for line in result.output.splitlines() if "GGL900" in line]
    assert [line.split(str(tmp_path) + "/")[1] for line in errors] == [
        "a_syntax.py:3:12: GGL900 error: cannot port this file: syntax error at line 3, column 12: invalid syntax",
        "b_python2.py:2:1: GGL900 error: cannot port this file: syntax error at line 2, column 1: "
        "Missing parentheses in call to 'print'. Did you mean print(...)? (this looks like Python 2 code)",
        "c_latin1.py:1:1: GGL900 error: cannot port this file: line 3: invalid utf-8 byte(s) for the default (no PEP 263 coding line) encoding",
        "d_loop.py:1:1: GGL900 error: cannot port this file: symlink loop",
    ]


def test_python2_except_comma_is_not_ported() -> None:
    # libcst accepts `except A, B:` (Python 3.14 syntax); no Python a device runs does, and in
    # Python 2 code it binds a name, so porting it would change its meaning.
    source = CLOUD + b"try:\n    iot.publish(topic='t')\nexcept ValueError, e:\n    pass\n"
    result = analyze_source(source, Path("app.py"))
    finding = only_finding(result)
    assert result.error == (
        "syntax error at line 5, column 8: multiple exception types must be parenthesized (this looks like Python 2 code)"
    )
    assert (finding.line, finding.col) == (5, 8)
    # the same handler written for Python 3 ports normally
    fixed = analyze_source(source.replace(b"ValueError, e", b"(ValueError, KeyError) as e"), Path("app.py"))
    assert fixed.error is None and fixed.changed
