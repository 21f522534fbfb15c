"""Vendor a function's requirements with pip, for the device's platform, with a cache.

For this machine's platform and Python, ``pip install --target`` is used as is (sdists
allowed). For another architecture or Python version, pip is asked for manylinux wheels of
that platform only (``--platform ... --only-binary=:all:``), since nothing can be compiled
for the device here. The installed tree is cached under a key made of the requirements (the text of
every requirements file read), the platform and the Python version, so a rebuild with
unchanged requirements runs no pip at all.

pip runs in the requirements file's folder and is given that file itself, so its relative
``-r``, ``-c``, ``--find-links`` and wheel paths mean what they mean when the user runs pip.

What goes into the artifact comes from each installed package's ``RECORD``, but a wheel's
``RECORD`` is not trusted: a row that is absolute, holds ``..``, leads through a symlink or
names anything but a regular file inside the installed tree is refused and reported, so a
hostile wheel cannot put a host file into the artifact.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import platform as host
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from gglift import storage
from gglift.config.model import ARCHITECTURES, Platform
from gglift.package.artifact import special_file, unsafe_name
from gglift.package.sources import Requirements

# Long steps say what they are doing here; the command line shows it on a terminal or with -v.
PROGRESS = logging.getLogger("gglift.progress")

# Greengrass architecture names -> the wheel platform tag suffix.
# manylinux2014 is glibc 2.17: what pip accepts on the widest range of devices.
MANYLINUX = "manylinux2014"


# pip's own words when no distribution of a requirement fits the platform asked for.
NOT_FOUND = re.compile(r"No matching distribution found for (?P<requirement>\S+)")


class VendorError(Exception):
    """pip could not install the requirements; the message holds pip's own explanation.

    ``requirement`` is set when pip found no distribution of that requirement for ``platform``
    (for a device of another architecture or Python: no wheel), ``function`` by the caller.
    """

    def __init__(self, detail: str, requirement: Optional[str] = None, platform: Optional[Platform] = None,
                 runtime: str = "", function: str = ""):
        super().__init__(detail)
        self.detail, self.requirement, self.platform, self.runtime, self.function = detail, requirement, platform, runtime, function

    def for_function(self, name: str) -> "VendorError":
        """The same failure, naming the function whose requirements failed."""
        return VendorError(self.detail, self.requirement, self.platform, self.runtime, name)

    def platform_text(self) -> str:
        """``linux/aarch64, python3.11``: the platform pip was asked for."""
        platform = self.platform or Platform()
        return f"{platform.os}/{platform.machine()}, {self.runtime}"


@dataclass(frozen=True)
class Distribution:
    """One installed package and the archive names of its files."""

    name: str
    version: str
    files: tuple[str, ...]
    size: int  # bytes, uncompressed
    refused: tuple[tuple[str, str], ...] = ()  # RECORD rows not taken: (path, why)

    def refusal_note(self) -> str:
        """The report line for refused ``RECORD`` rows ("" when there are none)."""
        if not self.refused:
            return ""
        rows = "; ".join(f"{path!r} ({why})" for path, why in self.refused)
        return (f"dependency wheel {self.name} {self.version}: its RECORD lists files outside its package folder, "
                f"which were refused and are not in the artifact: {rows}")


@dataclass(frozen=True)
class Vendored:
    root: Path  # the installed tree (inside the cache)
    cached: bool  # True when no pip run was needed
    distributions: tuple[Distribution, ...]


def python_version(runtime: str) -> str:
    """``python3.11`` -> ``3.11``."""
    return runtime[len("python"):]


def is_native(target: Platform, runtime: str) -> bool:
    """True when wheels for this machine's interpreter also fit the device."""
    arch = target.architecture
    same_arch = arch is None or ARCHITECTURES.get(arch) == ARCHITECTURES.get(host.machine(), host.machine())
    return same_arch and python_version(runtime) == f"{sys.version_info[0]}.{sys.version_info[1]}"


def pip_arguments(target: Platform, runtime: str) -> list[str]:
    """The platform part of the ``pip install`` command line for ``target``."""
    if is_native(target, runtime):
        return []
    arch = ARCHITECTURES.get(target.machine(), target.machine())
    return [
        "--only-binary=:all:",
        "--platform", f"{MANYLINUX}_{arch}",
        "--python-version", python_version(runtime),
        "--implementation", "cp",
    ]


def cache_key(requirements: Requirements, target: Platform, runtime: str) -> str:
    """A key that changes whenever what pip would install could change."""
    # paths relative to the requirements file, so two checkouts of a project share a tree
    base = requirements.file.parent if requirements.file else Path(".")
    texts = [[os.path.relpath(path, base), text] for path, text in requirements.texts]
    data = {"requirements": texts, "extra": list(requirements.extra),
            "pip": pip_arguments(target, runtime), "runtime": runtime, "arch": target.machine()}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def vendor(requirements: Requirements, target: Platform, runtime: str, cache_dir: Optional[Path] = None) -> Vendored:
    """Install ``requirements`` for ``target``; reuse the cache when it can."""
    cache_dir = cache_dir or storage.cache_dir()
    tree = cache_dir / "vendor" / cache_key(requirements, target, runtime)
    cached = tree.is_dir()
    if not cached:
        _install(requirements, target, runtime, tree)
    return Vendored(root=tree, cached=cached, distributions=distributions(tree))


def _install(requirements: Requirements, target: Platform, runtime: str, tree: Path) -> None:
    PROGRESS.info("pip: installing %s for %s/%s, %s", ", ".join(requirements.lines + requirements.extra), target.os,
                  target.machine(), runtime)
    tree.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=tree.parent))
    try:
        req_file = work / "requirements.txt"
        included = [f"-r {shlex.quote(str(requirements.file))}"] if requirements.file else []
        req_file.write_text("\n".join(included + list(requirements.extra)) + "\n")
        cmd = [sys.executable, "-m", "pip", "install", "--target", str(work / "site"), "--no-compile",
               "--disable-pip-version-check", "--no-input", "--quiet", *pip_arguments(target, runtime), "-r", str(req_file)]
        folder = requirements.file.parent if requirements.file else None
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=folder)
        if proc.returncode != 0:
            detail = proc.stderr.strip() or proc.stdout.strip() or f"pip exited with {proc.returncode}"
            missing = NOT_FOUND.search(detail)
            raise VendorError(detail, missing.group("requirement") if missing else None, target, runtime)
        # Console scripts carry this machine's interpreter path: useless on the device.
        shutil.rmtree(work / "site" / "bin", ignore_errors=True)
        try:
            os.rename(work / "site", tree)  # atomic: a half-done install is never seen as cached
        except OSError:
            if not tree.is_dir():  # another build finished first: use its tree
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def distributions(tree: Path) -> tuple[Distribution, ...]:
    """The packages in an installed tree, from each ``*.dist-info/RECORD``."""
    found = []
    for info in sorted(tree.glob("*.dist-info")):
        meta = {}
        for line in (info / "METADATA").read_text(encoding="utf-8", errors="replace").splitlines():
            if not line:
                break
            key, _, value = line.partition(": ")
            meta.setdefault(key, value)
        files, size, refused = [], 0, []
        record = info / "RECORD"
        for rel in _record_paths(record):
            if rel.endswith((".pyc", ".pyo")):
                continue
            why = _outside(tree, rel)
            if why == "missing":  # e.g. console scripts, which pip puts outside --target
                continue
            if why:
                refused.append((rel, why))
                continue
            files.append(rel)
            size += (tree / rel).stat().st_size
        found.append(Distribution(meta.get("Name", info.name), meta.get("Version", ""), tuple(sorted(files)), size,
                                  tuple(refused)))
    return tuple(found)


def _record_paths(record: Path) -> list[str]:
    """The paths of a ``RECORD`` file (CSV: path, hash, size)."""
    if not record.is_file():
        return []
    with open(record, newline="", encoding="utf-8", errors="replace") as handle:
        return [row[0] for row in csv.reader(handle) if row]


def _outside(tree: Path, rel: str) -> Optional[str]:
    """Why the ``RECORD`` path ``rel`` cannot be taken from ``tree`` ("missing" when it is not
    there at all), or None when it names a regular file inside the tree, reached without a
    symlink."""
    path = tree / rel
    if not os.path.lexists(path):  # nothing there, nothing to take
        return "missing"
    why = unsafe_name(rel)
    if why:
        return why
    if os.path.realpath(path) != os.path.join(os.path.realpath(tree), rel):
        return "a symlink"
    return special_file(path) or (None if path.is_file() else "not a file")
