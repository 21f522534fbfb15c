"""Hostile or pathological files: nesting deeper than CPython allows, special files, huge
files, a worker process that dies, a file edited during a run. Each is reported (GGL900)
and left as it was; the run always finishes and the other files are still done."""

from __future__ import annotations

import faulthandler
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gglift.cli.port import port
from gglift.port import concurrency, engine
from gglift.port.source import MAX_SOURCE_BYTES

CLOUD = 'import boto3\niot = boto3.client("iot-data")\n'
PORTED = 'import greengrasssdk\niot = greengrasssdk.client("iot-data")\n'
HINT = "  hint: fix what the message names (permissions, Python 3 syntax, encoding or PEP 263 coding line) and run again\n"


def gglift_port(*args, cwd: Path, timeout: float = 600):
    """``gglift port`` in its own process (a crash or hang must show as one), plus its peak
    memory in KB, printed by the wrapper after the command ends."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so a child of a large test
    # process would report its parent's size.
    wrapper = (
        "import re, sys\n"
        "from gglift.cli import main\n"
        "try:\n    main()\n"
        "finally:\n"
        "    hwm = re.search(r'^VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read(), re.M).group(1)\n"
        "    print(f'maxrss={hwm}', file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, "port", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    rss = re.search(r"^maxrss=(\d+)\n", done.stderr, re.M)
    stderr = done.stderr.replace(rss.group(0), "") if rss else done.stderr
    return done.returncode, done.stdout, stderr, int(rss.group(1)) if rss else None


def deep_files(folder: Path) -> dict[str, str]:
    files = {
        "parens.py": "import boto3\nx = " + "(" * 2000 + "1" + ")" * 2000 + "\n",
        "attrs.py": "import boto3\nx = a" + ".b" * 100_000 + "\n",
        "plus.py": CLOUD + "x = " + " + ".join(["1"] * 1000) + "\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    return files


DEEP_REPORT = (
    "attrs.py:1:1: GGL900 error: cannot port this file: nested too deeply: Python itself cannot compile it "
    "(maximum recursion depth exceeded); simplify the expression\n" + HINT
    + "parens.py:2:205: GGL900 error: cannot port this file: syntax error at line 2, column 205: too many nested parentheses\n"
    + HINT
)


def test_deep_nesting_is_reported_and_valid_deep_code_ports_in_one_process(tmp_path: Path) -> None:
    files = deep_files(tmp_path)
    code, out, err, _ = gglift_port("--check", "--no-cache", "--jobs", "1", ".", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert out == DEEP_REPORT + "would port plus.py\n1 file would be ported, 2 unchanged; 2 findings (2 errors)\n"
    code, out, err, _ = gglift_port("--no-cache", "--jobs", "1", ".", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert (tmp_path / "plus.py").read_text() == files["plus.py"].replace(CLOUD, PORTED)
    assert (tmp_path / "parens.py").read_text() == files["parens.py"]
    assert (tmp_path / "attrs.py").read_text() == files["attrs.py"]


def test_deep_nesting_in_a_tree_ported_by_a_pool(tmp_path: Path) -> None:
    deep_files(tmp_path)
    for n in range(6):
        (tmp_path / f"z{n}.py").write_text(CLOUD)
    code, out, err, _ = gglift_port("--check", "--no-cache", "--jobs", "2", ".", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert out.startswith(DEEP_REPORT)
    assert out.endswith("7 files would be ported, 2 unchanged; 2 findings (2 errors)\n")


def test_a_worker_that_dies_costs_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's workers are forked from this process, so they run the patched analysis."""
    real = engine.analyze_source

    def crash_on_one_file(source: bytes, path: Path, **options):
        if path.name == "crash.py":
            faulthandler.disable()  # inherited from pytest: keep the test's output quiet
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(source, path, **options)

    monkeypatch.setattr(engine, "analyze_source", crash_on_one_file)
    paths = [tmp_path / f"f{n}.py" for n in range(9)] + [tmp_path / "crash.py"] + [tmp_path / "g.py"]
    for path in paths:
        path.write_text(CLOUD)
    results = list(concurrency.analyze_all([(p, None) for p in paths], jobs=2))
    assert [r.path for r in results] == paths
    crashed = results[9]
    assert crashed.error == "the analysis process died on this file (killed by SIGSEGV); please report it"
    assert [f.code for f in crashed.findings] == ["GGL900"]
    assert all(r.changed and r.new_source == PORTED.encode() for i, r in enumerate(results) if i != 9)


def test_the_cache_key_and_the_analysis_come_from_one_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file edited between the cache's read and the analysis must not be cached clean under
    the content that was never analysed."""
    app = tmp_path / "app.py"
    app.write_text(CLOUD)  # needs porting
    real = concurrency.analyze_all

    def edited_meanwhile(items, jobs=None):
        app.write_text(PORTED)  # someone ports it by hand while the run is under way
        return real(items, jobs)

    monkeypatch.setattr(concurrency, "analyze_all", edited_meanwhile)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        first = CliRunner().invoke(port, ["--check", "--jobs", "1", "."])
        assert first.exit_code == 1 and first.output.startswith("would port app.py\n")
        monkeypatch.setattr(concurrency, "analyze_all", real)
        app.write_text(CLOUD)  # back to the content the first run hashed
        second = CliRunner().invoke(port, ["--check", "--jobs", "1", "."])
    finally:
        os.chdir(old)
    assert second.exit_code == 1
    assert second.output == "would port app.py\n1 file would be ported, 0 unchanged; no findings\n"


def test_fifo_dev_zero_and_socket_are_reported_and_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.py"))
    (tmp_path / "app.py").write_text(CLOUD)
    try:
        code, out, err, rss = gglift_port("--check", "--jobs", "1", ".", cwd=tmp_path, timeout=120)
        named = gglift_port("--check", "--jobs", "1", "zero.py", "pipe.py", "sock.py", cwd=tmp_path, timeout=120)
    finally:
        server.close()
    assert (code, err) == (1, "")
    pipe = "pipe.py:1:1: GGL900 error: cannot port this file: a FIFO, not a regular file: skipped\n" + HINT
    sock = "sock.py:1:1: GGL900 error: cannot port this file: a socket, not a regular file: skipped\n" + HINT
    zero = "zero.py:1:1: GGL900 error: cannot port this file: a character device, not a regular file: skipped\n" + HINT
    assert out == "would port app.py\n" + pipe + sock + zero + "1 file would be ported, 3 unchanged; 3 findings (3 errors)\n"
    assert rss < 300_000
    code, out, err, _ = named  # files named on the command line are reported in that order
    assert (code, err) == (1, "")
    assert out == zero + pipe + sock + "0 files would be ported, 3 unchanged; 3 findings (3 errors)\n"


def test_a_file_over_the_size_limit_is_reported_in_bounded_memory(tmp_path: Path) -> None:
    filler = ("x = 'padding line for the size limit'\n" * (18 * 1024 * 1024 // 38 + 1))
    (tmp_path / "big_cloud.py").write_text(CLOUD + filler)  # 18 MiB with a boto3 client
    (tmp_path / "big_plain.py").write_text(filler + "y = 1\n")  # 18 MiB, nothing to port
    size = (tmp_path / "big_cloud.py").stat().st_size
    assert size > 18 * MAX_SOURCE_BYTES
    code, out, err, rss = gglift_port("--check", "--jobs", "1", ".", cwd=tmp_path)
    assert (code, err) == (1, "")
    assert out == (
        f"big_cloud.py:1:1: GGL900 error: cannot port this file: the file is {size / 1048576:.1f} MiB, more than the 1 MiB "
        "gglift ports (porting needs about 550 times a file's size in memory): port it by hand or split it\n" + HINT
        + "0 files would be ported, 2 unchanged; 1 finding (1 error)\n"
    )
    assert rss < 300_000  # KB; porting it whole took about 10 GB
    assert (tmp_path / "big_cloud.py").stat().st_size == size


def test_a_file_edited_after_its_analysis_is_not_overwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = tmp_path / "app.py"
    app.write_text(CLOUD)
    edit = CLOUD + "EDITED = True\n"
    real = concurrency.analyze_all

    def edited_after(items, jobs=None):
        results = list(real(items, jobs))
        app.write_text(edit)  # the user saves the file just after gglift analysed it
        return iter(results)

    monkeypatch.setattr(concurrency, "analyze_all", edited_after)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(port, ["--jobs", "1", "."])
    finally:
        os.chdir(old)
    assert result.exit_code == 1
    assert result.output == (
        "app.py:1:1: GGL900 error: cannot port this file: the file changed while it was being ported; run again\n" + HINT
        + "0 files ported, 1 unchanged; 1 finding (1 error)\n"
    )
    assert app.read_text() == edit
