"""Run the per-file work on several processes, results in input order.

Parsing is CPU-bound Python, so threads would not help; each worker process takes chunks of
files and returns plain :class:`~gglift.port.model.FileResult` objects, which
``Executor.map`` hands back in the order the paths were given.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterator, Optional, Sequence

from gglift.port.model import FileResult

# Below this many files a pool costs more to start than it saves.
_MIN_FILES_FOR_POOL = 8


def default_jobs() -> int:
    """One job per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def analyze_all(paths: Sequence[Path], jobs: Optional[int] = None) -> Iterator[FileResult]:
    """Yield ``analyze_path(path)`` for every path, in the order of ``paths``."""
    if not paths:
        return
    # imported only when a file is to be parsed: it loads libcst, a large share of the
    # start-up of a run that the cache answers entirely
    from gglift.port.engine import analyze_path

    jobs = jobs or default_jobs()
    if jobs == 1 or len(paths) < _MIN_FILES_FOR_POOL:
        yield from map(analyze_path, paths)
        return
    # many small chunks keep both the pipe busy and the workers balanced
    chunksize = max(1, len(paths) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(analyze_path, paths, chunksize=chunksize)
