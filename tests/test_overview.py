"""Overview figures: state replay on several dates and the 'since the last meeting' lists."""

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import select

from domain import overview as ov
from domain import status as st
from onemap import services
from store import models as m
from store import queries, repo
from store.db import reader, transaction
from tests.conftest import MANAGER_ACTOR


@pytest.fixture()
def ledger(data_dir, tmp_path):
    rows = [
        {"来源文件": "测试清单", "编号": "1", "问题/任务": "甲问题", "整改时限": "2024年6月底", "责任单位": "乐平市委、市政府"},
        {"来源文件": "测试清单", "编号": "2", "问题/任务": "乙问题", "整改时限": "2024年12月底", "责任单位": "浮梁县委、县政府"},
        {"来源文件": "测试清单", "编号": "3", "问题/任务": "丙问题", "整改时限": "2024年3月底",
         "责任单位": "乐平市委、市政府、市住建局"},
        {"来源文件": "测试清单", "编号": "4", "问题/任务": "丁问题", "整改时限": "立行立改，长期坚持", "责任单位": "市生态环境局"},
    ]
    f = tmp_path / "l.xlsx"
    pd.DataFrame(rows).to_excel(f, index=False)
    services.import_file(MANAGER_ACTOR, f)
    with transaction() as s:
        ids = {t.number: t.id for t in s.scalars(select(m.Task))}
        for t in s.scalars(select(m.Task)):
            t.created_at = datetime(2024, 1, 1)
        ev = [("1", st.IN_PROGRESS, datetime(2024, 2, 1)), ("1", st.APPLIED, datetime(2024, 6, 20)),
              ("1", st.CLOSED, datetime(2024, 7, 10)),
              ("2", st.IN_PROGRESS, datetime(2024, 3, 1)),
              ("3", st.IN_PROGRESS, datetime(2024, 1, 15)), ("3", st.APPLIED, datetime(2024, 5, 1)),
              ("3", st.RETURNED, datetime(2024, 5, 20)),
              ("4", st.ONGOING, datetime(2024, 1, 10))]
        for num, to, at in ev:
            repo.record_status(s, ids[num], to, actor="测试", note="说明", at=at)
    return ids


def frame(d: date) -> pd.DataFrame:
    with reader() as s:
        return queries.tasks_frame(s, d)


def test_state_on_each_date(ledger):
    expect = {
        date(2024, 1, 31): {"1": (st.NOT_STARTED, ""), "2": (st.NOT_STARTED, ""), "3": (st.IN_PROGRESS, ""),
                            "4": (st.ONGOING, "")},
        date(2024, 4, 15): {"1": (st.IN_PROGRESS, ""), "2": (st.IN_PROGRESS, ""), "3": (st.IN_PROGRESS, st.OVERDUE),
                            "4": (st.ONGOING, "")},
        date(2024, 6, 25): {"1": (st.APPLIED, st.DUE_SOON), "2": (st.IN_PROGRESS, ""), "3": (st.RETURNED, st.OVERDUE),
                            "4": (st.ONGOING, "")},
        date(2024, 7, 5): {"1": (st.APPLIED, st.OVERDUE), "2": (st.IN_PROGRESS, ""),
                           "3": (st.RETURNED, st.OVERDUE), "4": (st.ONGOING, "")},
        date(2024, 12, 10): {"1": (st.CLOSED, ""), "2": (st.IN_PROGRESS, st.DUE_SOON),
                             "3": (st.RETURNED, st.OVERDUE), "4": (st.ONGOING, "")},
    }
    for d, want in expect.items():
        f = frame(d).set_index("number")
        assert {n: (f.at[n, "status"], f.at[n, "flag"]) for n in want} == want, d


def test_since_the_last_meeting(ledger):
    ids = ledger
    now, then = frame(date(2025, 1, 15)), frame(date(2024, 6, 25))
    changes = ov.compare(now, then)
    assert changes == {"新销号": [ids["1"]], "新逾期": sorted([ids["2"]]), "新增": []}
    places = {"360281": "乐平市", "360222": "浮梁县", "360200": "景德镇市"}
    table = ov.compare_table(now, changes, "unit_place_codes", places).set_index("名称")
    assert table.loc["乐平市", "新销号"] == 1 and table.loc["浮梁县", "新逾期"] == 1
    assert "景德镇市" not in table.index  # 市住建局's task 3 did not change
    units = ov.compare_table(now, changes, "units").set_index("名称")
    assert units.loc["浮梁县委、县政府", "ids_新逾期"] == [ids["2"]]
    # a task imported after the earlier date is new
    older = frame(date(2023, 12, 31))
    assert ov.compare(now, older)["新增"] == sorted(ids.values())


def test_indicators_and_rankings(ledger):
    f = frame(date(2025, 1, 15))
    ind = ov.indicators(f)
    assert len(ind[st.CLOSED]) == 1 and len(ind[st.OVERDUE]) == 2 and len(ind[st.ONGOING]) == 1
    assert ov.closing_rate(f) == pytest.approx(1 / 3)
    doc = ov.by_document(f).iloc[0]
    assert (doc["条数"], doc["已销号"], doc["逾期"]) == (4, 1, 2)
    place = ov.by_place(f, {"360281": "乐平市", "360222": "浮梁县"}, {"360281": 5}).set_index("code")
    assert place.at["360281", "逾期"] == 1 and place.at["360281", "每点位未销号"] == pytest.approx(0.2)
    assert place.at["360222", "逾期"] == 1 and pd.isna(place.at["360222", "每点位未销号"])
    units = ov.by_unit(f)
    assert set(units.loc[units["逾期"] > 0, "单位"]) == {"乐平市委、市政府", "浮梁县委、县政府", "市住建局"}
    cat = ov.by_category(f)
    assert cat["数量"].sum() == 4
