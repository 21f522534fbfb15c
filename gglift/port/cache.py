"""Skip files that were clean the last time they were ported, like black's cache.

A file is *clean* when the port leaves it unchanged and reports nothing of severity
``error`` or ``warning``. Such a file gives the same result every time until its content,
gglift or libcst changes, so its result is stored and reused without parsing.

- The key of an entry is the SHA-256 of the file's bytes, under its absolute path. Hashing
  means reading the file, which costs a fraction of a percent of parsing it, and unlike size
  and modification time it cannot be fooled by an edit within the clock's granularity.
  The bytes hashed are the bytes analysed (:class:`Read`): a file edited during a run is
  never stored as clean under a content that was not checked.
- One cache file per gglift and libcst version (the versions are in its name and in it), so
  an upgrade starts from an empty cache. No command-line option changes what the port of a
  file finds (``--check``/``--diff``/``--format`` only change what is done with it), so none
  is part of the key.
- The entry holds the whole result (info findings and the recorded publishes, secrets,
  invokes and shadows), so text, JSON and SARIF reports from the cache are the same as
  from a fresh run.
- The file lives in ``$GGLIFT_CACHE_DIR``, else ``$XDG_CACHE_HOME/gglift``, else
  ``~/.cache/gglift``. It is written atomically; an unreadable or corrupt cache is ignored
  (and replaced by the next write), and a cache that cannot be written only costs speed.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Optional

import gglift
from gglift.port.model import FileResult, Finding, Resource
from gglift.port.model import RESOURCE_FIELDS
from gglift.port.report import findings_and_resources
from gglift.port.source import SourceError, has_markers, read_source
from gglift.storage import cache_dir, write_atomic

FORMAT = 1  # bumped when the layout of the cache file changes


def is_clean(result: FileResult) -> bool:
    """Unchanged by the port, readable, nothing worse than info findings, and decided by the
    file alone (not by clients shared with other modules of its tree)."""
    return (
        not result.depends_on_tree
        and not result.changed
        and result.error is None
        and all(f.severity == "info" for f in result.findings)
    )


class Cache:
    """The stored results of clean files, for one gglift and libcst version.

    >>> import tempfile
    >>> cache = Cache.load(Path(tempfile.mkdtemp()))
    >>> cache.get(Path("app.py"), Read.digest_of(b"x = 1\\n")) is None
    True
    """

    def __init__(self, path: Path, entries: dict):
        self.path = path
        self.entries = entries  # absolute path -> {"sha256": ..., "result": {...}}
        self._dirty = False

    @classmethod
    def load(cls, directory: Optional[Path] = None) -> "Cache":
        """The cache for this version; empty if the file is missing or cannot be used."""
        versions = _versions()
        tag = hashlib.sha256(json.dumps(versions, sort_keys=True).encode()).hexdigest()[:16]
        path = (directory or cache_dir()) / f"port-{tag}.json"
        try:
            data = json.loads(path.read_bytes())
            if data.get("versions") != versions or not isinstance(data.get("files"), dict):
                raise ValueError("another version's cache")
            entries = data["files"]
        except (OSError, ValueError, AttributeError):
            entries = {}
        return cls(path, entries)

    def get(self, path: Path, digest: str) -> Optional[FileResult]:
        """The stored result for ``path`` if its content's digest is the one stored, else None."""
        entry = self.entries.get(_key(path))
        if not isinstance(entry, dict) or entry.get("sha256") != digest:
            return None
        try:
            return _result_from_dict(path, entry["result"])
        except (KeyError, TypeError, ValueError):  # a corrupt entry is just a miss
            return None

    def update(self, result: FileResult, digest: str) -> None:
        """Store a clean result for the content whose digest is ``digest`` (the bytes the
        result was computed from), or forget the file if it is not clean (any more)."""
        key = _key(result.path)
        if is_clean(result):
            self.entries[key] = {"sha256": digest, "result": findings_and_resources(result)}
            self._dirty = True
        elif self.entries.pop(key, None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Write the cache atomically if it changed; failing to write is not an error."""
        if not self._dirty:
            return
        data = json.dumps({"versions": _versions(), "files": self.entries}, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, data.encode())
        except OSError:
            return
        self._dirty = False


@dataclass(frozen=True)
class Read:
    """A file's bytes as read once for a run, and their digest (the cache key)."""

    data: bytes
    digest: str
    worth_parsing: bool  # mentions a marker: the only files the port parses

    @classmethod
    def of(cls, path: Path) -> Optional["Read"]:
        """``path`` read, or None if it cannot be (the port reports why)."""
        try:
            data = read_source(path)
        except SourceError:
            return None
        return cls(data, cls.digest_of(data), has_markers(data))

    @staticmethod
    def digest_of(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()


def _versions() -> dict:
    """What the results depend on besides the file itself."""
    return {"format": FORMAT, "gglift": gglift.__version__, "libcst": metadata.version("libcst")}


def _key(path: Path) -> str:
    return os.path.abspath(path)


def _result_from_dict(path: Path, data: dict) -> FileResult:
    result = FileResult(path=path, findings=[Finding(**f) for f in data["findings"]])
    for name in RESOURCE_FIELDS:
        setattr(result, name, [Resource(**r) for r in data[name]])
    return result
