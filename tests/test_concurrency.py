"""Two OS processes change one task 200 times each (issue: the closing procedure under
concurrency). The record must come out whole: every accepted change is in the history, the
history is a legal chain with no gap, and its replay is the current state. Runs on SQLite
and, under scripts/test-postgres.sh, on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from domain import status as st
from onemap import settings
from store import models as m
from store import repo
from store.db import reader, transaction
from store.queries import task_status_frame

ATTEMPTS = 200


def _task(title: str) -> int:
    with transaction() as s:
        d = m.Document(title="并发测试", short_name="并发测试", genre="整改清单", imported_at=repo.now())
        s.add(d)
        s.flush()
        t = m.Task(uid=f"并发测试|{title}", document_id=d.id, level="problem", ref="第1项", title=title,
                   created_at=repo.now())
        s.add(t)
        s.flush()
        return t.id


def _run_two(task_id: int, mode: str = "") -> list[dict]:
    args = [sys.executable, "-m", "tests.concurrency_worker", str(task_id), str(ATTEMPTS)]
    procs = [subprocess.Popen([*args, name, mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=settings.REPO_ROOT, env=dict(os.environ)) for name in ("甲", "乙")]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def _history(task_id: int) -> list[m.StatusEvent]:
    with reader() as s:
        return list(s.scalars(select(m.StatusEvent).where(m.StatusEvent.task_id == task_id)
                              .order_by(m.StatusEvent.seq)))


def _assert_whole(task_id: int, results: list[dict]) -> None:
    for r in results:
        assert r["errors"] == 0, r["tracebacks"]
        assert r["ok"] + r["conflict"] + r["refused"] == ATTEMPTS
    events = _history(task_id)
    # 0 lost updates: every change a process was told was recorded is in the history
    assert len(events) == sum(r["ok"] for r in results)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    # 0 illegal transitions: a chain from 未启动, each step allowed by the procedure
    state = st.NOT_STARTED
    for e in events:
        assert e.from_status == state, (e.seq, e.from_status, state)
        assert e.to_status in st.allowed_next(state, ongoing=False), (state, e.to_status)
        state = e.to_status
    with reader() as s:
        assert repo.current_status(s, task_id) == state
        # the history replays to the final state (the map's reader of the state)
        assert task_status_frame(s, repo.now().date()).loc[task_id, "status"] == state


@pytest.mark.timeout(900)
@pytest.mark.parametrize("mode", ["", "blind"])
def test_two_processes_one_task(data_dir, mode):
    task_id = _task(f"同一任务{mode}")
    results = _run_two(task_id, mode)
    _assert_whole(task_id, results)
    assert all(r["ok"] > 0 for r in results)  # both processes got through


def test_stale_expected_state_is_refused_with_who_and_what(data_dir):
    task_id = _task("过期状态")
    with transaction() as s:
        repo.record_status(s, task_id, st.IN_PROGRESS, actor="张三")
    with pytest.raises(repo.ConflictError, match="该任务刚被 张三 更新为“整改中”，请刷新后重试"), transaction() as s:
        repo.record_status(s, task_id, st.IN_PROGRESS, actor="李四", expected_version=0)
    assert [(e.seq, e.actor) for e in _history(task_id)] == [(1, "张三")]
