"""The meeting journey in a real browser: a projector at 1280×720 (the commonest meeting-room
size) and at 1920×1080. Start the default meeting from the sidebar, step through it with the
presenter's PageDown and the 下一页 button, and at every view check what the back of the room
sees: nothing cut short, every text and table cell at least 20 px, the map filling at least
60 % of the screen, no button that does nothing in this mode — and the figures equal to counts
taken straight from the store with plain SQL and loops (never the code the pages call).

Screenshots of every view at both sizes go to var/screenshots/meeting_*.png."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime, time

import pytest
from sqlalchemy import create_engine, text

from onemap import settings
from tests.browser_kit import _settled, _shot
from tests.map_frames import MAP_IFRAME

pytestmark = pytest.mark.browser

VIEWPORTS = [(1280, 720), (1920, 1080)]
SEQUENCE = [("全市总览", "map"), ("各区县情况", "overview"), ("逾期问题清单", "ledger"), ("重点区域", "map")]
PLAYER = {"上一页", "下一页", "退出演示"}
PLAY = f"播放会议顺序（{len(SEQUENCE)} 页）"  # on a page not played from the sequence, once one is saved
MIN_PX = 20
_REGION = json.loads((settings.REPO_ROOT / "data/regions/360200/region.json").read_text("utf-8"))
REGION_PLACES = {c["name"] for c in _REGION["counties"]} | {z["name"] for z in _REGION["zones"]}  # labelled on the map
CLOSED, ONGOING = "已销号", "长期坚持"
OPEN = {"未启动", "整改中", "申请销号", "退回"}


# ---------------------------------------------------------------- the store, counted by hand
def _day(v) -> date | None:
    return None if v is None else date.fromisoformat(str(v)[:10])


def _moment(v) -> datetime:
    return v if isinstance(v, datetime) else datetime.fromisoformat(str(v))


def store_figures(today: date, due_soon_days: int = 30) -> dict:
    """Top-level tasks of today and their state, replayed from the status events by a loop."""
    end = datetime.combine(today, time.max)
    engine = create_engine(settings.database_url())
    with engine.connect() as c:
        rows = c.execute(text("SELECT id, ref, deadline, ongoing, archived, created_at FROM tasks "
                              "WHERE parent_id IS NULL")).all()
        events = c.execute(text("SELECT task_id, at, to_status FROM status_events ORDER BY task_id, at, id")).all()
        unit_places = c.execute(text("SELECT tu.task_id, u.place_code FROM task_units tu "
                                     "JOIN units u ON u.id = tu.unit_id WHERE tu.role = 'responsible'")).all()
        sites = c.execute(text("SELECT county_code, COUNT(*) FROM sites GROUP BY county_code")).all()
    engine.dispose()
    state: dict[int, str] = {}
    for task_id, at, to_status in events:
        if _moment(at) <= end:
            state[task_id] = to_status
    tasks = {}
    for tid, ref, deadline, ongoing, archived, created in rows:
        if bool(archived) or _moment(created) > end:
            continue
        status = state.get(tid, "未启动")
        d = _day(deadline)
        flag = None
        if d is not None and status not in (CLOSED, ONGOING):
            flag = "逾期" if d < today else "临期" if (d - today).days <= due_soon_days else None
        tasks[tid] = {"ref": ref, "status": status, "flag": flag, "ongoing": bool(ongoing)}
    places = defaultdict(set)
    for tid, code in unit_places:
        if tid in tasks:
            places[code].add(tid)
    closable = [t for t in tasks.values() if not t["ongoing"]]
    rate = sum(t["status"] == CLOSED for t in closable) / len(closable)
    return {
        "total": len(tasks),
        "status": {s: sum(t["status"] == s for t in tasks.values())
                   for s in ("未启动", "整改中", "申请销号", CLOSED, ONGOING)},
        "overdue_refs": sorted(t["ref"] for t in tasks.values() if t["flag"] == "逾期"),
        "due_soon": sum(t["flag"] == "临期" for t in tasks.values()),
        "rate": f"{rate:.0%}",
        "places": {code: (sum(tasks[i]["flag"] == "逾期" for i in ids), sum(tasks[i]["status"] in OPEN for i in ids))
                   for code, ids in places.items()},
        "sites": {code: n for code, n in sites if code},
    }


def place_names() -> dict[str, str]:
    from onemap.services import active_region

    places = active_region().places
    # the ranking names the city's own units' row 市直部门 (the city is the whole, not a row of it)
    return {p.code: ("市直部门" if p is places.city else p.name) for p in places.all()}


# ---------------------------------------------------------------- what the room sees
READABILITY = """(minPx) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const name = e => (e.tagName + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + ' "'
                      + (e.innerText || '').trim().slice(0, 30) + '"');
  const cut = [], small = [];
  let texts = 0;
  for (const e of main.querySelectorAll('*')) {
    if (e.tagName === 'IFRAME' || e.tagName === 'STYLE' || e.closest('svg')) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || !e.checkVisibility({visibilityProperty: true})) continue;
    const cs = getComputedStyle(e);
    if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1) cut.push('overflow ' + name(e));
    if (cs.textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth) cut.push('ellipsis ' + name(e));
    const ownText = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!(ownText || ['TD', 'TH', 'BUTTON'].includes(e.tagName))) continue;
    texts += 1;
    if (parseFloat(cs.fontSize) < minPx) small.push(cs.fontSize + ' ' + name(e));
  }
  const buttons = [...main.querySelectorAll('button')].filter(b => b.checkVisibility({visibilityProperty: true})
                                                              && b.getBoundingClientRect().width > 0)
                                                      .map(b => b.innerText.trim());
  return {cut, small, buttons, texts};
}"""


def settled(page) -> None:
    """The script run is over: no element is marked stale and the status widget is idle."""
    page.wait_for_function("""() => !document.querySelector('[data-stale="true"]')
        && !(document.querySelector('[data-testid="stStatusWidget"]')?.innerText || '').match(/Running|运行/)""",
                           timeout=60_000)


def theme_on(page) -> None:
    """The projector theme is in effect. A rerun draws the page again element by element; while
    an element before the theme's stylesheet is replaced, the sheet is briefly out of the page
    (seen once in CI, under load). What the room reads is the page once the theme is back, and
    a theme that never comes back fails here after a minute."""
    page.wait_for_function("""(minPx) => {
        const main = document.querySelector('[data-testid="stMain"]');
        return main && parseFloat(getComputedStyle(main).fontSize) >= minPx;
    }""", arg=MIN_PX, timeout=60_000)


def readable(page, *, allowed: set[str], expected: set[str]) -> None:
    theme_on(page)
    found = page.evaluate(READABILITY, MIN_PX)
    assert found["texts"] >= 15, found  # the checks below looked at the page's text
    assert found["cut"] == [], f"cut short: {found['cut']}"
    assert found["small"] == [], f"smaller than {MIN_PX} px: {found['small']}"
    buttons = set(found["buttons"])
    assert expected <= buttons, f"player buttons missing: {expected - buttons}"
    assert buttons <= allowed, f"buttons that do nothing here: {buttons - allowed}"
    assert not any(b.startswith(("查看", "生成会议材料")) for b in buttons)


def map_fills_screen(page, height: int) -> None:
    """The map frame and the live map inside it cover ≥ 60 % of the screen without scrolling."""
    frame_el = page.locator(MAP_IFRAME)
    frame_el.wait_for(timeout=60_000)
    leaflet = page.frame_locator(MAP_IFRAME).locator(".leaflet-container")
    leaflet.wait_for(timeout=60_000)
    for box in (frame_el.bounding_box(), leaflet.bounding_box()):
        shown = min(box["y"] + box["height"], height) - max(box["y"], 0)
        assert shown >= 0.6 * height, f"map shows {shown:.0f} of {height} px"


def figure(page, label: str) -> str:
    return page.locator(f'b[data-figure="{label}"]').inner_text().strip()


def table_rows(page) -> list[list[str]]:
    return page.locator(".onemap-ptable").first.evaluate(
        "t => [...t.querySelectorAll('tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))")


VISIBLE_ROWS = """t => {
    const box = t.getBoundingClientRect(), head = t.querySelector('thead').getBoundingClientRect();
    return [...t.querySelectorAll('tbody tr')].filter(r => {
        const b = r.getBoundingClientRect();
        return b.top >= head.bottom - 1 && b.bottom <= box.bottom + 1 && b.bottom <= innerHeight + 1;
    }).map(r => r.cells[0].innerText.trim());
}"""


def clicker_walk(page) -> tuple[set[str], int]:
    """The presenter's clicker through a list slide: the first cells of the rows the room saw
    whole, screen by screen, and how many PageDowns scrolled instead of turning the page."""
    table = page.locator(".onemap-ptable").first
    seen, presses = set(table.evaluate(VISIBLE_ROWS)), 0
    while table.evaluate("t => t.scrollHeight - t.clientHeight - t.scrollTop > 1"):
        top = table.evaluate("t => t.scrollTop")
        page.keyboard.press("PageDown")
        page.wait_for_function("([t, top]) => t.scrollTop > top", arg=[table.element_handle(), top], timeout=10_000)
        seen |= set(table.evaluate(VISIBLE_ROWS))
        presses += 1
        assert presses < 50
    return seen, presses


def wait_view(page, i: int) -> None:
    title, kind = SEQUENCE[i]
    page.get_by_text(f"{i + 1} / {len(SEQUENCE)}　{title}", exact=True).wait_for(timeout=60_000)
    if kind == "map":
        page.get_by_role("heading", name=re.compile("生态环境一张图")).wait_for(timeout=60_000)
        page.frame_locator(MAP_IFRAME).locator(".onemap-site").first.wait_for(
            timeout=60_000)
        page.locator('b[data-figure="项任务"]').wait_for(timeout=60_000)
    elif kind == "overview":
        page.get_by_role("heading", name=re.compile("生态环境工作总览")).wait_for(timeout=60_000)
        page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive").first \
            .wait_for(timeout=60_000)
        page.locator(".onemap-ptable th", has_text="地区").wait_for(timeout=60_000)
    else:
        page.get_by_role("heading", name="任务台账").wait_for(timeout=60_000)
        page.locator(".onemap-ptable").wait_for(timeout=60_000)
    settled(page)


def start_default_meeting(page, server: str) -> None:
    page.goto(server + "/")
    page.frame_locator(MAP_IFRAME).locator(".onemap-site").first.wait_for(
        timeout=60_000)
    page.get_by_text("演示与视图").click()
    page.get_by_role("button", name="使用默认会议顺序").click()
    page.get_by_text("重点区域（一张图）").wait_for(timeout=60_000)  # the saved sequence is listed
    page.get_by_text("已使用默认会议顺序").wait_for(timeout=60_000)  # the panel stays open: confirmed
    _settled(page)  # a sequence saved by an earlier test is listed already: wait for this save's run
    page.get_by_role("button", name="开始演示").click()


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_meeting_reads_from_the_back_of_the_room(server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    fig = store_figures(date.today())
    names = place_names()
    start_default_meeting(page, server)
    for i, (title, kind) in enumerate(SEQUENCE):
        wait_view(page, i)
        expected = {"退出演示"} | ({"上一页"} if i > 0 else set()) | ({"下一页"} if i < len(SEQUENCE) - 1 else set())
        readable(page, allowed=PLAYER, expected=expected)
        if kind == "map":
            map_fills_screen(page, height)
            assert figure(page, "项任务") == str(fig["total"])
            assert figure(page, "逾期") == str(len(fig["overdue_refs"]))
            assert figure(page, "临期") == str(fig["due_soon"])
            assert figure(page, "已销号") == str(fig["status"][CLOSED])
        elif kind == "overview":
            map_fills_screen(page, height)
            # the labels inside the map are read from the back of the room too (a user trial: 14 px)
            sizes = page.frame_locator(MAP_IFRAME).locator(".onemap-county-label div, .onemap-zone-label div") \
                .evaluate_all("els => els.map(e => [e.innerText, parseFloat(getComputedStyle(e).fontSize)])")
            assert {s[0].split("\n")[0].split(" ")[0] for s in sizes} == REGION_PLACES, sizes
            assert [s for s in sizes if s[1] < MIN_PX] == [], sizes
            assert figure(page, "全部") == str(fig["total"])
            assert figure(page, "逾期") == str(len(fig["overdue_refs"]))
            assert figure(page, "临期") == str(fig["due_soon"])
            for s, n in fig["status"].items():
                assert figure(page, s) == str(n), s
            assert figure(page, "销号率") == fig["rate"]
            rows = table_rows(page)
            shown = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}
            want = {names.get(code, code): (over, open_, fig["sites"].get(code, 0))
                    for code, (over, open_) in fig["places"].items()}
            assert shown == want
        else:
            assert page.get_by_text(f"共 {len(fig['overdue_refs'])} 项").count() == 1
            assert sorted(r[0] for r in table_rows(page)) == fig["overdue_refs"]
            # every row is read whole by the room, reached with the clicker alone (a user trial:
            # 3 of 7 rows at 1280×720, the rest only with a mouse wheel); the slide stays
            seen, presses = clicker_walk(page)
            assert sorted(seen) == fig["overdue_refs"], (presses, seen)
            page.get_by_text(f"{i + 1} / {len(SEQUENCE)}　{title}", exact=True).wait_for(timeout=10_000)
            if height == 720:
                assert presses >= 1  # the list is longer than the projector's screen: scrolled, not skipped
        _shot(page, f"meeting_{width}x{height}_{i + 1}_{title}.png")
        if i == len(SEQUENCE) - 1:
            break
        _settled(page)  # a key pressed while the page is still redrawing reaches a button being replaced
        if i == 1:  # the button on the overview (whose map sends its value after the switch)
            page.get_by_role("button", name="下一页").click()
        else:       # the presenter's clicker
            page.keyboard.press("PageDown")
        page.get_by_text(f"{i + 2} / {len(SEQUENCE)}　{SEQUENCE[i + 1][0]}", exact=True).wait_for(timeout=60_000)
    _settled(page)
    back = page.get_by_text(f"{len(SEQUENCE) - 1} / {len(SEQUENCE)}　{SEQUENCE[-2][0]}", exact=True)
    page.keyboard.press("PageUp")  # the clicker goes back too
    back.wait_for(timeout=60_000)
    wait_view(page, len(SEQUENCE) - 2)


@pytest.mark.parametrize(("width", "height"), VIEWPORTS, ids=[f"{w}x{h}" for w, h in VIEWPORTS])
def test_a_page_opened_directly_in_presentation_mode_has_no_sequence_title(server, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    fig = store_figures(date.today())
    page.goto(server + "/ledger?present=1")
    page.get_by_role("heading", name="任务台账").wait_for(timeout=60_000)
    page.locator(".onemap-ptable").wait_for(timeout=60_000)
    settled(page)
    assert page.get_by_text(f"共 {fig['total']} 项").count() == 1
    assert len(table_rows(page)) == fig["total"]
    page.get_by_role("button", name="退出演示").wait_for(state="visible", timeout=60_000)
    bar = page.locator(".st-key-present_bar").inner_text()
    assert not re.search(r"\d+\s*/\s*\d+", bar), bar  # no "1 / 4 全市总览" above the ledger
    theme_on(page)
    found = page.evaluate(READABILITY, MIN_PX)
    assert found["texts"] >= 15 and found["cut"] == [] and found["small"] == [], found
    assert set(found["buttons"]) <= {"退出演示", PLAY}
    _shot(page, f"meeting_{width}x{height}_ledger_direct.png")


def test_a_site_clicked_during_the_meeting_is_shown_read_only(server, page):
    """Clicking a site in front of the room shows its facts and tasks — no status forms."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(server + "/?present=1")
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator(".onemap-site").first.wait_for(timeout=60_000)
    settled(page)
    frame.locator(".onemap-site").first.click(force=True)
    heading = page.locator("[data-testid='stMain'] h4").first
    heading.wait_for(timeout=60_000)
    settled(page)
    name = heading.inner_text().strip()
    engine = create_engine(settings.database_url())
    with engine.connect() as c:
        linked = c.execute(text("SELECT COUNT(DISTINCT t.id) FROM tasks t JOIN task_sites ts ON ts.task_id = t.id "
                                "JOIN sites s ON s.id = ts.site_id WHERE s.name = :n AND t.parent_id IS NULL"),
                           {"n": name}).scalar()
    engine.dispose()
    page.get_by_text(f"相关任务（{linked} 项）").wait_for(timeout=10_000)
    readable(page, allowed=PLAYER | {PLAY, "关闭"}, expected={"退出演示", "关闭"})
    assert page.locator("[data-testid='stMain'] [data-testid='stExpander']").count() == 0
    assert page.get_by_role("tab", name="登记状态变更").count() == 0
    map_fills_screen(page, 720)
    _shot(page, "meeting_1280x720_site.png")
