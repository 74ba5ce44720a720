"""Per-place figures (domain.overview.by_place) against a plain loop over the store."""

from datetime import date

from domain import overview as ov
from onemap import services
from store import queries
from store.db import reader
from tests.store_counts import count

AS_OF = date(2026, 11, 23)


def test_by_place_equals_a_loop_over_the_store(demo_dir):
    with reader() as s:
        tasks = queries.tasks_frame(s, AS_OF)
    places = services.active_region().places
    local = [p.code for p in places.local_places()]
    table = ov.by_place(tasks, {p.code: p.name for p in places.all()}, {}, local).set_index("code")
    want = count(AS_OF)
    # every county and zone is listed, with or without tasks
    assert set(local) <= set(table.index)
    codes = set(want.place_overdue) | set(want.place_open) | set(local)
    assert set(table.index) == codes
    for code in codes:
        assert table.at[code, "逾期"] == len(want.place_overdue[code]), code
        assert sorted(table.at[code, "ids_overdue"]) == sorted(want.place_overdue[code]), code
        assert table.at[code, "未销号"] == len(want.place_open[code]), code
    # the demo's known shape: 7 overdue tasks city-wide, shared between places
    assert len(want.overdue) == 7
    summed = sum(len(v) for v in want.place_overdue.values())
    assert summed > len(want.overdue)
    note = ov.multi_place_note(tasks, table.reset_index())
    assert f"合计 {summed} 项" in note and f"总数 {len(want.overdue)} 项" in note
    assert f"{want.shared_overdue} 项逾期任务由多个地区共同负责" in note


def test_a_place_without_tasks_is_ranked_with_zero():
    import pandas as pd

    tasks = pd.DataFrame({"id": [1, 2], "parent_id": [None, None], "archived": [False, False],
                          "status": ["整改中", "已销号"], "flag": ["逾期", ""],
                          "unit_place_codes": [["A", "B"], ["A"]]})
    t = ov.by_place(tasks, {"A": "甲", "B": "乙", "C": "丙"}, {"A": 2}, ["A", "B", "C"])
    assert list(t["地区"]) == ["甲", "乙", "丙"]
    assert list(t["逾期"]) == [1, 1, 0] and list(t["未销号"]) == [1, 1, 0]
    assert list(t["每点位未销号"].isna()) == [False, True, True] and t.at[0, "每点位未销号"] == 0.5
    assert ov.multi_place_note(tasks, t) == ("按责任单位所属地区统计：一项任务有多个责任单位、分属不同地区时，在每个地区各计一次"
                                             "（全市有 1 项逾期任务由多个地区共同负责），所以各地区逾期合计 2 项，多于全市逾期总数 1 项。")
