"""Deterministic artifacts: sorted entries, fixed times and modes, byte-identical rebuilds."""

from __future__ import annotations

import os
import zipfile

from gglift.package import package_project

CONFIG = """
[[function]]
name = "fn"
handler = "app.handler"
source = "src"
"""
FILES = {
    "src/app.py": "from lib import util\n\ndef handler(event, context):\n    return util.x\n",
    "src/lib/__init__.py": "",
    "src/lib/util.py": "x = 1\n",
    "src/tests/test_app.py": "def test(): pass\n",
    "src/test_top.py": "",
    "src/conftest.py": "",
    "src/__pycache__/app.cpython-311.pyc": "junk",
    "src/lib/util.pyc": "junk",
    "src/.git/HEAD": "ref",
    "src/data/config.json": "{}",
}


def test_rebuilds_are_byte_identical_whatever_the_file_times_and_modes(write_project, tmp_path, no_derive, vendor_cache):
    project = write_project(CONFIG, FILES)
    first = package_project(project, out_dir=tmp_path / "out1", cache_dir=vendor_cache, derive_with=no_derive)
    for path in (tmp_path / "src").rglob("*"):
        os.utime(path, (1_700_000_000, 1_700_000_000))
        if path.is_file():
            path.chmod(0o600)
    second = package_project(project, out_dir=tmp_path / "out2", cache_dir=vendor_cache, derive_with=no_derive)
    a, b = first.functions[0].artifact, second.functions[0].artifact
    assert a.read_bytes() == b.read_bytes()
    assert first.functions[0].sha256 == second.functions[0].sha256


def test_entries_are_sorted_with_fixed_time_and_mode_and_no_caches_or_tests(write_project, tmp_path, no_derive, vendor_cache):
    project = write_project(CONFIG, FILES)
    out = package_project(project, cache_dir=vendor_cache, derive_with=no_derive).functions[0]
    with zipfile.ZipFile(out.artifact) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["app.py", "data/config.json", "lib/__init__.py", "lib/util.py"]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert out.artifact == tmp_path / "build" / "fn" / "lambda-artifact.zip"


def test_a_change_in_the_code_changes_the_digest(write_project, tmp_path, no_derive, vendor_cache):
    project = write_project(CONFIG, FILES)
    before = package_project(project, cache_dir=vendor_cache, derive_with=no_derive).functions[0].sha256
    (tmp_path / "src" / "lib" / "util.py").write_text("x = 2\n")
    assert package_project(project, cache_dir=vendor_cache, derive_with=no_derive).functions[0].sha256 != before


def test_an_unchanged_rebuild_leaves_the_artifact_file_in_place(write_project, tmp_path, no_derive, vendor_cache):
    project = write_project(CONFIG, FILES)
    artifact = package_project(project, cache_dir=vendor_cache, derive_with=no_derive).functions[0].artifact
    os.utime(artifact, (1_700_000_000, 1_700_000_000))
    before = artifact.stat()
    again = package_project(project, cache_dir=vendor_cache, derive_with=no_derive).functions[0]
    after = again.artifact.stat()
    assert (after.st_ino, after.st_mtime) == (before.st_ino, 1_700_000_000)
    assert again.size == before.st_size
    assert sorted(p.name for p in artifact.parent.iterdir() if p.name.startswith(".")) == []
