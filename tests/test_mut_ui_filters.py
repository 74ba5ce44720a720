"""ui/filters.py, the shared sidebar filters, in AppTest without the store (issue 18:
mutation survivors). A small script draws the filters for a hand-built task frame; the
URL it reads, the options it offers, the Filters it returns and the URL it writes back are
compared with values written out by hand."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
from streamlit.testing.v1 import AppTest

from domain.filtering import Filters
from geo.region import load_region
from onemap import settings
from ui.filters import KEYWORD_HELP, NO_MATCH, View

STATUSES = ["未启动", "整改中", "申请销号", "已销号", "退回", "长期坚持"]
KINDS = [k["name"] for k in json.loads((settings.REPO_ROOT / "data/config/site_kinds.json").read_text("utf-8"))["kinds"]]


def _script(with_tasks: bool):
    import pandas as pd
    import streamlit as st

    from geo.region import load_region
    from ui.filters import no_match_notice, sidebar_filters

    tasks = None
    if with_tasks:
        tasks = pd.DataFrame([
            {"id": 1, "parent_id": None, "units": ["市生态环境局", "乐平市政府"], "document": "督察清单", "category": "水"},
            {"id": 2, "parent_id": None, "units": ["市公安局"], "document": "工作要点", "category": ""},
            {"id": 3, "parent_id": None, "units": [], "document": None, "category": "大气"},
            # a measure: its unit, document and category are not offered (only top-level tasks are)
            {"id": 11, "parent_id": 1, "units": ["市住建局"], "document": "措施文件", "category": "固废"},
        ])
    f = sidebar_filters(load_region("360200"), tasks)
    st.session_state["got"] = f
    st.session_state["empty"] = no_match_notice(pd.DataFrame({"id": []}))
    st.session_state["some"] = no_match_notice(pd.DataFrame({"id": [1]}))


def _run(with_tasks: bool = True, **query) -> AppTest:
    at = AppTest.from_function(_script, args=(with_tasks,), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _options(at, key: str) -> list[str]:
    return list(at.multiselect(key=key).proto.options)


def test_url_gives_the_filters_and_the_url_keeps_them():
    at = _run(place="360281,360200-Z01", kind="矿山修复点", status="整改中,退回", flag="逾期,逾期",
              unit="市公安局", doc="督察清单", cat="水,,大气", q="  南河 矿山 ", asof="2026-10-01")
    assert not at.exception
    assert at.session_state["got"] == Filters(
        places=["360281", "360200-Z01"], kinds=["矿山修复点"], statuses=["整改中", "退回"], flags=["逾期"],
        units=["市公安局"], documents=["督察清单"], categories=["水", "大气"], keyword="南河 矿山",
        as_of=date(2026, 10, 1))
    assert at.multiselect(key="f_flag").value == ["逾期"]  # a value twice in the link is chosen once
    assert at.date_input(key="f_asof").value == date(2026, 10, 1)
    assert any(c.value == "显示 2026年10月1日 的状态" for c in at.sidebar.caption)
    # written back as read (the doubled flag and the empty category once), keyword without the spaces
    assert dict(at.query_params) == {
        "place": "360281,360200-Z01", "kind": "矿山修复点", "status": "整改中,退回", "flag": "逾期",
        "unit": "市公安局", "doc": "督察清单", "cat": "水,大气", "q": "南河 矿山", "asof": "2026-10-01"}


def test_no_url_means_no_filter_and_today():
    at = _run()
    assert not at.exception
    assert at.session_state["got"] == Filters(as_of=date.today())
    assert dict(at.query_params) == {}  # today's date is not written into the link
    assert not at.sidebar.button  # 清除筛选 only when a task filter is set
    assert any(c.value.startswith("显示 ") and c.value.endswith(" 的状态") for c in at.sidebar.caption)


def test_a_date_that_is_not_a_date_reads_as_today():
    at = _run(asof="2026-13-45")
    assert not at.exception
    assert at.session_state["got"].as_of == date.today()
    assert "asof" not in at.query_params


def test_options_labels_and_placeholders():
    at = _run(unit="不存在的单位")
    assert _options(at, "f_unit") == ["乐平市政府", "市公安局", "市生态环境局", "不存在的单位"]  # the stale choice kept
    assert _options(at, "f_doc") == ["工作要点", "督察清单"]
    assert _options(at, "f_cat") == ["大气", "水"]
    assert _options(at, "f_status") == STATUSES
    assert _options(at, "f_flag") == ["逾期", "临期"]
    assert _options(at, "f_kind") == KINDS
    region = load_region("360200")
    # counties, then management zones, each shown by its name (a stale code by itself)
    assert _options(at, "f_place") == [p.name for p in (*region.places.counties, *region.places.zones)]
    assert {"乐平市", "高新区"} <= set(_options(at, "f_place"))
    assert _options(_run(place="999"), "f_place")[-1] == "999"
    labels = {k: (at.multiselect(key=k).label, at.multiselect(key=k).placeholder) for k in
              ("f_place", "f_kind", "f_flag", "f_status", "f_unit", "f_doc", "f_cat")}
    assert labels == {"f_place": ("区县/管理区", "全部"), "f_kind": ("点位类型", "全部"), "f_flag": ("逾期/临期", "不限"),
                      "f_status": ("任务状态", "全部"), "f_unit": ("责任单位", "全部"), "f_doc": ("来源文件", "全部"),
                      "f_cat": ("类别", "全部")}
    q = at.text_input(key="f_q")
    assert (q.label, q.placeholder, q.help) == ("关键词（点位或任务）", "如 矿山、水源地、乐平市", KEYWORD_HELP)  # the region's last county (景德镇: 乐平市)
    assert KEYWORD_HELP.startswith("在任务的标题、内容、编号、目标、责任单位及其整改措施中查找")


def test_without_a_task_table_only_the_linked_choices_are_offered():
    at = _run(with_tasks=False, unit="市公安局")
    assert not at.exception
    assert _options(at, "f_unit") == ["市公安局"] and _options(at, "f_doc") == [] and _options(at, "f_cat") == []


def test_choosing_writes_the_url_and_clearing_empties_it():
    at = _run(q="南河")
    at.multiselect(key="f_status").select("整改中").run()
    at.text_input(key="f_q").input("  矿山 ").run()
    assert at.session_state["got"] == Filters(statuses=["整改中"], keyword="矿山", as_of=date.today())
    assert dict(at.query_params) == {"status": "整改中", "q": "矿山"}
    assert [b.label for b in at.sidebar.button] == ["清除筛选"]
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert at.session_state["got"] == Filters(as_of=date.today())
    assert dict(at.query_params) == {}
    assert at.text_input(key="f_q").value == "" and at.multiselect(key="f_status").value == []
    assert not at.sidebar.button


def test_no_match_notice():
    at = _run()
    assert at.session_state["empty"] is True and at.session_state["some"] is False
    assert [i.value for i in at.info] == [f"{NO_MATCH}。可放宽左侧筛选，或点击“清除筛选”。"]


def test_view_site_names():
    sites = pd.DataFrame({"id": ["S1", "S2"], "name": ["南河河口", "宝山煤矿"]})
    v = View(Filters(), pd.DataFrame(), sites, pd.DataFrame(), {})
    assert v.site_names == {"S1": "南河河口", "S2": "宝山煤矿"}


def test_page_options_come_from_the_tasks_of_the_chosen_date(demo_dir):
    """current_view builds the unit/document/category choices from the tasks of the date the
    sidebar shows (a plain loop over the store gives them): the 2026 work points are offered
    today, not on 2024-06-01, before they were issued."""
    from tests.conftest import page_test
    from tests.test_filters_property import Store

    store = Store()
    today = date.today()
    for day in (today, date(2024, 6, 1)):
        top = [t for t, _st, _flag in store.top_level_on(day)]
        want_docs = sorted({store.doc_name[t["document_id"]] for t in top} - {None, ""})
        want_units = sorted({u for t in top for u in store.units[t["id"]]} - {""})
        want_cats = sorted({t["category"] for t in top} - {None, ""})
        at = page_test("ledger_view")
        if day != today:
            at.query_params["asof"] = day.isoformat()
        at.run()
        at.run()  # the first run of a link builds the choices from today's tasks (the date is read with them)
        assert not at.exception
        assert _options(at, "f_doc") == want_docs, day
        assert _options(at, "f_unit") == want_units, day
        assert _options(at, "f_cat") == want_cats, day
        assert ("2026年工作要点" in want_docs) == (day == today)
