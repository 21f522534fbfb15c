"""Run the per-file work on several processes, results in input order.

Parsing is CPU-bound Python, so threads would not help; each worker process takes chunks of
files and returns plain :class:`~gglift.port.model.FileResult` objects, which
``Executor.map`` hands back in the order the paths were given.

A worker that dies (killed, out of memory, a crash in native code) must not abort the run:
the files it had not answered yet are given to a fresh pool, after the first of them is
analysed alone in its own process, so only a file that kills its process gets a GGL900.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterator, Optional, Sequence

from gglift.port.model import FileResult

# Below this many files a pool costs more to start than it saves.
_MIN_FILES_FOR_POOL = 8
# Files ported per turn of the deep-stack thread when one process does them all: results
# still stream out, a few at a time.
_SERIAL_CHUNK = 16

# A file to analyse, with the bytes already read from it (None: read it in the worker).
Item = tuple[Path, Optional[bytes]]


def default_jobs() -> int:
    """One job per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def analyze_all(items: Sequence[Item], jobs: Optional[int] = None) -> Iterator[FileResult]:
    """Yield ``analyze_path(path, data)`` for every item, in the order of ``items``."""
    if not items:
        return
    # imported only when a file is to be parsed: it loads libcst, a large share of the
    # start-up of a run that the cache answers entirely
    from gglift.port.engine import analyze_batch

    jobs = jobs or default_jobs()
    if jobs == 1 or len(items) < _MIN_FILES_FOR_POOL:
        for chunk in _chunks(items, _SERIAL_CHUNK):
            yield from analyze_batch(chunk)
        return
    remaining = list(items)
    while remaining:
        answered = 0
        # many small chunks keep both the pipe busy and the workers balanced
        chunksize = max(1, len(remaining) // (jobs * 8))
        try:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for results in pool.map(analyze_batch, _chunks(remaining, chunksize)):
                    answered += len(results)
                    yield from results
            return
        except BrokenProcessPool:
            suspect, remaining = remaining[answered], remaining[answered + 1:]
            yield _analyze_alone(suspect)


def _chunks(items: Sequence[Item], size: int) -> Iterator[list[Item]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _analyze_item(item: Item) -> FileResult:
    from gglift.port.engine import analyze_path

    return analyze_path(*item)


def _analyze_alone(item: Item) -> FileResult:
    """The item analysed in a process of its own; GGL900 if that process dies."""
    from gglift.port.engine import failed

    receiver, sender = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=_send_result, args=(sender, item), daemon=True)
    process.start()
    sender.close()
    try:
        result = receiver.recv()
    except EOFError:
        result = None
    process.join()
    if result is not None:
        return result
    code = process.exitcode or 0
    how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    return failed(item[0], f"the analysis process died on this file ({how}); please report it")


def _send_result(sender, item: Item) -> None:
    sender.send(_analyze_item(item))
    sender.close()
