"""领导总览 › 断面水质 (AppTest on the demo): 优良比例 and 达标率 for the month and the year to
date, the non-compliant sites with their factor and 倍数 and open tasks, the flag where none
answers one, and the county filter — against tests/water_truth.py and tests/truth.py."""

from __future__ import annotations

from datetime import datetime

from domain import water_quality as wq
from store import water as store
from store.db import transaction
from tests import truth, water_truth
from tests.conftest import page_test
from tests.truth import _rows

OCT = "2026-10"


def _pct(part: int, total: int) -> str:
    if not total:
        return "—"
    return f"{round(100 * part / total, 1):.1f}%（{part}/{total}）"


def _expected(verdicts: dict, ids: set[str]) -> dict[str, str]:
    sites = water_truth.water_sites()
    sec = [v for sid, v in verdicts.items() if sid in ids and sites[sid]["kind"] == "监测断面"]
    src = [v for sid, v in verdicts.items() if sid in ids and sites[sid]["kind"] == "饮用水水源地"]
    return {"断面水质优良比例（Ⅰ–Ⅲ类）": _pct(sum(v["class"] <= 3 for v in sec), len(sec)),
            "断面达标率": _pct(sum(v["compliant"] for v in sec), len(sec)),
            "水源地达标率": _pct(sum(v["compliant"] for v in src), len(src))}


def _section(at) -> tuple[dict[str, str], list[str]]:
    metrics = {m.label.split("·")[0]: m.value for m in at.metric if "·" in m.label}
    years = [c.value.removeprefix("2026年累计：") for c in at.caption if c.value.startswith("2026年累计：")]
    return metrics, years


def test_figures_and_non_compliant_sites_of_the_month(demo_dir):
    at = page_test("overview_view").run()
    assert not at.exception
    assert at.selectbox(key="ov_wq_month").value == OCT
    ids = set(water_truth.water_sites())
    metrics, years = _section(at)
    assert metrics == _expected(water_truth.month_verdicts(OCT), ids)
    assert years == list(_expected(water_truth.year_verdicts(2026, OCT), ids).values())
    assert metrics["断面达标率"] == "50.0%（2/4）"  # 湖田桥 and 浮梁罗家村 missed in October
    shown = next(d.value for d in at.dataframe if "超标因子（倍数）" in d.value.columns)
    month = water_truth.month_verdicts(OCT)
    bad = {sid: v for sid, v in month.items() if v["compliant"] is False}
    assert sorted(shown["点位"]) == sorted(v["name"] for v in bad.values())
    tasks = truth.top_tasks()
    for sid, v in bad.items():
        row = shown[shown["点位"] == v["name"]].iloc[0]
        (factor, mult), = v["exceeding"].items()
        assert row["超标因子（倍数）"].startswith(f"{factor}（") and f"超标 {mult:.2f} 倍" in row["超标因子（倍数）"]
        refs = {t_id for t_id, t in tasks.items() if sid in t["site_ids"] and t["status"] != "已销号"}
        titles = {r["id"]: r["ref"] for r in _rows("SELECT id, ref FROM tasks")}
        assert refs and all(titles[i] in row["未销号的关联任务"] for i in refs)
    assert not at.error  # each has an open task


def test_a_non_compliant_source_without_tasks_is_flagged(demo_dir):
    with transaction() as s:
        rec = wq.SampleValue("WS-07", datetime(2026, 10, 20, 9), "氨氮", "1.9", 1.9, False, None, "mg/L")
        store.write(s, store.preview(s, [rec]), source_file="test.csv", imported_by="测试")
    at = page_test("overview_view").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["乐平市高家镇水源地：2026年10月不达标，但没有未销号的关联整改任务。"]
    shown = next(d.value for d in at.dataframe if "超标因子（倍数）" in d.value.columns)
    assert shown.set_index("点位").loc["乐平市高家镇水源地", "未销号的关联任务"] == "⚠ 无未销号的关联整改任务"
    metrics, _ = _section(at)
    assert metrics == _expected(water_truth.month_verdicts(OCT), set(water_truth.water_sites()))


def test_an_earlier_month_and_the_county_filter(demo_dir):
    county = {r["id"]: r["county_code"] for r in _rows("SELECT id, county_code FROM sites")}
    code = county["SEC-01"]
    at = page_test("overview_view")
    at.query_params["place"] = code
    at.run()
    at.selectbox(key="ov_wq_month").set_value("2026-07").run()
    assert not at.exception
    ids = {sid for sid in water_truth.water_sites() if county[sid] == code}
    assert 0 < len(ids) < len(water_truth.water_sites())
    metrics, years = _section(at)
    assert metrics == _expected(water_truth.month_verdicts("2026-07"), ids)
    assert years == list(_expected(water_truth.year_verdicts(2026, "2026-07"), ids).values())


def test_each_share_is_read_against_the_work_points_own_target(demo_dir):
    """Issue 15: the shares are judged against the plan's targets. The demo's 2026 work points set
    水源地达标率 "达 100%" and the 优良比例 by the province's target (no figure): the first is
    compared, the second quoted. Figures from tests/water_truth.py."""
    at = page_test("overview_view").run()
    ids = set(water_truth.water_sites())
    src = _expected(water_truth.month_verdicts(OCT), ids)["水源地达标率"]
    met = "已达到" if src.startswith("100.0%") else "未达到"
    doc = "2026年全市生态环境系统工作要点"
    goals = [c.value for c in at.caption if c.value.startswith("目标")]
    assert goals == [f"目标：全市地表水断面水质优良水体比例完成省下达考核目标，昌江、乐安河干流断面水质稳定保持Ⅱ类（《{doc}》）",
                     f"目标 ≥100%：{met}（《{doc}》：县级及以上集中式饮用水水源地水质达标率达 100%）"]


def test_plan_targets_read_the_clause_that_sets_each_share():
    import pandas as pd

    from onemap.water import plan_targets

    frame = pd.DataFrame([{"document_title": "甲", "body": "水环境方面。国考断面水质优良比例达到 95.5%以上；劣Ⅴ类水体全面消除。"},
                          {"document_title": "乙", "body": "空气质量方面。PM2.5 浓度下降 5%。饮用水水源地水质达标率保持 100%。"}])
    got = plan_targets(frame)
    assert {k: (v.text, v.percent, v.document) for k, v in got.items()} == {
        "断面水质优良比例（Ⅰ–Ⅲ类）": ("国考断面水质优良比例达到 95.5%以上", 95.5, "甲"),
        "水源地达标率": ("饮用水水源地水质达标率保持 100%", 100.0, "乙")}
    assert got["断面水质优良比例（Ⅰ–Ⅲ类）"].verdict(wq.Share(9, 10)).startswith("目标 ≥95.5%：未达到")


def test_the_geopackage_carries_the_evaluated_series_and_still_restores(demo_dir, tmp_path):
    """Issue 15: the evaluated series in the GeoPackage (one row per site and month, as the XLSX
    sheet), counted here from the raw values; the file still restores (the layer is left)."""
    from datetime import date

    import pyogrio

    from onemap import services
    from tests.conftest import MANAGER_ACTOR

    path = services.export(MANAGER_ACTOR, tmp_path / "全部.gpkg")
    frame = pyogrio.read_dataframe(path, layer="water_evaluated")
    today = date.today().isoformat()[:7]
    pairs = {(r["site_id"], str(r["sampled_at"])[:7]) for r in _rows("SELECT site_id, sampled_at FROM water_samples")
             if str(r["sampled_at"])[:7] <= today}
    assert len(frame) == len(pairs)
    assert set(frame["点位编号"]) == {sid for sid, _m in pairs}
    before = {t: _rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in ("tasks", "sites", "water_samples")}
    services.import_file(MANAGER_ACTOR, path, replace=True)
    assert {t: _rows(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in before} == before
