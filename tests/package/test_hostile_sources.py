"""Special files in a function's source folder and large files: ``gglift package`` skips
what cannot go into an artifact (saying so) and streams the rest in bounded memory."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

CONFIG = '[[function]]\nname = "fn"\nhandler = "app.handler"\nsource = "src"\n'
CODE = "def handler(event, context):\n    return 1\n"


def gglift_package(project: Path, cache: Path, timeout: float = 300):
    """``gglift package`` in its own process, and its peak memory in KB."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so a child of a large test
    # process would report its parent's size.
    wrapper = textwrap.dedent("""
        import re, sys
        from gglift.cli import main
        try:
            main()
        finally:
            hwm = re.search(r"^VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read(), re.M).group(1)
            print(f"maxrss={hwm}", file=sys.stderr)
        """)
    env = dict(os.environ, GGLIFT_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, "-c", wrapper, "package", str(project)], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout)
    rss = re.search(r"^maxrss=(\d+)\n", done.stderr, re.M)
    return done.returncode, done.stdout, done.stderr.replace(rss.group(0), ""), int(rss.group(1))


def project(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "gglift.toml").write_text(CONFIG)
    (root / "src" / "app.py").write_text(CODE)
    return root


def test_fifos_sockets_and_device_links_in_the_source_are_skipped_and_named(tmp_path):
    src = project(tmp_path / "proj") / "src"
    os.mkfifo(src / "pipe.py")
    os.mkfifo(src / "feed")
    (src / "zero.py").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(src / "sock.py"))
    try:
        code, out, err, rss = gglift_package(tmp_path / "proj", tmp_path / "cache", timeout=120)
    finally:
        server.close()
    assert (code, err) == (0, "")
    notes = [line for line in out.splitlines() if line.startswith("note: ")]
    assert notes == [
        f"note: fn: skipped {src / 'feed'}: a FIFO, not a regular file",
        f"note: fn: skipped {src / 'pipe.py'}: a FIFO, not a regular file",
        f"note: fn: skipped {src / 'sock.py'}: a socket, not a regular file",
        f"note: fn: skipped {src / 'zero.py'}: a symlink (links are not followed)",
    ]
    with zipfile.ZipFile(tmp_path / "proj" / "build" / "fn" / "lambda-artifact.zip") as zf:
        assert zf.namelist() == ["app.py"]
    assert rss < 400_000


def test_large_files_are_streamed_into_the_artifact(tmp_path):
    """Peak memory with a 64 MiB file next to the same project without it, in the same run."""
    small = project(tmp_path / "small")
    big = project(tmp_path / "big")
    chunk = os.urandom(1 << 20)  # incompressible, so the zip is as large as the file
    with open(big / "src" / "model.bin", "wb") as handle:
        for _ in range(64):
            handle.write(chunk)
    base = gglift_package(small, tmp_path / "cache")
    large = gglift_package(big, tmp_path / "cache")
    assert base[:3:2] == (0, "") and large[:3:2] == (0, "")
    assert large[3] - base[3] < 24 * 1024  # KB: the file is 64 MiB; read whole and zipped in memory, 128 MiB or more
    with zipfile.ZipFile(big / "build" / "fn" / "lambda-artifact.zip") as zf:
        assert zf.getinfo("model.bin").file_size == 64 << 20
        assert zf.testzip() is None
    copy = big / "build" / "greengrass-cli" / "artifacts" / "fn" / "1.0.0" / "lambda-artifact.zip"
    assert copy.read_bytes() == (big / "build" / "fn" / "lambda-artifact.zip").read_bytes()


def test_code_nested_deeper_than_python_compiles_is_a_clear_error(tmp_path):
    src = project(tmp_path / "proj") / "src"
    (src / "deep.py").write_text("x = a" + ".b" * 100_000 + "\n")
    code, out, err, _ = gglift_package(tmp_path / "proj", tmp_path / "cache")
    assert (code, out) == (1, "")
    assert err == f"error: {src / 'deep.py'}: cannot parse: nested too deeply for Python to compile\n"
    assert not (tmp_path / "proj" / "build" / "fn" / "lambda-artifact.zip").exists()
