"""Dependency wheels are not trusted: a wheel's RECORD cannot put host files into an artifact,
and requirements files pulled in with ``-r`` resolve and cache the way pip reads them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile

from gglift.package.artifact import unsafe_name

HOST_SECRET = "aws_secret_access_key = HOST-FILE-CONTENT-1234\n"


def gglift(*args, cwd, cache):
    env = dict(os.environ, GGLIFT_CACHE_DIR=str(cache), PIP_NO_INDEX="1")
    return subprocess.run([sys.executable, "-m", "gglift", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


def project(root, requirements: str, files: dict):
    root.mkdir(parents=True, exist_ok=True)
    (root / "gglift.toml").write_text(textwrap.dedent(f"""
        [[function]]
        name = "fn"
        handler = "app.handler"
        source = "src"
        requirements = "{requirements}"
        """))
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("import hostile\n\ndef handler(event, context):\n    return 1\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_hostile_record_rows_put_no_host_file_into_the_artifact(tmp_path, make_wheel):
    secret = tmp_path / "host-secret.txt"
    secret.write_text(HOST_SECRET)
    root, cache = tmp_path / "proj", tmp_path / "cache"
    # tree = cache/vendor/<key>: four levels up from tree/hostile is tmp_path
    hostile_rows = [str(secret), "hostile/../../../../host-secret.txt"]
    make_wheel(root / "wheels", "hostile", "1.0", {"hostile/__init__.py": "", "hostile/data.txt": "data\n"}, hostile_rows)
    project(root, "requirements.txt", {"requirements.txt": "--no-index\n--find-links wheels\nhostile==1.0\n"})

    result = gglift("package", cwd=root, cache=cache)

    assert result.returncode == 0, result.stderr
    assert (f"note: dependency wheel hostile 1.0: its RECORD lists files outside its package folder, which were "
            f"refused and are not in the artifact: {str(secret)!r} (an absolute path); "
            "'hostile/../../../../host-secret.txt' ('..' in the path)") in result.stdout
    with zipfile.ZipFile(root / "build" / "fn" / "lambda-artifact.zip") as zf:
        names = zf.namelist()
        contents = [zf.read(name) for name in names]
    assert [n for n in names if not n.startswith("hostile")] == ["app.py"]
    assert {"hostile/__init__.py", "hostile/data.txt"} <= set(names)
    assert all(unsafe_name(name) is None for name in names)
    assert not any(b"HOST-FILE-CONTENT" in data for data in contents)
    assert secret.read_text() == HOST_SECRET


def test_a_symlink_in_an_installed_package_is_refused(tmp_path):
    from gglift.package.vendor import distributions

    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "ok.py").write_text("x = 1\n")
    (tmp_path / "outside.txt").write_text(HOST_SECRET)
    (tree / "pkg" / "link.txt").symlink_to(tmp_path / "outside.txt")
    info = tree / "pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Name: pkg\nVersion: 1.0\n")
    (info / "RECORD").write_text("pkg/ok.py,,\npkg/link.txt,,\n")

    (dist,) = distributions(tree)
    assert dist.files == ("pkg/ok.py",)
    assert dist.refused == (("pkg/link.txt", "a symlink"),)


def test_unsafe_archive_names():
    assert unsafe_name("/etc/passwd") == "an absolute path"
    assert unsafe_name("pkg/../../x") == "'..' in the path"
    assert unsafe_name("C:/x") == "an absolute path"
    assert unsafe_name("a\\b") == "a backslash in the path"
    assert unsafe_name("a//b") == "not a normalised path"
    assert unsafe_name("a/./b") == "not a normalised path"
    assert unsafe_name("pkg/mod.py") is None


def test_a_relative_r_resolves_against_the_requirements_file_and_is_part_of_the_cache_key(tmp_path, make_wheel):
    root, cache = tmp_path / "proj", tmp_path / "cache"
    make_wheel(root / "wheels", "hostile", "1.0", {"hostile/__init__.py": "VERSION = 1\n"})
    make_wheel(root / "wheels", "hostile", "2.0", {"hostile/__init__.py": "VERSION = 2\n"})
    project(root, "reqs/requirements.txt", {
        "reqs/requirements.txt": "-r base.txt\n",
        "reqs/base.txt": "--no-index\n--find-links ../wheels\nhostile==1.0\n",
    })
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    first = gglift("package", str(root), cwd=elsewhere, cache=cache)
    assert first.returncode == 0, first.stderr
    assert "  hostile 1.0: " in first.stdout and "requirements installed" in first.stdout

    (root / "reqs" / "base.txt").write_text("--no-index\n--find-links ../wheels\nhostile==2.0\n")
    second = gglift("package", str(root), cwd=elsewhere, cache=cache)
    assert second.returncode == 0, second.stderr
    assert "  hostile 2.0: " in second.stdout and "requirements installed" in second.stdout
    with zipfile.ZipFile(root / "build" / "fn" / "lambda-artifact.zip") as zf:
        assert zf.read("hostile/__init__.py") == b"VERSION = 2\n"


def test_a_missing_r_file_is_a_clear_error(tmp_path):
    root = tmp_path / "proj"
    project(root, "requirements.txt", {"requirements.txt": "-r nowhere.txt\n"})
    result = gglift("package", cwd=root, cache=tmp_path / "cache")
    assert result.returncode == 1
    assert result.stderr == (f"error: cannot read the requirements file {root / 'nowhere.txt'} "
                             f"(named in {root / 'requirements.txt'}): No such file or directory\n")
    assert not (root / "build" / "fn" / "lambda-artifact.zip").exists()


def test_the_vendoring_key_is_the_same_for_two_checkouts_and_changes_with_an_included_file(tmp_path):
    from gglift.config.model import Platform
    from gglift.package.sources import read_requirements
    from gglift.package.vendor import cache_key

    keys = []
    for checkout in ("a", "b"):
        folder = tmp_path / checkout
        folder.mkdir()
        (folder / "requirements.txt").write_text("-r base.txt\n")
        (folder / "base.txt").write_text("six==1.16.0\n")
        keys.append(cache_key(read_requirements(folder / "requirements.txt"), Platform(), "python3.11"))
    (tmp_path / "b" / "base.txt").write_text("six==1.17.0\n")
    keys.append(cache_key(read_requirements(tmp_path / "b" / "requirements.txt"), Platform(), "python3.11"))
    assert keys[0] == keys[1] != keys[2]
