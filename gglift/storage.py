"""Writing files safely, and where gglift keeps its caches.

Every file gglift writes (ported sources, build outputs, caches, deploy state) goes through
:func:`write_atomic`: a temporary file beside the target, flushed to disk, then renamed over
it, so an interrupted run never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace (or create) ``path`` with ``data`` atomically, keeping its permission bits.

    Symlinks are followed, so the link keeps pointing at the (now ported) target. A new
    file gets mode 0644.
    """
    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".gglift-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
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
