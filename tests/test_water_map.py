"""一张图 in a 水质 colour mode (AppTest on the demo): the legend's counts per class and per 达标
for a known month, the choice kept in the URL, the default month, the symbols' colours in the
map layers, and the site panel (the month's values, 超标因子 and 倍数, the unanswered
non-compliance) — every figure against tests/water_truth.py (plain SQL, limits typed in)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from domain import water_quality as wq
from layers.water_style import CLASS_BINS, COMPLIANCE_BINS
from store import water as store
from store.db import transaction
from tests import truth, water_truth
from tests.conftest import app_test

OCT = "2026-10"


def _legend(at) -> str:
    return next(m.value for m in at.markdown if 'data-testid="wq-legend"' in m.value)


def _counts(legend: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(r"</span>([^<（]+)（(\d+)）</span>", legend)}


def _expected_class_counts(month: str) -> dict[str, int]:
    truth, sites = water_truth.month_verdicts(month), water_truth.water_sites()
    out = dict.fromkeys([b[0] for b in CLASS_BINS], 0)
    for sid in sites:
        c = truth.get(sid, {}).get("class")
        out["无数据" if c is None else "Ⅰ–Ⅱ类" if c <= 2 else water_truth.LABELS[c]] += 1
    return out


def _expected_compliance_counts(month: str) -> dict[str, int]:
    truth, sites = water_truth.month_verdicts(month), water_truth.water_sites()
    out = dict.fromkeys([b[0] for b in COMPLIANCE_BINS], 0)
    for sid in sites:
        ok = truth.get(sid, {}).get("compliant")
        out["无数据" if ok is None else "达标" if ok else "不达标"] += 1
    return out


def test_class_mode_counts_a_known_month_and_keeps_it_in_the_url(demo_dir):
    at = app_test(color="wq", wqm="2026-07").run()
    assert not at.exception
    assert at.radio(key="map_color").value == "wq" and at.selectbox(key="map_wq_month").value == "2026-07"
    legend = _legend(at)
    assert "水质类别（2026年7月" in legend
    expected = _expected_class_counts("2026-07")
    assert expected["Ⅴ类"] == 1  # 南河河口: 氨氮 1.62 (the demo's designed exceedance)
    assert _counts(legend) == expected
    assert any("水质监测值为**示例数据**" in w.value for w in at.warning)
    at.radio(key="map_color").set_value("wqok").run()
    assert at.query_params["color"] in ("wqok", ["wqok"]) and at.query_params["wqm"] in ("2026-07", ["2026-07"])
    assert _counts(_legend(at)) == _expected_compliance_counts("2026-07")
    at.radio(key="map_color").set_value("").run()
    assert "color" not in at.query_params and "wqm" not in at.query_params
    assert not any('data-testid="wq-legend"' in m.value for m in at.markdown)


def test_default_month_is_the_latest_at_or_before_the_as_of_date(demo_dir):
    at = app_test(color="wqok").run()
    assert at.selectbox(key="map_wq_month").value == OCT  # today is after the demo's last month
    expected = _expected_compliance_counts(OCT)
    assert expected["不达标"] == 2  # 湖田桥 总磷 Ⅳ (target Ⅲ), 浮梁罗家村 总磷 Ⅲ (target Ⅱ)
    assert _counts(_legend(at)) == expected
    at = app_test(color="wqok", asof="2026-08-15").run()
    assert at.selectbox(key="map_wq_month").value == "2026-08"
    assert at.selectbox(key="map_wq_month").options == [f"2026年{m}月" for m in range(1, 9)]
    assert _counts(_legend(at)) == _expected_compliance_counts("2026-08")


def _layer_colours(at_month: str, mode: str) -> dict[str, str]:
    """The fill each site gets in the map layers built for the month (from the page's own path)."""
    import folium

    from layers.sites import page_layers, prepare_geometry
    from layers.water_style import colouring
    from onemap import water
    from store import queries
    from store.db import reader
    from ui.views.map_view import site_layers

    with reader() as s:
        sites = queries.sites_frame(s)
    prepared = prepare_geometry(sites, {})
    col = colouring(mode, {k: v.verdict for k, v in water.period_verdicts(month=at_month).items()})
    layers = site_layers(prepared, list(sites["id"]), None, colouring=col)
    out = {}
    m = folium.Map()
    for g in layers.groups:
        g.add_to(m)
    page = m.get_root().render()
    for cs, rows in page_layers(page):  # decoded as the browser decodes them
        for r in rows:
            out[r[0]] = cs[r[5]]
    return out


def test_layers_colour_water_sites_by_the_verdict_and_fade_the_rest(demo_dir):
    truth, sites = water_truth.month_verdicts(OCT), water_truth.water_sites()
    colours = _layer_colours(OCT, "wqok")
    comp = dict(COMPLIANCE_BINS)
    for sid in sites:
        ok = truth.get(sid, {}).get("compliant")
        assert colours[sid] == comp["无数据" if ok is None else "达标" if ok else "不达标"], sid
    assert {c for sid, c in colours.items() if sid not in sites} == {"#D9D9D9"}  # parks, mines: faded
    assert sum(c == comp["不达标"] for c in colours.values()) == 2
    klass = dict(CLASS_BINS)
    colours = _layer_colours(OCT, "wq")
    for sid in sites:
        c = truth.get(sid, {}).get("class")
        assert colours[sid] == klass["无数据" if c is None else "Ⅰ–Ⅱ类" if c <= 2 else water_truth.LABELS[c]], sid


def _panel(site_id: str, **query):
    at = app_test(**query)
    at.session_state["site_id"] = site_id
    return at.run()


def test_site_panel_reads_the_months_values_factor_and_multiple(demo_dir):
    truth = water_truth.month_verdicts(OCT)["SEC-04"]  # 湖田桥, target Ⅲ
    assert truth["exceeding"] == {"总磷": 0.22}  # (0.244 − 0.2) / 0.2
    at = _panel("SEC-04", color="wq")
    assert not at.exception
    md = [m.value for m in at.markdown]
    assert f"**2026年10月：{water_truth.LABELS[truth['class']]}（目标Ⅲ类，不达标）**" in md
    assert "超标因子：**总磷（Ⅳ类，超标 0.22 倍）**" in md
    values = at.dataframe[0].value.set_index("因子")
    assert values.loc["总磷", "监测值"] == "0.244 mg/L" and values.loc["总磷", "超标倍数"] == "0.22"
    assert values.loc["氨氮", "监测值"] == f"{truth['values']['氨氮']:g} mg/L" and values.loc["氨氮", "超标倍数"] == ""
    assert values.loc["总磷", "类别"] == "Ⅳ类" and values.loc["总氮", "类别"] == "不评价"  # rivers: 总氮 not in the class
    ytd = [v for v in md if v.startswith("2026年年均值（10 个月）：")]
    assert len(ytd) == 1
    # the section is linked to an open task (2026年工作要点第5项): no flag
    assert not any("没有关联的整改任务" in e.value for e in at.error)


def _add_october_ammonia(site_id: str) -> None:
    """A second October sample with 氨氮 1.9 mg/L (the month's mean then exceeds Ⅲ类)."""
    with transaction() as s:
        rec = wq.SampleValue(site_id, datetime(2026, 10, 20, 9), "氨氮", "1.9", 1.9, False, None, "mg/L")
        store.write(s, store.preview(s, [rec]), source_file="test.csv", imported_by="测试")


def test_site_panel_flags_a_non_compliant_source_without_tasks(demo_dir):
    _add_october_ammonia("WS-07")  # 乐平市高家镇水源地: no task names it
    assert not any("WS-07" in t["site_ids"] for t in truth.top_tasks().values())
    wt = water_truth.month_verdicts(OCT)["WS-07"]
    assert wt["compliant"] is False and set(wt["exceeding"]) == {"氨氮"}
    at = _panel("WS-07", color="wqok")
    assert not at.exception
    assert [e.value for e in at.error] == ["该水源地本月不达标，但没有关联的整改任务。（2026年10月）"]
    label = water_truth.LABELS[water_truth.factor_class("氨氮", wt["values"]["氨氮"], False)]
    assert f"超标因子：**氨氮（{label}，超标 {wt['exceeding']['氨氮']:.2f} 倍）**" in [m.value for m in at.markdown]
    assert _counts(_legend(at))["不达标"] == 3
    assert "相关任务（0 项）" in "".join(m.value for m in at.markdown)


def test_a_non_compliant_section_with_an_open_task_is_not_flagged(demo_dir):
    _add_october_ammonia("SEC-02")  # 关山村: 省督察整改清单（十六） concerns it, still open
    assert water_truth.month_verdicts(OCT)["SEC-02"]["compliant"] is False
    at = _panel("SEC-02", color="wqok")
    assert not at.exception
    assert "**2026年10月：Ⅳ类（目标Ⅱ类，不达标）**" in [m.value for m in at.markdown]
    assert not any("没有关联的整改任务" in e.value for e in at.error)


@pytest.mark.parametrize("site", ["MIN-01"])
def test_other_kinds_have_no_water_panel(demo_dir, site):
    at = _panel(site, color="wq")
    assert not at.exception
    assert not any("水质（GB 3838-2002" in m.value for m in at.markdown)
