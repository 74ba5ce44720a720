"""The closing procedure and state replay from the event history."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from domain import status as st
from store import models as m
from store import queries, repo
from store.db import reader, transaction
from tests.conftest import db_counts


def test_transitions_follow_the_closing_procedure():
    assert st.allowed_next(st.NOT_STARTED, ongoing=False) == [st.IN_PROGRESS]
    assert st.allowed_next(st.IN_PROGRESS, ongoing=False) == [st.APPLIED]
    assert st.allowed_next(st.APPLIED, ongoing=False) == [st.CLOSED, st.RETURNED]
    assert st.allowed_next(st.RETURNED, ongoing=False) == [st.IN_PROGRESS, st.APPLIED]
    assert st.allowed_next(st.CLOSED, ongoing=False) == [st.IN_PROGRESS]  # relapse found by 回头看
    assert st.allowed_next(st.NOT_STARTED, ongoing=True) == [st.IN_PROGRESS, st.ONGOING]
    assert st.allowed_next(st.ONGOING, ongoing=True) == [st.ONGOING]  # periodic check-in, never closed
    with pytest.raises(st.TransitionError, match="不能从“未启动”变更为“已销号”"):
        st.check_transition(st.NOT_STARTED, st.CLOSED, ongoing=False, note="x")
    with pytest.raises(st.TransitionError, match="退回需填写退回理由"):
        st.check_transition(st.APPLIED, st.RETURNED, ongoing=False, note=" ")


def test_derived_flags():
    as_of = date(2024, 7, 1)
    assert st.derived_flag(st.IN_PROGRESS, date(2024, 6, 30), as_of) == st.OVERDUE
    assert st.derived_flag(st.APPLIED, date(2024, 7, 20), as_of) == st.DUE_SOON
    assert st.derived_flag(st.IN_PROGRESS, date(2024, 9, 1), as_of) is None
    assert st.derived_flag(st.IN_PROGRESS, date(2024, 9, 1), as_of, due_soon_days=90) == st.DUE_SOON
    assert st.derived_flag(st.CLOSED, date(2024, 6, 30), as_of) is None
    assert st.derived_flag(st.ONGOING, date(2024, 6, 30), as_of) is None
    assert st.derived_flag(st.IN_PROGRESS, None, as_of) is None


def _first_problem(s):
    return s.scalar(select(m.Task).where(m.Task.uid == "省督察整改清单|main|（九）"))


def test_history_replay_and_store_rejects_illegal_changes(demo_dir):
    with transaction() as s:
        t = _first_problem(s)
        s.execute(m.StatusEvent.__table__.delete().where(m.StatusEvent.task_id == t.id))
        tid = t.id
        assert t.deadline == date(2024, 6, 30)
        repo.record_status(s, tid, st.IN_PROGRESS, actor="张三", note="开始", at=datetime(2023, 11, 1))
        repo.record_status(s, tid, st.APPLIED, actor="张三", note="完成", at=datetime(2024, 6, 10))
        repo.record_status(s, tid, st.RETURNED, actor="李四", note="未到位", at=datetime(2024, 6, 20))
        repo.record_status(s, tid, st.APPLIED, actor="张三", note="补充", at=datetime(2024, 8, 1))
        repo.record_status(s, tid, st.CLOSED, actor="李四", note="同意", at=datetime(2024, 8, 15))
    expected = {date(2023, 10, 31): (st.NOT_STARTED, ""), date(2023, 11, 1): (st.IN_PROGRESS, ""),
                date(2024, 6, 15): (st.APPLIED, st.DUE_SOON), date(2024, 7, 1): (st.RETURNED, st.OVERDUE),
                date(2024, 8, 14): (st.APPLIED, st.OVERDUE), date(2024, 8, 15): (st.CLOSED, ""),
                date(2026, 1, 1): (st.CLOSED, "")}
    with reader() as s:
        for d, (state, flag) in expected.items():
            row = queries.tasks_frame(s, d).set_index("id").loc[tid]
            assert (row["status"], row["flag"]) == (state, flag), d
    before = db_counts()
    with pytest.raises(repo.StoreError, match="不能从“已销号”变更为“申请销号”"), transaction() as s:
        repo.record_status(s, tid, st.APPLIED, actor="张三", note="x", at=datetime(2024, 9, 1))
    with pytest.raises(repo.StoreError, match="更晚日期"), transaction() as s:
        repo.record_status(s, tid, st.IN_PROGRESS, actor="张三", note="x", at=datetime(2024, 1, 1))
    with pytest.raises(repo.StoreError, match="经办人"), transaction() as s:
        repo.record_status(s, tid, st.IN_PROGRESS, actor=" ", note="x")
    assert db_counts() == before


def test_evidence_files_are_kept(demo_dir, tmp_path):
    f = tmp_path / "现场照片.jpg"
    f.write_bytes(b"\xff\xd8photo")
    with transaction() as s:
        t = s.scalar(select(m.Task).where(m.Task.uid == "2026年工作要点|main|5"))
        ev = repo.record_status(s, t.id, st.APPLIED, actor="王五", note="已完成", files=[f])
        eid = ev.id
    with reader() as s:
        evs = queries.events_frame(s)
    assert evs.set_index("id").loc[eid, "attachments"] == ["现场照片.jpg"]


def test_transaction_rolls_back_everything(demo_dir):
    before = db_counts()
    with pytest.raises(RuntimeError), transaction() as s:
        repo.clear_all(s)
        raise RuntimeError("crash in the middle of a write")
    assert db_counts() == before
