"""What a Python worker may import: the function's code, its requirements, the device's modules.

On a device, a Lambda imports only its own artifact (its code and the requirements vendored
into it, ``greengrasssdk`` included when the code imports it) and the Python standard library.
A local worker gets the same: the function's requirements installed for this machine into a
cached tree, keyed like the package cache (:func:`gglift.package.vendor.cache_key`), and a
folder holding gglift's runner alone, so neither gglift's own dependencies nor anything else
installed beside it can be imported by function code. A missing requirement fails locally
exactly as it would on the device.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from gglift import storage
from gglift.config.model import Function, Platform


def local_runtime() -> str:
    """``python3.11``: the interpreter gglift itself runs on."""
    return f"python{sys.version_info[0]}.{sys.version_info[1]}"


@lru_cache(maxsize=None)
def interpreter(runtime: str) -> Optional[str]:
    """The installed interpreter for ``runtime`` (``python3.9``): gglift's own for its version,
    else a ``python3.9`` on PATH that really is 3.9 (a pyenv shim of a version not selected is
    not), else None."""
    if runtime == local_runtime():
        return sys.executable
    found = shutil.which(runtime)
    if found is None:
        return None
    probe = "import sys; print(sys.executable); print('python%d.%d' % sys.version_info[:2])"
    try:
        proc = subprocess.run([found, "-c", probe], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = proc.stdout.split()
    return lines[0] if proc.returncode == 0 and lines[1:] == [runtime] else None


def worker_runtime(fn: Function) -> tuple[str, str]:
    """The interpreter ``fn``'s workers run on and its runtime name: the declared ``python3.X``
    when it is installed, else gglift's own (the command warns about it)."""
    found = interpreter(fn.runtime)
    return (found, fn.runtime) if found else (sys.executable, local_runtime())


if TYPE_CHECKING:  # pragma: no cover
    from gglift.package.sources import Requirements


def requirements(fn: Function) -> "Requirements":
    """What the function's artifact would vendor: its requirements, plus ``greengrasssdk``
    when the code imports it and does not require it itself (as ``gglift package`` does)."""
    from gglift.package.build import vendored_requirements
    from gglift.package.sources import imported_modules

    return vendored_requirements(fn, imported_modules(fn.source))


@lru_cache(maxsize=None)  # once per function and process: workers start often, the code is read once
def site_dirs(fn: Function, cache_dir: Optional[Path] = None) -> list[str]:
    """The installed requirements of ``fn`` for this machine (installed with pip on first use,
    then cached); raises :class:`~gglift.package.vendor.VendorError` when pip fails."""
    from gglift.package.vendor import vendor

    wanted = requirements(fn)
    if not wanted:
        return []
    # For another Python than gglift's, pip fetches that version's wheels (nothing is built).
    return [str(vendor(wanted, Platform(), worker_runtime(fn)[1], cache_dir).root)]


@lru_cache(maxsize=None)
def runner_root(cache_dir: Optional[Path] = None) -> str:
    """A folder holding ``gglift/runner`` and an empty ``gglift/__init__.py``, nothing else:
    what workers import gglift's runner from. Keyed by the runner's content, made atomically."""
    source = Path(__file__).resolve().parent / "runner"
    files = sorted(p for p in source.rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")

    def fill(work: Path) -> None:
        (work / "gglift").mkdir()
        (work / "gglift" / "__init__.py").write_text("")
        for path in files:
            target = work / "gglift" / "runner" / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)

    return str(_made_once((cache_dir or storage.cache_dir()) / "runner" / digest.hexdigest()[:32], fill))


class DebuggerMissing(Exception):
    """debugpy is not installed beside gglift; the message says how to install it."""


@lru_cache(maxsize=None)
def debugger_root(cache_dir: Optional[Path] = None) -> str:
    """A folder holding a link to gglift's own ``debugpy`` package and nothing else, so that a
    worker started under the debugger imports nothing else from gglift's environment."""
    import importlib.util

    spec = importlib.util.find_spec("debugpy")
    if spec is None or not spec.submodule_search_locations:
        raise DebuggerMissing("--debug-port needs debugpy beside gglift: pip install 'gglift[debug]'")
    package = Path(list(spec.submodule_search_locations)[0]).resolve()
    key = hashlib.sha256(str(package).encode()).hexdigest()[:32]
    return str(_made_once((cache_dir or storage.cache_dir()) / "debugpy" / key,
                          lambda work: (work / "debugpy").symlink_to(package, target_is_directory=True)))


def _made_once(root: Path, fill) -> Path:
    """``root``, made by ``fill(folder)`` in a temporary folder renamed into place (atomic: a
    half-made folder is never used) unless it exists already."""
    if not root.is_dir():
        root.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root.parent))
        try:
            fill(work)
            try:
                os.rename(work, root)
            except OSError:
                if not root.is_dir():
                    raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return root
