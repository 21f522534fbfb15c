"""Encodings, BOM, newlines, permissions and atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from gglift.port import analyze_path, analyze_source
from gglift import storage
from gglift.storage import write_atomic

CLOUD = 'import boto3\niot = boto3.client("iot-data")\n'
PORTED = 'import greengrasssdk\niot = greengrasssdk.client("iot-data")\n'


def test_pep263_latin1_file_keeps_its_encoding() -> None:
    before = ('# -*- coding: latin-1 -*-\n# caf\u00e9\n' + CLOUD).encode("latin-1")
    result = analyze_source(before, Path("app.py"))
    assert result.new_source == ("# -*- coding: latin-1 -*-\n# caf\u00e9\n" + PORTED).encode("latin-1")


def test_bom_is_kept() -> None:
    result = analyze_source(b"\xef\xbb\xbf" + CLOUD.encode(), Path("app.py"))
    assert result.new_source == b"\xef\xbb\xbf" + PORTED.encode()


def test_crlf_newlines_are_kept() -> None:
    before = CLOUD.replace("\n", "\r\n") + 'iot.publish(topic="t", payload="x", qos=1)  # note\r\n'
    result = analyze_source(before.encode(), Path("app.py"))
    expected = PORTED.replace("\n", "\r\n") + 'iot.publish(topic="t", payload="x")  # note\r\n'
    assert result.new_source == expected.encode()


def test_lone_cr_newlines_are_kept_and_findings_are_on_their_lines() -> None:
    # libcst drops the last newline of such a file: the port must not
    before = CLOUD.replace("\n", "\r") + '\rdef f():\r    iot.publish(topic="t", payload="x", qos=1)\r'
    result = analyze_source(before.encode(), Path("app.py"))
    expected = PORTED.replace("\n", "\r") + '\rdef f():\r    iot.publish(topic="t", payload="x")\r'
    assert (result.new_source, [(f.code, f.line, f.col) for f in result.findings]) == (expected.encode(), [("GGL100", 5, 41)])


def test_missing_final_newline_stays_missing() -> None:
    result = analyze_source(CLOUD.rstrip("\n").encode(), Path("app.py"))
    assert result.new_source == PORTED.rstrip("\n").encode()


def test_write_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(CLOUD.encode())
    target.chmod(0o750)
    write_atomic(target, PORTED.encode())
    assert target.read_bytes() == PORTED.encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]


def test_write_through_a_symlink_ports_the_target(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_bytes(CLOUD.encode())
    link = tmp_path / "link.py"
    link.symlink_to(real)
    write_atomic(link, PORTED.encode())
    assert link.is_symlink()
    assert real.read_bytes() == PORTED.encode()


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_mid_write_leaves_the_original_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(CLOUD.encode())
    real_fsync = os.fsync

    def interrupted_fsync(fd: int) -> None:
        real_fsync(fd)
        raise failure  # the temporary file is written but not yet renamed

    monkeypatch.setattr(storage.os, "fsync", interrupted_fsync)
    with pytest.raises(type(failure)):
        write_atomic(target, PORTED.encode())
    assert target.read_bytes() == CLOUD.encode()
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]


def test_analyze_path_reads_the_file(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(CLOUD.encode())
    assert analyze_path(target).new_source == PORTED.encode()
