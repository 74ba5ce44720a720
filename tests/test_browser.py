"""End to end in headless Chromium: the app on the demo data, fully offline.

Every request to a host other than the app's own is blocked and recorded; each test
asserts there were none. Skipped when Chromium is not installed, unless
ONEMAP_REQUIRE_BROWSER=1 (set in CI), which turns a missing browser into a failure.
To enable locally: apt-get install chromium fonts-noto-cjk."""

from __future__ import annotations

import time

import pytest

from layers.style import COLORS
from tests import truth
from tests.browser_kit import (
    HOSTILE,
    _browser_or_skip,
    _click_site,
    _color_of,
    _leaflet_frame,
    _map,
    _settled,
    _shot,
    _sign_operator,
    _symbols,
)
from tests.conftest import MANAGER_ACTOR
from tests.map_frames import MAP_IFRAME

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


def _wait_until(count, expected: int, timeout: float = 60) -> int:
    """Poll a count until it equals `expected` (or time runs out); returns the last count."""
    end = time.time() + timeout
    n = count()
    while n != expected and time.time() < end:
        time.sleep(0.2)
        n = count()
    return n


def test_map_shows_every_site_offline(server, page):
    sites = truth.sites()
    outlines = sum(1 for x in sites.values() if x["geom_wkt"].upper().startswith(("POLYGON", "MULTIPOLYGON")))
    assert len(sites) == 34 and outlines == 8  # 33 demo sites + the hostile one; the parks' outlines
    page.goto(server + "/")
    frame = _map(page)
    assert _wait_until(lambda: _symbols(frame), len(sites)) == len(sites)
    assert frame.locator("path.leaflet-interactive").count() == outlines
    assert frame.locator("text=乐平市").count() >= 1  # county labels on the offline basemap
    _shot(page, "map.png")

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"


def test_click_site_status_change_recolours(server, page):
    page.goto(server + "/")
    _sign_operator(page, "测试员")
    frame = _map(page)
    overdue = _symbols(frame, COLORS["逾期"])
    assert _color_of(frame, "南河河口") == COLORS["逾期"]
    _click_site(page, frame, "南河河口")
    assert page.get_by_text("相关任务（3 项）").count() == 1
    exp = page.locator("[data-testid='stExpander']", has_text="省督察整改清单（十六）")
    exp.locator("summary").click()
    exp.get_by_role("tab", name="登记状态变更").click()
    exp.get_by_role("radiogroup").get_by_text("已销号", exact=True).click()
    exp.get_by_label("验收意见（可选）").fill("现场核实，整改到位")
    _shot(page, "status-form.png")
    exp.get_by_role("button", name="登记").click()
    page.get_by_text("已登记：省督察整改清单（十六） 申请销号 → 已销号").wait_for(timeout=60_000)
    frame = _map(page)
    page.wait_for_timeout(1500)
    # 南河河口 keeps one open key task (整改中): overdue red → blue
    assert _color_of(frame, "南河河口") == COLORS["整改中"]
    assert _symbols(frame, COLORS["逾期"]) < overdue
    assert page.get_by_text("省督察整改清单（十六） · 已销号").count() == 1  # the panel follows
    _shot(page, "after-status-change.png")


def _overdue_and_linked() -> tuple[set[int], set[str]]:
    tasks = truth.top_tasks()
    overdue = {i for i, t in tasks.items() if t["flag"] == "逾期"}
    return overdue, {x for i in overdue for x in tasks[i]["site_ids"]}


def _ledger_count(page) -> int:
    caption = page.locator("[data-testid='stCaptionContainer']", has_text="项（截至")
    caption.first.wait_for(timeout=60_000)
    return int(caption.first.inner_text().split("项")[0])


def test_filter_narrows_map_and_ledger(server, page):
    overdue, linked = _overdue_and_linked()
    assert overdue and linked  # the demo has overdue work at linked sites, or this test proves nothing
    page.goto(server + "/?flag=%E9%80%BE%E6%9C%9F")
    frame = _map(page)
    assert _wait_until(lambda: _symbols(frame), len(linked)) == len(linked)
    assert _symbols(frame, COLORS["逾期"]) == len(linked)  # each shown site has overdue work: red
    _shot(page, "map-overdue.png")
    page.goto(server + "/ledger?flag=%E9%80%BE%E6%9C%9F")
    assert _ledger_count(page) == len(overdue)
    page.goto(server + "/ledger")
    assert _ledger_count(page) == len(truth.top_tasks())
    _shot(page, "ledger.png")


def test_filter_change_keeps_the_view(server, page):
    _, linked = _overdue_and_linked()
    page.set_viewport_size({"width": 1600, "height": 1500})  # the filter's dropdown opens below it
    page.goto(server + "/")
    frame = _map(page)
    def zoom() -> float | None:  # the map's frame is looked up afresh: a rerun may replace it
        try:
            return _leaflet_frame(page).evaluate("() => window.map.getZoom()")
        except Exception:  # noqa: BLE001 - a frame replaced mid-call: ask again
            return None

    zoom0 = zoom()
    _settled(page)
    frame.locator(".leaflet-control-zoom-in").click()
    assert _wait_until(zoom, zoom0 + 1, timeout=30) == zoom0 + 1  # the user's zoom took effect
    page.locator("[data-testid='stMultiSelect']", has_text="逾期/临期").click()
    page.get_by_role("option", name="逾期", exact=True).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.location.search.includes('flag=')", timeout=60_000)
    frame = page.frame_locator(MAP_IFRAME).first
    assert _wait_until(lambda: _symbols(frame), len(linked)) == len(linked)  # the layers were replaced …
    assert zoom() == zoom0 + 1  # … the view was not


def test_online_basemap_absent_breaks_nothing(server, page):
    n_sites = len(truth.sites())
    page.goto(server + "/")
    _map(page)
    page.get_by_text("OpenStreetMap（需联网）").click()
    tried = lambda: {u.split("/")[2] for u in page.outside}  # noqa: E731
    end = time.time() + 60
    while not tried() and time.time() < end:
        page.wait_for_timeout(200)
    assert tried() == {"tile.openstreetmap.org"}  # the chosen tiles were asked for (and blocked here) …
    frame = _map(page)
    assert _wait_until(lambda: _symbols(frame), n_sites) == n_sites  # … and the map still works without them
    assert frame.locator("text=乐平市").count() >= 1
    _shot(page, "osm-offline.png")
    page.outside.clear()


def test_hostile_site_name_shows_as_text(server, page):
    page.goto(server + "/")
    frame = _map(page)
    _click_site(page, frame, HOSTILE)
    assert page.locator("img[src='x']").count() == 0
    assert frame.locator("img[src='x']").count() == 0
    assert page.locator("h4", has_text=HOSTILE).count() == 1
    _shot(page, "hostile-name.png")


def test_overview_page(server, page):
    page.set_viewport_size({"width": 1600, "height": 2400})
    page.goto(server + "/overview")
    page.get_by_text("生态环境工作总览").first.wait_for(timeout=60_000)
    choropleth = page.frame_locator(MAP_IFRAME).nth(0)
    hot = page.frame_locator(MAP_IFRAME).nth(1)
    choropleth.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    hot.locator("img.leaflet-image-layer").wait_for(state="attached", timeout=60_000)
    assert choropleth.locator("path.leaflet-interactive").count() >= 4  # the counties, coloured
    assert hot.locator("img.leaflet-image-layer").count() == 1  # the density surface
    page.wait_for_timeout(1500)
    _shot(page, "overview.png")


def test_standalone_html_map_works_from_a_usb_stick(demo_dir, tmp_path):
    """One file, opened from disk with every request blocked: the map and all sites are drawn."""
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    from onemap import services

    path = services.standalone_html(MANAGER_ACTOR, tmp_path / "一张图.html")
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu",
                                                                    "--disable-background-networking"])
        pg = browser.new_page(viewport={"width": 1400, "height": 900})
        pg.route("**/*", lambda r: (requests.append(r.request.url), r.abort())
                 if not r.request.url.startswith(("file://", "data:")) else r.continue_())
        pg.goto(path.as_uri())
        pg.locator(".onemap-site").first.wait_for(timeout=30_000)
        assert pg.locator(".onemap-site").count() == 33
        assert pg.locator("path.leaflet-interactive").count() == 8  # park outlines
        assert pg.get_by_text("点位为示意位置").count() >= 1
        _shot(pg, "standalone.png")
        browser.close()
    assert requests == []


def test_projector_theme(server, page):
    page.goto(server + "/?present=1")
    frame = _map(page)
    assert frame.locator(".onemap-site svg").first.get_attribute("width") == "30"  # large symbols
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    size = page.locator("[data-testid='stMain'] [data-testid='stMarkdownContainer'] p").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 20
    title = page.locator("h3").first.evaluate("e => parseFloat(getComputedStyle(e.querySelector('span') || e).fontSize)")
    assert title >= 28
    figure = page.locator("b[data-figure='项任务']").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert figure >= 40
    assert page.get_by_role("button", name="退出演示").is_visible()
    _shot(page, "present.png")
    page.goto(server + "/overview?present=1")
    page.get_by_text("生态环境工作总览").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert not page.locator("[data-testid='stRadio']").first.is_visible()  # the page's controls are hidden
