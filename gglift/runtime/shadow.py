"""GGShadowService: classic device shadows, kept in SQLite so they survive a restart.

Semantics of AWS IoT's classic shadow: ``state.desired``/``state.reported`` merged on update
(a ``null`` removes a key), ``delta`` = desired values that reported lacks or differs on,
``metadata`` with a timestamp per updated leaf, a version that increases with every update
and survives a delete, optimistic locking with ``version`` in the update. Errors are JSON
documents with ``code`` and ``message`` (400 bad document, 404 no shadow, 409 version conflict).

Several cores may share one project's store (two ``gglift invoke`` at once), so every
read-modify-write runs in one ``BEGIN IMMEDIATE`` transaction: the second writer waits for the
first to commit and then reads its result, and no acknowledged update is lost.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

from gglift.runtime.work import Result

PREFIX = "$aws/things/"


def shadow_topic(thing: str, suffix: str) -> str:
    """``$aws/things/<thing>/shadow/<suffix>``."""
    return f"{PREFIX}{thing}/shadow/{suffix}"


def split_subject(subject: str) -> Optional[tuple[str, str]]:
    """``(thing, op)`` of ``$aws/things/<thing>/shadow/<op>``; None for any other subject."""
    parts = subject.split("/")
    if len(parts) != 5 or parts[:2] != ["$aws", "things"] or parts[3] != "shadow":
        return None
    return parts[2], parts[4]


# How long a writer waits for another core's transaction before giving up (SQLite's busy
# timeout): far longer than any single update holds the lock, even on a loaded machine.
BUSY_TIMEOUT_SECONDS = 60.0


class ShadowError(Exception):
    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message

    def result(self) -> Result:
        return Result(json.dumps({"code": self.code, "message": self.message}).encode())


class ShadowStore:
    """Shadows of every thing in one SQLite file (``:memory:`` for a throwaway store)."""

    def __init__(self, path: Path | str):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun explicitly, see _transaction
        import sqlite3  # here: a host on the nucleus, which has ShadowManager, never loads it

        self.db = sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS shadow (thing TEXT PRIMARY KEY, version INTEGER NOT NULL, document TEXT)"
        )

    def close(self) -> None:
        self.db.close()

    def handle(self, subject: str, payload: bytes) -> tuple[Result, list[tuple[str, bytes]]]:
        """Serve one request on ``$aws/things/<thing>/shadow/<get|update|delete>``.

        Returns the answer and the messages a device core would publish on the shadow's
        ``accepted``/``rejected``/``delta`` topics.
        """
        split = split_subject(subject)
        if split is None:
            return ShadowError(400, f"unsupported shadow topic: {subject}").result(), []
        thing, op = split
        base = shadow_topic(thing, op)
        try:
            if op == "get":
                answer = self.get(thing)
            elif op == "update":
                answer = self.update(thing, payload)
            elif op == "delete":
                answer = self.delete(thing)
            else:
                raise ShadowError(400, f"unsupported shadow operation: {op}")
        except ShadowError as exc:
            result = exc.result()
            return result, [(base + "/rejected", result.payload)]
        delta = answer.pop("_delta", None)
        body = json.dumps(answer).encode()
        published = [(base + "/accepted", body)]
        if delta:
            doc = {"version": answer["version"], "timestamp": answer["timestamp"], "state": delta}
            published.append((shadow_topic(thing, "update/delta"), json.dumps(doc).encode()))
        return Result(body), published

    # -- operations ----------------------------------------------------------------------
    def get(self, thing: str) -> dict:
        version, doc = self._load(thing)
        if doc is None:
            raise ShadowError(404, f"No shadow exists with name: '{thing}'")
        state = {k: v for k, v in doc["state"].items() if v}
        delta = _state_delta(doc["state"])
        if delta:
            state["delta"] = delta
        metadata = {k: v for k, v in doc["metadata"].items() if v}
        return {"state": state, "metadata": metadata, "version": version, "timestamp": _now()}

    def update(self, thing: str, payload: bytes) -> dict:
        with self._transaction():
            return self._update(thing, payload)

    def _update(self, thing: str, payload: bytes) -> dict:
        try:
            request = json.loads(payload or b"")
        except ValueError:
            raise ShadowError(400, "Payload contains invalid json") from None
        if not isinstance(request, dict) or not isinstance(request.get("state"), dict):
            raise ShadowError(400, "Missing required node: state")
        unknown = set(request["state"]) - {"desired", "reported"}
        if unknown:
            raise ShadowError(400, f"State contains an invalid node: '{sorted(unknown)[0]}'")
        version, doc = self._load(thing)
        if "version" in request and request["version"] != version:
            raise ShadowError(409, "Version conflict")
        doc = doc or {"state": {}, "metadata": {}}
        now = _now()
        for section, change in request["state"].items():
            if change is None:  # "desired": null clears the whole section
                doc["state"].pop(section, None)
                doc["metadata"].pop(section, None)
                continue
            if not isinstance(change, dict):
                raise ShadowError(400, f"Invalid state node: '{section}' must be an object or null")
            doc["state"][section] = _merge(doc["state"].get(section) or {}, change)
            doc["metadata"][section] = _merge(doc["metadata"].get(section) or {}, _stamps(change, now))
        version += 1
        self._save(thing, version, doc)
        answer = {
            "state": request["state"],
            "metadata": {s: _stamps(c, now) for s, c in request["state"].items() if isinstance(c, dict)},
            "version": version,
            "timestamp": now,
            "_delta": _state_delta(doc["state"]),
        }
        if "clientToken" in request:
            answer["clientToken"] = request["clientToken"]
        return answer

    def delete(self, thing: str) -> dict:
        with self._transaction():
            version, doc = self._load(thing)
            if doc is None:
                raise ShadowError(404, f"No shadow exists with name: '{thing}'")
            self._save(thing, version, None)  # the version carries on if the shadow comes back
        return {"version": version, "timestamp": _now()}

    # -- storage -------------------------------------------------------------------------
    @contextmanager
    def _transaction(self):
        """Hold SQLite's write lock from the read to the write: IMMEDIATE takes it at BEGIN,
        so two stores cannot both read version N and both write N + 1."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _load(self, thing: str) -> tuple[int, Optional[dict]]:
        row = self.db.execute("SELECT version, document FROM shadow WHERE thing = ?", (thing,)).fetchone()
        if row is None:
            return 0, None
        return row[0], json.loads(row[1]) if row[1] else None

    def _save(self, thing: str, version: int, doc: Optional[dict]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO shadow (thing, version, document) VALUES (?, ?, ?)",
            (thing, version, json.dumps(doc) if doc is not None else None),
        )


def _now() -> int:
    return int(time.time())


def _merge(current: dict, change: dict) -> dict:
    merged = dict(current)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _stamps(change: dict, now: int) -> dict:
    """Metadata for ``change``: a ``{"timestamp": now}`` per leaf; deleted keys get ``None``."""
    stamps = {}
    for key, value in change.items():
        if isinstance(value, dict):
            stamps[key] = _stamps(value, now)
        else:
            stamps[key] = None if value is None else {"timestamp": now}
    return stamps


def _state_delta(state: dict) -> dict:
    """The shadow's ``delta``: the ``desired`` values that ``reported`` lacks or differs on."""
    return _delta(state.get("desired") or {}, state.get("reported") or {})


def _delta(desired: dict, reported: dict) -> dict:
    delta = {}
    for key, want in desired.items():
        have = reported.get(key)
        if isinstance(want, dict) and isinstance(have, dict):
            sub = _delta(want, have)
            if sub:
                delta[key] = sub
        elif want != have:
            delta[key] = want
    return delta
