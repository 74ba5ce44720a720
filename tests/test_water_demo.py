"""The demo's SAMPLE water quality: every value flagged, deterministic, one sample a month
2026-01..2026-10 for each section and surface-water source of data/demo/sites.csv, and the
designed exceedances (named factors) judged as the standard's table says."""

from __future__ import annotations

import csv

from sqlalchemy import select

from domain import water_quality as wq
from onemap import sample_water, water
from onemap import settings as app_settings
from store import models as m
from store.db import reader, transaction


def demo_water_sites() -> list[str]:
    """A plain read of the demo's site file: sections and surface-water sources."""
    with (app_settings.DEMO_DIR / "sites.csv").open(encoding="utf-8") as fh:
        return [r["编号"] for r in csv.DictReader(fh)
                if r["类型"] == "监测断面" or (r["类型"] == "饮用水水源地" and r["水源类型"] != "地下水型")]


def test_sample_series_is_flagged_and_complete(demo_dir):
    sites = demo_water_sites()
    assert len(sites) == 11  # 4 sections, 7 sources (none 地下水型)
    with reader() as s:
        rows = s.scalars(select(m.WaterSample)).all()
    assert len(rows) == len(sites) * 10 * 9  # 10 months × 9 factors (水温 … 总氮)
    assert all(r.sample for r in rows)
    assert {r.source_file for r in rows} == {"示例数据（onemap/sample_water.py 生成，非实测）"}
    assert {r.imported_by for r in rows} == {"示例数据"}
    assert {r.site_id for r in rows} == set(sites)
    assert sorted({f"{r.sampled_at:%Y-%m}" for r in rows}) == [f"2026-{i:02d}" for i in range(1, 11)]
    nd = [(r.site_id, f"{r.sampled_at:%Y-%m}", r.factor) for r in rows if r.below_detection]
    assert len(nd) == 7 * 2 and {x[2] for x in nd} == {"五日生化需氧量"}  # sources, Jan and Feb
    assert water.series("SEC-01").sample is True


def test_designed_exceedances_are_judged_by_the_table(demo_dir):
    """Targets from data/demo/sites.csv; classes from GB 3838-2002 Table 1:
    氨氮 1.24 Ⅳ (1.0<x≤1.5), 1.62 Ⅴ (1.5<x≤2.0), 1.31 Ⅳ; 总磷 0.262 Ⅳ, 0.318 Ⅴ, 0.244 Ⅳ (river);
    0.126 Ⅲ (river, target Ⅱ); 幸福水库 总磷 0.068 Ⅳ on the 湖库 limits (0.05<x≤0.1)."""
    expected = {
        ("SEC-01", "2026-03"): (4, ["氨氮"]), ("SEC-01", "2026-07"): (5, ["氨氮", "总磷"]),
        ("SEC-01", "2026-08"): (4, ["氨氮"]), ("SEC-04", "2026-06"): (4, ["总磷"]),
        ("SEC-04", "2026-09"): (5, ["总磷"]), ("SEC-04", "2026-10"): (4, ["总磷"]),
        ("SEC-03", "2026-10"): (3, ["总磷"]), ("WS-04", "2026-08"): (4, ["总磷"]),
    }
    failing = {}
    for sid in demo_water_sites():
        for month, v in water.series(sid).monthly.items():
            if not v.compliant:
                failing[(sid, month)] = (v.water_class, [e.factor for e in v.exceeding])
    assert failing == expected
    sec01 = water.series("SEC-01").monthly["2026-07"]
    assert [(e.factor, e.multiple) for e in sec01.exceeding] == [("氨氮", 0.62), ("总磷", 0.18)]
    # the latest month (October): 2 of 11 miss their target; 水质优良比例 of the 4 sections
    october = {sid: water.series(sid).monthly["2026-10"] for sid in demo_water_sites()}
    assert sorted(k for k, v in october.items() if not v.compliant) == ["SEC-03", "SEC-04"]
    sections = [october[k].water_class for k in ("SEC-01", "SEC-02", "SEC-03", "SEC-04")]
    assert wq.good_share(sections) == wq.Share(3, 4)


def test_sample_series_is_deterministic_and_keeps_real_values(demo_dir):
    std = water.standard()
    with reader() as s:
        first = sample_water.plan(s, std)
    with reader() as s:
        assert sample_water.plan(s, std) == first
    # a real measurement at a sample's key survives a regeneration
    with transaction() as s:
        w = s.scalar(select(m.WaterSample).where(m.WaterSample.site_id == "SEC-02", m.WaterSample.factor == "氨氮"))
        w.sample, w.value_text, w.value, w.source_file = False, "0.07", 0.07, "实测.xlsx"
        key = (w.sampled_at,)
    with transaction() as s:
        n = sample_water.generate(s, std)
    assert n == len(first) - 1
    with reader() as s:
        w = s.scalar(select(m.WaterSample).where(m.WaterSample.site_id == "SEC-02", m.WaterSample.factor == "氨氮",
                                                 m.WaterSample.sampled_at == key[0]))
        assert (w.sample, w.value_text, w.source_file) == (False, "0.07", "实测.xlsx")


def test_period_verdicts_in_one_read_equal_each_series(demo_dir):
    sites = demo_water_sites()
    october = water.period_verdicts(month="2026-10")
    assert sorted(october) == sorted(sites)
    assert sorted(k for k, v in october.items() if not v.verdict.compliant) == ["SEC-03", "SEC-04"]
    assert [e.factor for e in october["SEC-04"].verdict.exceeding] == ["总磷"]
    assert all(v.sample and v.months == 1 for v in october.values())
    year = water.period_verdicts(year=2026)
    assert all(v.months == 10 for v in year.values())
    for sid in sites:  # the bulk read agrees with the per-site series, month and year
        ser = water.series(sid)
        assert october[sid].verdict == ser.monthly["2026-10"]
        assert year[sid].verdict == water.annual(ser)
    assert water.period_verdicts(month="2025-12") == {}
    # 湖田桥's annual mean: 总磷 months 0.262, 0.318, 0.244 and seven near 0.12 — a plain mean
    with reader() as s:
        tp = [r.value for r in s.scalars(select(m.WaterSample).where(m.WaterSample.site_id == "SEC-04",
                                                                      m.WaterSample.factor == "总磷"))]
    assert len(tp) == 10
    mean = sum(tp) / len(tp)
    assert year["SEC-04"].verdict.factor_classes["总磷"] == (3 if 0.1 < mean <= 0.2 else 4 if 0.2 < mean <= 0.3 else 0)
