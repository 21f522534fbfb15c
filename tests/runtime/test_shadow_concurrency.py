"""Two cores on one project share its shadow store: concurrent updates from separate
processes must all be kept (each acknowledged update raises the version by exactly one)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from gglift.runtime.shadow import ShadowStore

WRITERS = 4
UPDATES = 100

WRITER = textwrap.dedent(
    """
    import json, os, sys, time
    from gglift.runtime.shadow import ShadowStore

    db, go, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = ShadowStore(db)
    while not os.path.exists(go):  # start together, so the updates interleave
        time.sleep(0.001)
    versions = []
    for i in range(count):
        doc = {"state": {"reported": {name: i}}}
        result, _ = store.handle("$aws/things/lamp/shadow/update", json.dumps(doc).encode())
        versions.append(json.loads(result.payload)["version"])
    print(json.dumps(versions))
    """
)


def test_concurrent_updates_from_two_processes_are_all_kept(tmp_path):
    db, go = tmp_path / "shadows.sqlite", tmp_path / "go"
    ShadowStore(db).close()  # the table exists before the writers start
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(go), f"w{n}", str(UPDATES)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(WRITERS)
    ]
    go.touch()
    acknowledged = []
    for writer in writers:
        out, err = writer.communicate(timeout=600)
        assert writer.returncode == 0, err
        acknowledged.extend(json.loads(out))

    # every acknowledged update got its own version, and the store ends at the count
    assert sorted(acknowledged) == list(range(1, WRITERS * UPDATES + 1))
    store = ShadowStore(db)
    shadow = store.get("lamp")
    assert shadow["version"] == WRITERS * UPDATES
    assert shadow["state"]["reported"] == {f"w{n}": UPDATES - 1 for n in range(WRITERS)}
