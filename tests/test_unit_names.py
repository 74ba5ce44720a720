"""One unit written two ways (issue 19): suggested by the usual short forms, merged by the user,
and a later file that writes the other form lands on the unit kept."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from domain.units import unit_key
from onemap import services, unit_names
from store.db import reader
from tests.conftest import MANAGER_ACTOR, page_test


def _sql(q: str, **kw):
    with reader() as s:
        return s.execute(text(q), kw).all()


@pytest.mark.parametrize(("a", "b"), [("市发改委", "市发展改革委"), ("市发改委", "市发展和改革委员会"),
                                      ("市住建局", "市住房和城乡建设局"), ("浮梁县政府", "浮梁县人民政府"),
                                      ("市卫健委", "市卫生健康委员会")])
def test_usual_short_forms_give_one_key(a, b):
    assert unit_key(a) == unit_key(b)


@pytest.mark.parametrize(("a", "b"), [("市发改委", "市财政局"), ("市生态环境局", "乐平市生态环境局"), ("市住建局", "市城管局")])
def test_different_units_keep_different_keys(a, b):
    assert unit_key(a) != unit_key(b)


def _ledger(tmp_path, name: str, rows: list[dict]):
    f = tmp_path / name
    pd.DataFrame(rows).to_excel(f, index=False)
    return f


def test_suggest_merge_and_a_later_file_lands_on_the_unit_kept(data_dir, tmp_path):
    services.import_file(MANAGER_ACTOR, _ledger(tmp_path, "甲.xlsx", [
        {"编号": "1", "问题/任务": "甲", "责任单位": "市发改委"}, {"编号": "2", "问题/任务": "乙", "责任单位": "市发改委"},
        {"编号": "3", "问题/任务": "丙", "责任单位": "市发展和改革委员会、市发改委"}]), document="甲清单")
    assert unit_names.suggestions() == [("市发改委", "市发展和改革委员会", 3, 1)]
    msg = unit_names.merge(MANAGER_ACTOR, "市发改委", "市发展和改革委员会")
    assert msg == "已将“市发展和改革委员会”并入“市发改委”：1 项任务的单位改为“市发改委”，“市发展和改革委员会”记为其别称。"
    assert _sql("SELECT name FROM units") == [("市发改委",)]
    per_task = _sql("SELECT t.uid, count(*) FROM task_units tu JOIN tasks t ON t.id = tu.task_id GROUP BY t.uid ORDER BY t.uid")
    assert per_task == [("甲清单|main|1", 1), ("甲清单|main|2", 1), ("甲清单|main|3", 1)]  # no task counted twice
    assert unit_names.suggestions() == []
    services.import_file(MANAGER_ACTOR, _ledger(tmp_path, "乙.xlsx", [
        {"编号": "1", "问题/任务": "丁", "责任单位": "市发展和改革委员会"}]), document="乙清单")
    assert _sql("SELECT name FROM units") == [("市发改委",)]  # the alias is that unit
    assert _sql("SELECT count(*) FROM audit_log WHERE object_type = '单位'") == [(1,)]
    with pytest.raises(services.ServiceError, match="单位不存在：市发展和改革委员会"):
        unit_names.merge(MANAGER_ACTOR, "市发改委", "市发展和改革委员会")


def test_the_units_tab_merges_a_suggested_pair_and_says_so(data_dir, tmp_path):
    services.import_file(MANAGER_ACTOR, _ledger(tmp_path, "甲.xlsx", [
        {"编号": "1", "问题/任务": "甲", "责任单位": "市住建局"},
        {"编号": "2", "问题/任务": "乙", "责任单位": "市住房和城乡建设局"}]), document="甲清单")
    at = page_test("data_view").run()
    assert any(m.value == "#### 可能是同一单位（1 组）" for m in at.markdown)
    at.button(key="un_go").click().run()
    assert [e.value for e in at.error] == ["未合并：请选择保留的单位和要并入的单位。"]
    at.button(key="un_merge_0").click().run()
    assert not at.exception
    (msg,) = [s.value for s in at.success if s.value.startswith("已将")]
    keep, other = "市住建局", "市住房和城乡建设局"  # as many tasks each: the shorter name is kept
    assert msg == f"已将“{other}”并入“{keep}”：1 项任务的单位改为“{keep}”，“{other}”记为其别称。"
    assert _sql("SELECT name FROM units") == [(keep,)]
    assert any(m.value == "#### 可能是同一单位（0 组）" for m in at.markdown)


@pytest.mark.parametrize(("text", "expected"), [
    ("市生态环境局，各县（市、区）为各项任务责任单位", ["市生态环境局", "昌江区委、区政府", "珠山区委、区政府", "浮梁县委、县政府", "乐平市委、市政府"]),
    ("各县（市、区）政府为各项任务的责任主体", ["昌江区委、区政府", "珠山区委、区政府", "浮梁县委、县政府", "乐平市委、市政府"]),
    ("各县（市、区）生态环境局为责任单位", ["昌江区生态环境局", "珠山区生态环境局", "浮梁县生态环境局", "乐平市生态环境局"]),
])
def test_a_clause_assigning_every_county_is_not_a_unit(text, expected):
    """Issue 19: 各县（市、区）为各项任务责任单位 gave every county a unit "XX区为各项任务责任单位"."""
    from domain.units import UnitParser
    from geo.region import load_region

    assert [u.name for u in UnitParser(load_region("360200").places).parse(text)] == expected
