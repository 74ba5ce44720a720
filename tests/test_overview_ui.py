"""领导总览 through the UI (AppTest): figures, drill-downs, county click, comparison."""

from __future__ import annotations

from datetime import date

from domain import overview as ov
from domain import status as st
from store import queries
from store.db import reader
from tests.conftest import page_test


def _tasks(d: date):
    with reader() as s:
        return queries.tasks_frame(s, d)


def test_indicators_match_the_store(demo_dir):
    at = page_test("overview_view").run()
    assert not at.exception
    want = ov.indicators(_tasks(date.today()))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["逾期"] == str(len(want[st.OVERDUE]))
    assert metrics["已销号"] == str(len(want[st.CLOSED]))
    assert metrics["全部问题/任务"] == str(len(want["全部"]))
    assert metrics["销号率（不含长期坚持）"].endswith("%")


def test_every_number_opens_its_tasks(demo_dir):
    at = page_test("overview_view").run()
    at.button(key=f"ind_{st.OVERDUE}").click().run()
    want = sorted(ov.indicators(_tasks(date.today()))[st.OVERDUE])
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
    all_n = len(ov.indicators(_tasks(date.today()))["全部"])
    assert int(next(m.value for m in at.metric if m.label == "全部问题/任务")) < all_n


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
