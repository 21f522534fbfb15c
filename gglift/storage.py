"""Writing files safely, and where gglift keeps its caches.

Every file gglift writes (ported sources, build outputs, caches, deploy state) goes through
:func:`write_atomic`: a temporary file beside the target, flushed to disk, then renamed over
it, so an interrupted run never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

CHUNK = 1 << 20  # bytes read or written at a time when streaming a file


def write_atomic(path: Path, data: bytes) -> None:
    """Replace (or create) ``path`` with ``data`` atomically, keeping its permission bits.

    Symlinks are followed, so the link keeps pointing at the (now ported) target. A new
    file gets mode 0644.
    """
    with atomic_file(path) as handle:
        handle.write(data)


@contextmanager
def atomic_file(path: Path, keep_identical: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content to, put in place atomically when the
    block ends (as :func:`write_atomic` does), so large outputs can be streamed to disk.

    With ``keep_identical``, a target whose content is already the same is left in place
    (its mtime kept) and the new copy is dropped.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".gglift-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w+b") as handle:
            yield handle
            handle.flush()
            if keep_identical and target.is_file() and filecmp.cmp(tmp, target, shallow=False):
                os.unlink(tmp)
                return
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        # KeyboardInterrupt included: the original is untouched, the temporary file goes
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """Write a build output atomically, creating its folder; an unchanged file is left alone
    (its mtime kept, so tools watching the folder see no change)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_bytes() == data:
        return
    write_atomic(path, data)


def copy_file(source: Path, path: Path) -> None:
    """Copy ``source`` to ``path`` as :func:`write_bytes` writes, streaming rather than
    holding the file in memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, atomic_file(path, keep_identical=True) as dest:
        shutil.copyfileobj(src, dest, CHUNK)


def write_text(path: Path, text: str) -> None:
    """:func:`write_bytes` for UTF-8 text."""
    write_bytes(path, text.encode("utf-8"))


def cache_dir() -> Path:
    """``$GGLIFT_CACHE_DIR``, else ``$XDG_CACHE_HOME/gglift``, else ``~/.cache/gglift``."""
    explicit = os.environ.get("GGLIFT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "gglift"
