"""The leader's journey in a real browser (headless Chromium) against the running app:
what the pages show, compared with counts taken directly from the store by the plain loop
of tests/test_filters_property.py (SQLAlchemy reads, status replayed, flags derived there).

- 领导总览: the ranking's county with most 逾期 → its tasks in the ledger: as many as the store holds;
- choosing 高新区 (a management zone, no sites of its own) shows the zone's figures, not the city's;
- a word that matches nothing: 没有符合条件的任务 and 0 on 任务台账, 领导总览 and 一张图;
- `/ledger?q=矿山` (the keyword field's own example): exactly the tasks whose text or linked sites say 矿山."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest

from domain.filtering import Filters
from tests.browser_kit import _settled, _shot
from tests.map_frames import MAP_IFRAME
from tests.test_filters_property import Store

pytestmark = pytest.mark.browser
WAIT = 60_000
NOTHING = "没有这样的词语"
ZONE = "360200-Z01"  # 高新区

METRICS_JS = """() => Object.fromEntries([...document.querySelectorAll("[data-testid='stMetric']")].map(m => [
    m.querySelector("[data-testid='stMetricLabel']").innerText.trim(),
    m.querySelector("[data-testid='stMetricValue']").innerText.trim()]))"""


def _wait_metric(page, label: str, differs_from: str | None = None, *, with_: tuple[str, ...] = ()) -> str:
    """Wait until the metric is drawn (and, if given, no longer shows `differs_from`) together
    with the metrics `with_` beside it; its value. A rerun the page starts by itself (the URL,
    a map component) redraws the figures one by one: presence of all is the condition."""
    cond = f"(({METRICS_JS})())[{label!r}]"
    cond = f"() => {cond} !== undefined" + (f" && {cond} !== {differs_from!r}" if differs_from else "")
    page.wait_for_function(cond, timeout=WAIT)
    _settled(page)
    return _wait_metrics(page, (label, *with_))[label]


def _wait_metrics(page, labels: tuple[str, ...]) -> dict[str, str]:
    """All these metrics, read in the same instant as they were found present."""
    js = f"() => {{ const m = ({METRICS_JS})(); return {list(labels)!r}.every(k => k in m) ? m : null; }}"
    return page.wait_for_function(js, timeout=WAIT).json_value()


def _table_rows(page, has_text: str) -> list[list[str]]:
    """The cells of the st.dataframe whose header has `has_text` (read at one instant from the
    grid's accessible table), header first."""
    _settled(page)
    js = """(needle) => {
        for (const g of document.querySelectorAll("[data-testid='stDataFrame']")) {
            const rows = [...g.querySelectorAll("[role=row]")].map(r =>
                [...r.querySelectorAll("[role=columnheader],[role=gridcell]")].map(c => c.innerText.trim()));
            if (rows.length && rows[0].includes(needle)) return rows;
        }
        return null;
    }"""
    return page.wait_for_function(js, arg=has_text, timeout=WAIT).json_value()


def _ledger_count(page) -> int:
    cap = page.locator("[data-testid='stCaptionContainer']", has_text="项（截至").first
    cap.wait_for(timeout=WAIT)
    _settled(page)
    return int(cap.inner_text().split("项")[0])


def _ledger_refs(page) -> list[str]:
    rows = _table_rows(page, "问题/任务")
    col = rows[0].index("编号")
    return [r[col] for r in rows[1:]]


def _refs(store: Store, ids: set[int]) -> list[str]:
    return sorted(t["ref"] for t in store.tasks if t["id"] in ids)


def test_county_with_most_overdue_opens_its_tasks(server, page):
    store = Store()
    today = date.today()
    rows = store.top_level_on(today)
    page.goto(server + "/overview")
    _wait_metric(page, "逾期")
    ranking = _table_rows(page, "每点位未销号")
    head = ranking[0]
    places = {p: code for code, p in _place_names().items()}
    counties = [r for r in ranking[1:] if places.get(r[head.index("地区")]) != "360200"]
    # every county/zone's 逾期 in the ranking is the store's (by responsible units' places)
    for r in counties:
        code = places[r[head.index("地区")]]
        want = sum(1 for t, _, flag in rows if flag == "逾期" and code in store.unit_places[t["id"]])
        assert int(r[head.index("逾期")]) == want, r
    worst = max(counties, key=lambda r: int(r[head.index("逾期")]))
    name, code = worst[head.index("地区")], places[worst[head.index("地区")]]
    want_ids = {t["id"] for t, _, flag in rows if flag == "逾期" and code in store.unit_places[t["id"]]}
    assert want_ids, "the demo has overdue work in some county"
    _shot(page, "leader-1-overview.png")

    # open its tasks as the page offers: select the county's row in the ranking → the ledger
    grid = page.locator("[data-testid='stDataFrame']", has_text="每点位未销号").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    row_px = 35  # st.dataframe's row height (header included)
    i = ranking.index(worst)
    page.mouse.click(box["x"] + 15, box["y"] + row_px * i + row_px / 2)
    page.wait_for_url("**/ledger**", timeout=WAIT)
    page.get_by_text(f"来自总览：{name}：逾期").wait_for(timeout=WAIT)
    assert _ledger_count(page) == len(want_ids)
    assert sorted(_ledger_refs(page)) == _refs(store, want_ids)
    _shot(page, "leader-2-county-overdue-ledger.png")


def test_a_zone_shows_its_own_figures(server, page):
    store = Store()
    today = date.today()
    everything, _ = store.expected(Filters(as_of=today))
    zone_ids, _ = store.expected(Filters(places=[ZONE], as_of=today))
    overdue = {t["id"] for t, _, flag in store.top_level_on(today) if flag == "逾期"}
    assert 0 < len(zone_ids) < len(everything)
    page.goto(server + "/overview")
    city = _wait_metric(page, "全部", with_=("逾期",))
    assert city == str(len(everything))
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']", has_text="区县/管理区").click()
    page.get_by_role("option", name="高新区", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => location.search.includes('place=')", timeout=WAIT)
    shown = _wait_metric(page, "全部", differs_from=city, with_=("逾期",))
    assert shown == str(len(zone_ids))
    assert _wait_metrics(page, ("全部", "逾期"))["逾期"] == str(len(zone_ids & overdue))
    _shot(page, "leader-3-zone-overview.png")
    # the same choice on the ledger (the filter lives in the URL)
    page.goto(server + f"/ledger?place={quote(ZONE)}")
    page.get_by_text("任务台账").first.wait_for(timeout=WAIT)
    assert _ledger_count(page) == len(zone_ids)
    assert sorted(_ledger_refs(page)) == _refs(store, zone_ids)
    _shot(page, "leader-4-zone-ledger.png")


def test_a_word_that_matches_nothing_says_so(server, page):
    store = Store()
    assert store.expected(Filters(keyword=NOTHING, as_of=date.today()))[0] == set()
    page.goto(server + f"/ledger?q={quote(NOTHING)}")
    page.get_by_text("没有符合条件的任务").first.wait_for(timeout=WAIT)
    assert _ledger_count(page) == 0
    assert page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").count() == 0
    _shot(page, "leader-5-ledger-nothing.png")

    page.goto(server + f"/overview?q={quote(NOTHING)}")
    page.get_by_text("没有符合条件的任务").first.wait_for(timeout=WAIT)
    labels = ("全部", "逾期", "临期", "未启动", "整改中", "申请销号", "已销号", "长期坚持")
    _wait_metric(page, "全部", with_=labels)
    figures = _wait_metrics(page, labels)
    for label in labels:
        assert figures[label] == "0", (label, figures)
    _shot(page, "leader-6-overview-nothing.png")

    page.goto(server + f"/?q={quote(NOTHING)}")
    page.get_by_text("没有符合条件的任务").first.wait_for(timeout=WAIT)
    assert _wait_metric(page, "筛选范围内的任务", with_=("逾期", "临期", "已销号")) == "0 项"
    figures = _wait_metrics(page, ("逾期", "临期", "已销号"))
    assert {k: figures[k] for k in ("逾期", "临期", "已销号")} == {"逾期": "0", "临期": "0", "已销号": "0"}
    frame = page.frame_locator(MAP_IFRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=WAIT)
    frame.locator("text=监测断面（0）").wait_for(timeout=WAIT)  # the layer control counts no site
    assert frame.locator(".onemap-site").count() == 0
    _shot(page, "leader-7-map-nothing.png")


def test_keyword_from_the_placeholder(server, page):
    store = Store()
    want, _ = store.expected(Filters(keyword="矿山", as_of=date.today()))
    # independent of the filter code: text of the task or its measures, or a linked site's name/alias
    plain = set()
    for t, _, _ in store.top_level_on(date.today()):
        texts = [store.text(t), *(store.text(c) for c in store.children[t["id"]])]
        if any("矿山" in x for x in texts) or any(store.site_named(s, "矿山") for s in store.links[t["id"]]):
            plain.add(t["id"])
    assert want == plain and 0 < len(want) < len(store.expected(Filters(as_of=date.today()))[0])
    page.goto(server + f"/ledger?q={quote('矿山')}")
    page.get_by_text("任务台账").first.wait_for(timeout=WAIT)
    assert _ledger_count(page) == len(want)
    assert sorted(_ledger_refs(page)) == _refs(store, want)
    _shot(page, "leader-8-ledger-mines.png")


def _place_names() -> dict[str, str]:
    from geo.region import load_region

    places = load_region("360200").places
    # the ranking names the city's own units' row 市直部门 (the city is the whole, not a row of it)
    return {p.code: ("市直部门" if p is places.city else p.name) for p in places.all()}
