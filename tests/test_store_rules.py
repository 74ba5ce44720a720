"""Store rules with hand-worked answers: replay at the edges of a day, event order,
tasks that did not exist yet, revision fingerprints, the restore's value conversion."""

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from onemap import services, settings
from store import dump, queries, repo
from store import models as m
from store.db import reader, transaction
from tests.conftest import MANAGER_ACTOR, db_counts


@pytest.fixture()
def one_task(data_dir, tmp_path):
    f = tmp_path / "l.xlsx"
    pd.DataFrame([{"编号": "1", "问题/任务": "甲", "整改时限": "2024年3月底"},
                  {"编号": "1/1", "上级编号": "1", "问题/任务": "甲的措施"},
                  {"编号": "1/1/1", "上级编号": "1/1", "问题/任务": "甲的子项"}]).to_excel(f, index=False)
    services.import_file(MANAGER_ACTOR, f, document="清单")
    with transaction() as s:
        for t in s.scalars(select(m.Task)):
            t.created_at = datetime(2024, 1, 1, 9, 0)
        return s.scalar(select(m.Task.id).where(m.Task.uid == "清单|main|1"))


def _row(as_of, tid, **kw):
    with reader() as s:
        t = queries.tasks_frame(s, as_of, **kw).set_index("id")
    return t.loc[tid] if tid in t.index else None


def test_replay_at_the_edges_of_a_day(one_task):
    tid = one_task
    with transaction() as s:
        repo.record_status(s, tid, "整改中", actor=" 张三 ", note=" 开工 ", at=datetime(2024, 3, 1, 23, 59, 59))
        repo.record_status(s, tid, "申请销号", actor="张三", note="完工", at=datetime(2024, 3, 2, 0, 0, 0))
        repo.record_status(s, tid, "退回", actor="李四", note="资料不全", at=datetime(2024, 3, 2, 0, 0, 0))  # same time
    got = {d: tuple(_row(d, tid)[["status", "flag", "last_note"]]) for d in
           (date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 2), date(2024, 4, 1))}
    assert got == {
        date(2024, 2, 29): ("未启动", "", ""),  # the deadline (3月31日) is 31 days away: not yet 临期
        date(2024, 3, 1): ("整改中", "临期", "开工"),
        date(2024, 3, 2): ("退回", "临期", "资料不全"),  # two events at one time: the later recorded wins
        date(2024, 4, 1): ("退回", "逾期", "资料不全"),
    }
    assert _row(date(2024, 3, 1), tid)["last_event_at"] == datetime(2024, 3, 1, 23, 59, 59)
    with reader() as s:
        ev = queries.events_frame(s, [tid])
    assert ev[["from_status", "to_status", "actor", "note"]].values.tolist() == [
        ["未启动", "整改中", "张三", "开工"], ["整改中", "申请销号", "张三", "完工"], ["申请销号", "退回", "李四", "资料不全"]]
    with reader() as s:
        assert repo.current_status(s, tid) == "退回"


def test_a_past_date_leaves_out_tasks_not_yet_imported(one_task):
    tid = one_task
    assert _row(date(2023, 12, 31), tid) is None
    assert tuple(_row(date(2023, 12, 31), tid, include_future=True)[["status", "flag"]]) == ("未启动", "")
    assert _row(date(2024, 1, 1), tid)["status"] == "未启动"  # created at 09:00 that day: shown all day
    with reader() as s:
        assert len(queries.tasks_frame(s, date(2024, 1, 1))) == 3


def test_record_status_refusals_write_nothing(one_task):
    tid = one_task
    with transaction() as s:
        repo.record_status(s, tid, "整改中", actor="张三", at=datetime(2024, 3, 1))
    before = db_counts()
    for kw, msg in [({"to_status": "已销号", "actor": "张三"}, "不能从“整改中”变更为“已销号”"),
                    ({"to_status": "申请销号", "actor": "张三", "note": " "}, "申请销号需填写整改情况说明"),
                    ({"to_status": "申请销号", "actor": "", "note": "x"}, "请填写经办人姓名"),
                    ({"to_status": "申请销号", "actor": "张三", "note": "x", "at": datetime(2024, 2, 1)}, "更晚日期")]:
        with pytest.raises(repo.StoreError, match=msg), transaction() as s:
            repo.record_status(s, tid, **kw)
    with pytest.raises(repo.StoreError, match="任务 999999 不存在"), transaction() as s:
        repo.record_status(s, 999999, "整改中", actor="张三")
    assert db_counts() == before


def test_revision_changes_only_with_what_was_written(one_task):
    with reader() as s:
        r0 = queries.revision(s)
    with transaction() as s:
        repo.record_status(s, one_task, "整改中", actor="张三", at=datetime(2024, 3, 1))
    with reader() as s:
        r1 = queries.revision(s)
    assert [k for k in r0 if r0[k] != r1[k]] == ["events"]
    services.import_file(MANAGER_ACTOR, settings.DEMO_DIR / "sites.csv")
    with reader() as s:
        r2 = queries.revision(s)
    assert [k for k in r1 if r1[k] != r2[k]] == ["sites"]
    with transaction() as s:
        repo.set_meta(s, "x", "1")
    with reader() as s:
        r3 = queries.revision(s)
        assert repo.get_meta(s, "x") == "1" and repo.get_meta(s, "nope", "默认") == "默认"
    assert [k for k in r2 if r2[k] != r3[k]] == ["meta"]


def test_clear_all_removes_a_three_level_tree(one_task):
    with transaction() as s:
        repo.record_status(s, one_task, "整改中", actor="张三", at=datetime(2024, 3, 1))
    assert db_counts()["tasks"] == 3
    with transaction() as s:
        repo.clear_all(s)
    assert set(db_counts().values()) == {0}


@pytest.mark.parametrize(("column", "value", "want"), [
    (m.Task.__table__.c.deadline, "2024-06-30", date(2024, 6, 30)),
    (m.Task.__table__.c.deadline, "2024-06-30 00:00:00", date(2024, 6, 30)),
    (m.Task.__table__.c.deadline, date(2024, 6, 30), date(2024, 6, 30)),
    (m.Task.__table__.c.deadline, datetime(2024, 6, 30, 8, 0), date(2024, 6, 30)),
    (m.Task.__table__.c.deadline, None, None),
    (m.Task.__table__.c.deadline, float("nan"), None),
    (m.Task.__table__.c.deadline, pd.NaT, None),
    (m.Task.__table__.c.created_at, "2024-06-30 08:15:00", datetime(2024, 6, 30, 8, 15)),
    (m.Task.__table__.c.created_at, pd.Timestamp("2024-06-30 08:15"), datetime(2024, 6, 30, 8, 15)),
    (m.Task.__table__.c.ongoing, 1, True),
    (m.Task.__table__.c.ongoing, 0, False),
    (m.Task.__table__.c.position, 3.0, 3),
    (m.Task.__table__.c.title, 12, "12"),
    (m.TaskSite.__table__.c.confidence, "0.5", 0.5),
    (m.Site.__table__.c.attrs, '{"级别": "国控"}', {"级别": "国控"}),
    (m.Site.__table__.c.attrs, {"a": 1}, {"a": 1}),
])
def test_restore_value_conversion(column, value, want):
    got = dump._value(column, value)
    assert got == want and type(got) is type(want)


def test_restore_orders_tasks_parents_first():
    rows = {1: {"id": 1, "parent_id": None}, 2: {"id": 2, "parent_id": 3}, 3: {"id": 3, "parent_id": 1}}
    assert [dump._depth(rows[i], rows) for i in (1, 2, 3)] == [0, 2, 1]
