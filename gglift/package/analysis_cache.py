"""Port analysis results cached by file content, so an unchanged rebuild skips the parser.

The analysis (libcst) costs most of a cached ``gglift package`` run; its result for a file
depends on the bytes of the function's files (a client may be created in one module and
used in another) and the gglift and libcst versions, which make the cache key.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Optional

from gglift import __version__
from gglift.config.model import Project
from gglift.port.model import RESOURCE_FIELDS
from gglift.port.source import SourceError, read_source
from gglift.routes import Derived, derive, function_files
from gglift.storage import write_text


def cached_derive(project: Project, cache_dir: Path) -> Derived:
    """:func:`gglift.routes.derive`, with each file's analysis read from or stored in ``cache_dir``."""
    results = {}
    for fn in project.functions:
        if fn.is_executable:
            results[fn.name] = []
            continue
        files = {path: _content(path) for path in function_files(fn)}
        # a module's analysis follows clients into the modules it imports and that import it
        tree = hashlib.sha256(b"".join(str(p).encode() + b"\0" + (data or b"") for p, data in files.items())).digest()
        results[fn.name] = [_analyze(path, data, cache_dir, tree) for path, data in files.items()]
    return derive(project, results)


@functools.lru_cache(maxsize=None)
def _versions() -> bytes:
    """What besides a file's bytes decides its analysis (looked up once per process)."""
    return f"{__version__}\0{metadata.version('libcst')}\0".encode()


def _content(path: Path) -> Optional[bytes]:
    """The file's bytes, read once for the tree digest and its analysis; None for a file that
    cannot be read as source."""
    try:
        return read_source(path)
    except SourceError:
        return None


def _analyze(path: Path, data: Optional[bytes], cache_dir: Path, tree: bytes):
    """The file's resources, shaped like ``FileResult``. A hit is a plain namespace and never
    loads libcst (the analysis does), the cost this cache exists to avoid. ``tree`` digests
    the function's other files, which the analysis of this one reads too. A file that cannot
    be read (a FIFO, a device, over the size limit) yields nothing; the artifact's report
    names the files it skipped."""
    if data is None:
        return SimpleNamespace(path=path, **{kind: [] for kind in RESOURCE_FIELDS})
    key = hashlib.sha256(_versions() + tree + data).hexdigest()
    entry = cache_dir / "analysis" / key[:2] / f"{key}.json"
    if entry.is_file():
        try:
            stored = json.loads(entry.read_text())
            return SimpleNamespace(path=path, **{kind: [SimpleNamespace(**r) for r in stored[kind]] for kind in RESOURCE_FIELDS})
        except (ValueError, KeyError, TypeError):
            pass  # a damaged entry is recomputed and rewritten
    from gglift.port import analyze_source  # imported only on a miss: it pulls in libcst

    result = analyze_source(data, path, tree=True)
    write_text(entry, json.dumps({kind: [asdict(r) for r in getattr(result, kind)] for kind in RESOURCE_FIELDS}))
    return result
