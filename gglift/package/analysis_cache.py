"""Port analysis results cached by file content, so an unchanged rebuild skips the parser.

The analysis (libcst) costs most of a cached ``gglift package`` run; its result for a file
depends only on the file's bytes and gglift's version, which make the cache key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

from gglift import __version__
from gglift.config.model import Project
from gglift.routes import Derived, derive, python_files
from gglift.storage import write_text

KINDS = ("publishes", "secrets", "invokes", "shadows")


def cached_derive(project: Project, cache_dir: Path) -> Derived:
    """:func:`gglift.routes.derive`, with each file's analysis read from or stored in ``cache_dir``."""
    results = {}
    for fn in project.functions:
        results[fn.name] = [] if fn.is_executable else [_analyze(path, cache_dir) for path in python_files(fn.source)]
    return derive(project, results)


def _analyze(path: Path, cache_dir: Path):
    """The file's resources, shaped like ``FileResult``. A hit is a plain namespace: importing
    ``gglift.port`` at all would load libcst, the cost this cache exists to avoid."""
    data = path.read_bytes()
    key = hashlib.sha256(__version__.encode() + b"\0" + data).hexdigest()
    entry = cache_dir / "analysis" / key[:2] / f"{key}.json"
    if entry.is_file():
        try:
            stored = json.loads(entry.read_text())
            return SimpleNamespace(path=path, **{kind: [SimpleNamespace(**r) for r in stored[kind]] for kind in KINDS})
        except (ValueError, KeyError, TypeError):
            pass  # a damaged entry is recomputed and rewritten
    from gglift.port import analyze_source  # imported only on a miss: it pulls in libcst

    result = analyze_source(data, path)
    write_text(entry, json.dumps({kind: [asdict(r) for r in getattr(result, kind)] for kind in KINDS}))
    return result
