"""Render core records for people (one line each) or as JSON lines, and write ``--record`` files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from gglift.runtime import records
from gglift.runtime.records import payload_text

# Records a run keeps in --record: what a test compares between runs (not logs or worker churn).
RECORDED = ("invocation", "publish", "no_route", "refused", "dropped", "export")


def line(record: records.Record) -> str:
    """One readable line for ``record``."""
    if isinstance(record, records.Invocation):
        where = f" [{record.topic}]" if record.topic else ""
        if record.error:
            outcome = f"{record.error} {record.error_type}: {_error_message(record.result)}"
        else:
            outcome = payload_text(record.result)
        return f"invoke  {record.function}{where} {payload_text(record.payload)} -> {outcome} ({record.duration_ms:.1f} ms)"
    if isinstance(record, records.Publish):
        targets = ", ".join(record.targets) or "no listener"
        return f"publish {record.source} -> {record.topic} {payload_text(record.payload)} => {targets}"
    if isinstance(record, records.NoRoute):
        fix = record.fix.replace("\n", "\n    ")
        return f"refused {record.source} -> {record.topic}: no subscription routes it; add to gglift.toml:\n    {fix}"
    if isinstance(record, records.Refused):
        return f"refused {record.function} -> {record.topic}: {record.reason}"
    if isinstance(record, records.Dropped):
        where = f" [{record.topic}]" if record.topic else ""
        return f"dropped {record.function}{where}: {record.reason} ({record.dropped_total} dropped)"
    if isinstance(record, records.Worker):
        reason = f": {record.reason}" if record.reason else ""
        return f"worker  {record.function} pid {record.pid} {record.event}{reason}"
    if isinstance(record, records.Reload):
        return f"reload  {record.function}: {', '.join(record.changed)} changed; its workers load the new code"
    if isinstance(record, records.Export):
        seqs = record.sequence_numbers
        span = f"message {seqs[0]}" if len(seqs) == 1 else f"messages {seqs[0]}..{seqs[-1]}"
        if record.error:
            outcome = f"failed: {record.error}"
        else:
            outcome = "sent" if record.sent else "not sent (gglift run --export sends it)"
        return (f"export  {record.stream}/{record.export} {span} -> {record.service} {record.operation} "
                f"{record.target}: {outcome}")
    if isinstance(record, records.Log):
        return f"log     {record.function} {record.level} {record.message}"
    return json.dumps(record.as_dict())


def _error_message(payload: bytes) -> str:
    value = records.payload_value(payload)
    if isinstance(value, dict) and "errorMessage" in value:
        return str(value["errorMessage"])
    return payload_text(payload)


def _encodable(text: str) -> str:
    """``text`` with any lone surrogate (JSON's ``"\\ud800"`` decodes to one) written as ``\\ud800``:
    UTF-8 streams refuse to write them."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Printer:
    """Writes each record to ``stream``: readable lines, or JSON lines with ``as_json``."""

    def __init__(self, stream: IO[str], as_json: bool = False):
        self.stream, self.as_json = stream, as_json

    def __call__(self, record: records.Record) -> None:
        text = json.dumps(record.as_dict(), ensure_ascii=False) if self.as_json else line(record)
        self.stream.write(_encodable(text) + "\n")
        self.stream.flush()


class Recorder:
    """Keeps invocation, publish, refusal and drop records as JSON lines in ``path``.

    Written beside the target and renamed into place by :meth:`close`, so an interrupted run
    never leaves half a file.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._fh = open(self._tmp, "w", encoding="utf-8")

    def __call__(self, record: records.Record) -> None:
        if record.kind in RECORDED:
            data = record.as_dict()
            data.pop("invocation_id", None)  # random: would make runs differ
            self._fh.write(_encodable(json.dumps(data, ensure_ascii=False, sort_keys=True)) + "\n")

    def close(self) -> None:
        self._fh.close()
        os.replace(self._tmp, self.path)

    def discard(self) -> None:
        """Drop what was written; ``path`` stays as it was."""
        self._fh.close()
        os.unlink(self._tmp)
