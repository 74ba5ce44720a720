"""领导总览 through the UI (AppTest): figures, drill-downs, county click, comparison."""

from __future__ import annotations

import re
from datetime import date

from domain import overview as ov
from domain import status as st
from onemap import services
from store import queries
from store.db import reader
from tests.conftest import page_test
from tests.store_counts import count


def _tasks(d: date):
    with reader() as s:
        return queries.tasks_frame(s, d)


def test_indicators_match_the_store(demo_dir):
    at = page_test("overview_view").run()
    assert not at.exception
    want = count(date.today())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["逾期"] == str(len(want.overdue))
    assert metrics["已销号"] == str(len(want.by_status[st.CLOSED]))
    assert metrics["整改中"] == str(len(want.by_status[st.IN_PROGRESS]))
    assert metrics["全部"] == str(len(want.total))
    closable = want.total - want.by_status[st.ONGOING]
    assert metrics["销号率（不含长期坚持）"] == f"{len(want.by_status[st.CLOSED]) / len(closable):.0%}"


def test_places_ranking_legend_and_note(demo_dir):
    at = page_test("overview_view").run()
    assert not at.exception
    want = count(date.today())
    region = services.active_region()
    shown = next(d.value for d in at.dataframe if "每点位未销号" in d.value.columns)
    rows = {r["地区"]: r for _, r in shown.iterrows()}
    for p in region.places.local_places():  # every county and zone, with the store's figures
        assert rows[p.name]["逾期"] == len(want.place_overdue[p.code]), p.name
        assert rows[p.name]["未销号"] == len(want.place_open[p.code]), p.name
    city = region.places.city.code
    assert rows["市直部门"]["逾期"] == len(want.place_overdue[city])
    assert list(shown["逾期"]) == sorted(shown["逾期"], reverse=True)  # ranked, worst first
    assert "None" not in shown.astype(str).to_numpy().ravel().tolist()
    assert set(shown.loc[shown["点位数"] == 0, "每点位未销号"]) == {"—"}
    summed = sum(len(v) for v in want.place_overdue.values())
    assert summed != len(want.overdue)  # the demo has tasks shared between places
    note = next(c.value for c in at.caption if "各计一次" in c.value)
    assert f"各地区逾期合计 {summed} 项，多于全市逾期总数 {len(want.overdue)} 项" in note
    legend = next(m.value for m in at.markdown if "onemap-choro-legend" in m.value)
    labels = re.findall(r'</span>([^<]+)</span>', legend)
    assert labels and all(re.fullmatch(r"\d+(–\d+)?", t) for t in labels), labels


def test_every_number_opens_its_tasks(demo_dir):
    at = page_test("overview_view").run()
    at.button(key=f"ind_{st.OVERDUE}").click().run()
    want = sorted(count(date.today()).overdue)
    assert sorted(at.session_state["drill"]["ids"]) == want
    # the ledger then lists exactly those tasks
    led = page_test("ledger_view")
    led.session_state["drill"] = at.session_state["drill"]
    led.run()
    assert not led.exception
    assert len(led.dataframe[0].value) == len(want)
    assert any("来自总览" in i.value for i in led.info)


def test_county_click_filters_the_page(demo_dir):
    at = page_test("overview_view")
    at.session_state["overview_map"] = {"last_active_drawing": {"properties": {"adcode": "360281"}}}
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_place").value == ["360281"]
    want = count(date.today())
    shown = int(next(m.value for m in at.metric if m.label == "全部"))
    assert shown == len(want.place_any["360281"]) < len(want.total)


def test_since_the_last_meeting(demo_dir):
    at = page_test("overview_view")
    at.query_params["cmp"] = "2026-10-01"
    at.run()
    assert not at.exception
    changes = ov.compare(_tasks(date.today()), _tasks(date(2026, 10, 1)))
    assert changes["新销号"], "the demo's sample history closes tasks in the weeks before its data date"
    caption = next(c.value for c in at.caption if c.value.startswith("从 2026年10月1日"))
    assert f"新销号 {len(changes['新销号'])} 项" in caption
    at.button(key="cmp_新销号").click().run()
    assert sorted(at.session_state["drill"]["ids"]) == changes["新销号"]


def test_hotspot_methods_run(demo_dir):
    at = page_test("overview_view").run()
    assert any(b.label.startswith("下载密度面 GeoTIFF") for b in at.get("download_button"))
    at.radio(key="ov_method").set_value("热点分析（Getis-Ord Gi*）").run()
    assert not at.exception
    assert any("个热点方格" in c.value for c in at.caption)
