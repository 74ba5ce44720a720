"""The leader's figures (domain.overview, domain.rollup) on a hand-built task frame whose
every answer is worked out by hand below — no store, no function under test in the
expectation."""

import pandas as pd
import pytest

from domain import overview as ov
from domain import rollup

COLS = ["id", "parent_id", "archived", "document", "status", "flag", "ongoing", "unit_place_codes", "units",
        "category", "site_ids"]
ROWS = [
    (1, None, False, "甲清单", "已销号", "", False, ["P1"], ["单位一"], "水", ["S1"]),
    (2, None, False, "甲清单", "整改中", "逾期", False, ["P1", "P2"], ["单位一", "单位二"], "水", ["S1", "S2"]),
    (3, None, False, "甲清单", "申请销号", "临期", False, ["P2"], ["单位二"], "大气", ["S2"]),
    (4, None, False, "乙要点", "长期坚持", "", True, ["P0"], ["单位三"], "大气", []),
    (5, None, False, "乙要点", "未启动", "", False, ["P2"], ["单位二"], "生态", ["S3"]),
    (6, None, True, "乙要点", "退回", "逾期", False, ["P2"], ["单位二"], "水", ["S2"]),  # archived: left out
    (7, 2, False, "甲清单", "整改中", "逾期", False, ["P3"], ["单位四"], "水", ["S4"]),  # a measure: rolls up
    (8, None, False, "甲清单", "未启动", "临期", False, ["P1"], ["单位一"], "水", ["S1"]),
]


def frame(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame([list(r) for r in rows], columns=COLS)


def test_top_level_leaves_out_measures_and_archived():
    assert ov.top_level(frame())["id"].tolist() == [1, 2, 3, 4, 5, 8]


def test_indicators():
    assert ov.indicators(frame()) == {"未启动": [5, 8], "整改中": [2], "申请销号": [3], "退回": [], "已销号": [1],
                                      "长期坚持": [4], "逾期": [2], "临期": [3, 8], "全部": [1, 2, 3, 4, 5, 8]}


def test_closing_rate():
    assert ov.closing_rate(frame()) == pytest.approx(1 / 5)  # 1 closed of 1, 2, 3, 5, 8 (4 is 长期坚持)
    assert ov.closing_rate(frame([ROWS[3]])) is None  # only a 长期坚持 task: nothing to close
    assert ov.closing_rate(frame([ROWS[0]])) == 1.0


def test_by_document():
    got = ov.by_document(frame())
    assert got.to_dict("records") == [
        {"来源文件": "甲清单", "条数": 4, "已销号": 1, "逾期": 1, "临期": 2, "长期坚持": 0, "ids": [1, 2, 3, 8]},
        {"来源文件": "乙要点", "条数": 2, "已销号": 0, "逾期": 0, "临期": 0, "长期坚持": 1, "ids": [4, 5]},
    ]


def test_by_place():
    got = ov.by_place(frame(), {"P1": "甲县", "P2": "乙县", "P0": "市本级"}, {"P1": 4, "P2": 0})
    records = got.to_dict("records")
    assert [r["code"] for r in records] == ["P2", "P1", "P0"]  # most overdue, then most open
    assert pd.isna(records[0].pop("每点位未销号"))  # no sites: no per-site figure
    assert records[0] == {"code": "P2", "地区": "乙县", "未销号": 3, "逾期": 1, "点位数": 0,
                          "ids_open": [2, 3, 5], "ids_overdue": [2]}
    assert records[1] == {"code": "P1", "地区": "甲县", "未销号": 2, "逾期": 1, "点位数": 4, "每点位未销号": 0.5,
                          "ids_open": [2, 8], "ids_overdue": [2]}
    p0 = records[2]
    assert (p0["地区"], p0["未销号"], p0["逾期"], p0["点位数"], p0["ids_open"], p0["ids_overdue"]) == (
        "市本级", 0, 0, 0, [], [])
    assert pd.isna(p0["每点位未销号"])
    # a place without a name shows its code; three open tasks on three sites: 1.0 each, rounded to 2 places
    odd = ov.by_place(frame(), {}, {"P2": 7}).set_index("code")
    assert odd.at["P2", "地区"] == "P2" and odd.at["P2", "每点位未销号"] == 0.43


def test_by_unit():
    got = ov.by_unit(frame())
    assert got.to_dict("records") == [
        {"单位": "单位二", "逾期": 1, "未销号": 3, "ids_overdue": [2], "ids_open": [2, 3, 5]},
        {"单位": "单位一", "逾期": 1, "未销号": 2, "ids_overdue": [2], "ids_open": [2, 8]},
        {"单位": "单位三", "逾期": 0, "未销号": 0, "ids_overdue": [], "ids_open": []},
    ]


def test_by_category():
    got = ov.by_category(frame())
    assert got.to_dict("records") == [
        {"类别": "大气", "状态": "申请销号", "数量": 1, "ids": [3]},
        {"类别": "大气", "状态": "长期坚持", "数量": 1, "ids": [4]},
        {"类别": "水", "状态": "已销号", "数量": 1, "ids": [1]},
        {"类别": "水", "状态": "整改中", "数量": 1, "ids": [2]},
        {"类别": "水", "状态": "未启动", "数量": 1, "ids": [8]},
        {"类别": "生态", "状态": "未启动", "数量": 1, "ids": [5]},
    ]


def _then() -> pd.DataFrame:
    """The same tasks at the last meeting: 1 was applied for, 2 not yet overdue, 8 not yet there."""
    rows = [list(r) for r in ROWS if r[0] != 8]
    rows[0][4] = "申请销号"
    rows[1][5] = ""
    rows[2][5] = "逾期"  # 3 was overdue then and is not now: not 新逾期
    return pd.DataFrame(rows, columns=COLS)


def test_compare_and_meeting_table():
    changes = ov.compare(frame(), _then())
    assert changes == {"新销号": [1], "新逾期": [2], "新增": [8]}
    assert ov.compare(frame(), frame()) == {"新销号": [], "新逾期": [], "新增": []}
    table = ov.compare_table(frame(), changes, "units")
    assert table.to_dict("records") == [
        {"名称": "单位一", "新销号": 1, "新逾期": 1, "新增": 1, "ids_新销号": [1], "ids_新逾期": [2], "ids_新增": [8]},
        {"名称": "单位二", "新销号": 0, "新逾期": 1, "新增": 0, "ids_新销号": [], "ids_新逾期": [2], "ids_新增": []},
    ]  # 单位三 had no change: not listed
    # a task added since the meeting that is overdue already: 新增, not 新逾期 (issue 19)
    late = [list(r) for r in ROWS if r[0] == 2][0]
    late[0] = 9
    assert ov.compare(frame([*ROWS, tuple(late)]), _then()) == {"新销号": [1], "新逾期": [2], "新增": [8, 9]}
    named = ov.compare_table(frame(), changes, "unit_place_codes", {"P1": "甲县"})
    assert named["名称"].tolist() == ["甲县", "P2"]
    assert ov.compare_table(frame(), {"新销号": []}, "units").empty


def test_site_weights():
    w = ov.site_weights(frame())
    assert w.to_dict() == {"S1": 3.0, "S2": 3.0, "S3": 1.0}  # S1: 2 (overdue, twice) + 8; S2: 2 twice + 3
    assert ov.site_weights(frame(), overdue_double=False).to_dict() == {"S1": 2.0, "S2": 2.0, "S3": 1.0}


@pytest.mark.parametrize(("status", "flag", "want"), [
    ("整改中", "逾期", "逾期"), ("已销号", "逾期", "逾期"), ("申请销号", "临期", "临期"), ("已销号", "", "已销号"),
    ("长期坚持", "", "长期坚持"), ("整改中", "", "整改中"), ("未启动", None, "整改中"), ("退回", "", "整改中"),
    ("申请销号", "", "整改中"),
])
def test_bucket(status, flag, want):
    assert rollup.bucket(status, flag) == want
    assert rollup.buckets(pd.Series([status]), pd.Series([flag])).tolist() == [want]


def test_site_summary():
    got = rollup.site_summary(frame(), ["S1", "S2", "S3", "S9"])
    assert got.index.tolist() == ["S1", "S2", "S3", "S9"]
    assert got.reset_index().to_dict("records") == [
        {"id": "S1", "tasks": 3, "open": 2, "overdue": 1, "due_soon": 1, "closed": 1, "worst": "逾期"},
        {"id": "S2", "tasks": 2, "open": 2, "overdue": 1, "due_soon": 1, "closed": 0, "worst": "逾期"},
        {"id": "S3", "tasks": 1, "open": 1, "overdue": 0, "due_soon": 0, "closed": 0, "worst": "整改中"},
        {"id": "S9", "tasks": 0, "open": 0, "overdue": 0, "due_soon": 0, "closed": 0, "worst": "无任务"},
    ]  # S4 belongs only to a measure: not asked for, not counted
    one = rollup.site_summary(frame([ROWS[0], ROWS[3]]), ["S1"])
    assert one.loc["S1"].tolist() == [1, 0, 0, 0, 1, "已销号"]


def test_an_empty_frame_gives_empty_tables_with_their_columns():
    empty = frame([])
    assert ov.indicators(empty) == {"未启动": [], "整改中": [], "申请销号": [], "退回": [], "已销号": [], "长期坚持": [],
                                    "逾期": [], "临期": [], "全部": []}
    assert ov.closing_rate(empty) is None
    assert list(ov.by_document(empty).columns) == ["来源文件", "条数", "已销号", "逾期", "临期", "长期坚持", "ids"]
    assert list(ov.by_place(empty, {}, {}).columns) == ["code", "地区", "未销号", "逾期", "点位数", "每点位未销号",
                                                        "ids_open", "ids_overdue"]
    assert list(ov.by_unit(empty).columns) == ["单位", "逾期", "未销号", "ids_overdue", "ids_open"]
    assert list(ov.by_category(empty).columns) == ["类别", "状态", "数量", "ids"]
    assert list(ov.compare_table(empty, {"新销号": []}, "units").columns) == ["名称", "新销号", "ids_新销号"]
    for df in (ov.by_document(empty), ov.by_place(empty, {}, {}), ov.by_unit(empty), ov.by_category(empty)):
        assert df.empty


def test_meeting_table_puts_the_most_changes_first():
    table = ov.compare_table(frame(), {"新逾期": [1, 3, 5]}, "units")
    assert table[["名称", "新逾期"]].values.tolist() == [["单位二", 2], ["单位一", 1]]  # not name order
    units = ov.by_unit(frame([ROWS[0], ROWS[2], ROWS[4]]))  # 单位一: 0 open; 单位二: 2 open
    assert units[["单位", "未销号"]].values.tolist() == [["单位二", 2], ["单位一", 0]]


def test_site_weight_counts_a_task_without_a_flag_value():
    rows = [list(ROWS[4]), list(ROWS[1])]
    rows[0][5] = None  # 5: open, flag missing (not "")
    assert ov.site_weights(frame(rows)).to_dict() == {"S3": 1.0, "S1": 2.0, "S2": 2.0}
    assert ov.by_unit(frame(rows))[["单位", "未销号"]].values.tolist() == [["单位二", 2], ["单位一", 1]]
