"""The shared filters through the pages (AppTest): what the URL asks for narrows what the
page shows, to exactly the store's count (plain loop of tests/test_filters_property.py),
and an empty result says so with every figure at 0."""

from __future__ import annotations

from datetime import date

from domain.filtering import Filters
from tests.conftest import page_test
from tests.test_filters_property import Store
from ui.filters import NO_MATCH

ZONE = "360200-Z01"  # 高新区


def _page(view: str, **query):
    at = page_test(view)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _ledger_count(at) -> int:
    cap = next(c.value for c in at.caption if "项（截至" in c.value)
    return int(cap.split("项")[0])


def _says_nothing_matches(at) -> bool:
    return any(NO_MATCH in i.value for i in at.info)


def test_ledger_keyword_and_zone_match_the_store(demo_dir):
    store = Store()
    today = date.today()
    for query, f in (({"q": "矿山"}, Filters(keyword="矿山", as_of=today)),
                     ({"q": "净土"}, Filters(keyword="净土", as_of=today)),
                     ({"place": ZONE}, Filters(places=[ZONE], as_of=today)),
                     ({"place": "360200-Z02", "flag": "逾期"}, Filters(places=["360200-Z02"], flags=["逾期"], as_of=today))):
        want, _ = store.expected(f)
        at = _page("ledger_view", **query)
        assert not at.exception
        assert _ledger_count(at) == len(want), query
        assert len(at.dataframe[0].value) == len(want)
        assert set(at.dataframe[0].value["编号"]) == {t["ref"] for t in store.tasks if t["id"] in want}


def test_ledger_says_when_nothing_matches(demo_dir):
    at = _page("ledger_view", q="没有这样的词语")
    assert not at.exception
    assert _ledger_count(at) == 0
    assert _says_nothing_matches(at)
    assert len(at.dataframe) == 0  # no empty table, no export of nothing


def test_a_choice_without_options_stays_chosen(demo_dir):
    """A unit no task names, or a document with no task on the chosen date, narrows to
    nothing — it is not silently dropped (which would show every task)."""
    at = _page("ledger_view", unit="不存在的单位")
    assert at.multiselect(key="f_unit").value == ["不存在的单位"]
    assert _ledger_count(at) == 0 and _says_nothing_matches(at)

    store = Store()
    day = date(2024, 6, 1)
    want, _ = store.expected(Filters(documents=["2026年工作要点"], as_of=day))
    assert want == set()  # the work points were issued in 2026
    at = _page("ledger_view", doc="2026年工作要点", asof=day.isoformat())
    at.run()  # the second run builds the options from the tasks of that date
    assert not at.exception
    assert at.multiselect(key="f_doc").value == ["2026年工作要点"]
    assert _ledger_count(at) == 0 and _says_nothing_matches(at)


def test_overview_figures_of_a_zone(demo_dir):
    store = Store()
    today = date.today()
    want, _ = store.expected(Filters(places=[ZONE], as_of=today))
    states = {t["id"]: (st, flag) for t, st, flag in store.top_level_on(today)}
    at = _page("overview_view", place=ZONE)
    assert not at.exception
    figures = {m.label: m.value for m in at.metric}
    assert figures["全部"] == str(len(want))
    assert figures["逾期"] == str(sum(states[i][1] == "逾期" for i in want))
    assert figures["已销号"] == str(sum(states[i][0] == "已销号" for i in want))
    assert figures["整改中"] == str(sum(states[i][0] == "整改中" for i in want))
    assert not _says_nothing_matches(at)


def test_overview_and_map_show_zero_when_nothing_matches(demo_dir):
    at = _page("overview_view", q="没有这样的词语")
    assert not at.exception and _says_nothing_matches(at)
    figures = {m.label: m.value for m in at.metric}
    water = {k: v for k, v in figures.items() if "·" in k}  # 断面水质: no section or source in scope
    assert sorted(k.split("·")[0] for k in water) == ["断面水质优良比例（Ⅰ–Ⅲ类）", "断面达标率", "水源地达标率"]
    assert set(water.values()) == {"—"}
    assert {k: v for k, v in figures.items() if k != "销号率（不含长期坚持）" and k not in water} == {
        "全部": "0", "逾期": "0", "临期": "0", "未启动": "0", "整改中": "0", "申请销号": "0",
        "退回": "0", "已销号": "0", "长期坚持": "0"}
    assert figures["销号率（不含长期坚持）"] == "—"

    at = _page("map_view", q="没有这样的词语")
    assert not at.exception and _says_nothing_matches(at)
    assert {m.label: m.value for m in at.metric} == {"筛选范围内的任务": "0 项", "逾期": "0", "临期": "0", "已销号": "0"}
