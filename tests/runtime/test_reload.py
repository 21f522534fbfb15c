"""``Core.reload`` (``gglift run --watch``): workers replaced, queued and running work kept."""

from __future__ import annotations

import asyncio
import json

from .conftest import kinds, run_core

APP = '''
import time
VERSION = {version}

def ver(event, context):
    time.sleep(event.get("sleep", 0))
    return VERSION
'''
TOML = '[[function]]\nname = "ver"\nhandler = "app.ver"\npinned = {pinned}\nmaxInstancesCount = 1\n'


def test_a_busy_worker_finishes_its_item_and_queued_work_runs_on_the_new_code(make_project, tmp_path):
    project = make_project(TOML.format(pinned="true"), app=APP.format(version=1))

    async def body(core, records):
        running = asyncio.ensure_future(core.invoke("ver", {"sleep": 1.0}))
        while core.pools["ver"].busy == 0:
            await asyncio.sleep(0.01)
        queued = asyncio.ensure_future(core.invoke("ver", {}))
        while not core.pools["ver"].pending:
            await asyncio.sleep(0.01)
        (tmp_path / "app.py").write_text(APP.format(version=2))
        core.reload("ver", ["app.py"])
        return [json.loads((await task).payload) for task in (running, queued)], records

    results, records = run_core(project, body)
    assert results == [1, 2]
    assert [(r.function, r.changed) for r in kinds(records, "reload")] == [("ver", ["app.py"])]
    events = [r.event for r in kinds(records, "worker")]
    assert events[:3] == ["stopping", "stopped", "started"]


def test_a_broken_function_starts_again_once_its_code_is_fixed(make_project, tmp_path):
    project = make_project(TOML.format(pinned="false"), app="def ver(event, context):\n    pass\n\nraise RuntimeError('not yet')\n")

    async def body(core, records):
        while core.pools["ver"].broken is None:
            await core.invoke("ver", {})
        (tmp_path / "app.py").write_text(APP.format(version=3))
        core.reload("ver", ["app.py"])
        return json.loads((await core.invoke("ver", {})).payload)

    assert run_core(project, body, time_scale=0.01) == 3


def test_only_python_sources_count_as_changes(tmp_path):
    from gglift.runtime.watch import changes, snapshot

    (tmp_path / "pkg").mkdir()
    (tmp_path / "app.py").write_text("A = 1\n")
    (tmp_path / "pkg" / "util.py").write_text("B = 1\n")
    before = snapshot(tmp_path)
    for folder in (".gglift", "__pycache__"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.py").write_text("")
    (tmp_path / "run.jsonl").write_text("{}\n")  # a --record file beside the code
    assert changes(before, snapshot(tmp_path)) == []
    (tmp_path / "pkg" / "util.py").write_text("B = 22\n")
    (tmp_path / "app.py").unlink()
    (tmp_path / "new.py").write_text("")
    assert changes(before, snapshot(tmp_path)) == ["app.py", "new.py", "pkg/util.py"]
