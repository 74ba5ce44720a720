"""The one-map page's own map frame (ui/map_frame, ui.map_component): Leaflet in its page's head and
Streamlit's component protocol around the folium script — no React bundle, no second Leaflet, the
frame as tall as the page asks, one layer control listing each kind with the store's count; the
base map fetched once by its address (ui.map_base_route) and kept by the browser, and when it
cannot be fetched the frame says so in Chinese.

The rest of the contract is held by the tests that drive the map: a site clicked opens its panel
and a recoloured site after a status change (test_browser), a filter replaces the layers and keeps
the view (test_browser), a dragged view saved as shown and one message on opening
(test_map_opening), the meeting's full-height frame (test_journey_meeting)."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from pathlib import Path

import pytest

from onemap.assets import URL_PREFIX
from tests import truth
from tests.browser_kit import (
    CHROMIUM,
    SESSION,
    _leaflet_frame,
    _open_map,
    _set_session,
    demo_copy,
    serve_app,
)
from tests.map_frames import MAP_IFRAME

FRAME_DIR = Path(__file__).resolve().parents[1] / "ui" / "map_frame"


def test_the_frames_page_points_at_the_leaflet_the_app_serves():
    """index.html names Leaflet relative to the component's address (/component/<name>/index.html,
    below any base path a proxy adds): it must land on the files onemap.assets unpacks."""
    page = (FRAME_DIR / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    resolved = {posixpath.normpath(posixpath.join("/component/ui.map_component.onemap_map", r)) for r in refs
                if not r.endswith("map_frame.js")}
    assert resolved == {f"{URL_PREFIX}/leaflet/leaflet.js", f"{URL_PREFIX}/leaflet/leaflet.css"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_store):
    with demo_copy(tmp_path_factory, demo_store, "frame"):
        yield from serve_app()


@pytest.mark.browser
def test_the_frame_holds_leaflet_once_the_map_at_its_height_and_one_layer_control(server, page):
    sites = truth.sites()
    per_kind = Counter(s["kind"] for s in sites.values())
    frame = _open_map(page, server, ".onemap-site", len(sites))
    assert "/component/ui.map_component.onemap_map/" in frame.url

    loaded = frame.evaluate("() => performance.getEntriesByType('resource').map(e => e.name)")
    files = [u.split("?")[0].rsplit("/", 1)[-1] for u in loaded]
    assert files.count("leaflet.js") == 1 and files.count("leaflet.css") == 1
    assert not [u for u in loaded if "streamlit_folium" in u or re.search(r"/static/js/main\.", u)]
    assert all(u.startswith(server) for u in loaded)
    bases = [u for u in loaded if "/_onemap/map/" in u]
    assert len(bases) == 1 and re.search(r"/_onemap/map/[0-9a-f]{32}\.js$", bases[0])

    assert page.locator(MAP_IFRAME).first.bounding_box()["height"] == 640  # ui.views.map_view.MAP_HEIGHT
    assert frame.locator(".leaflet-control-layers").count() == 1
    labels = [t.strip() for t in frame.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    for kind, n in per_kind.items():
        assert labels.count(f"{kind}（{n}）") == 1, (kind, n, labels)


@pytest.mark.browser
def test_a_returning_page_takes_the_base_map_from_the_browsers_cache(server):
    """Its own browser: the other tests' request routing (which blocks outside hosts) turns
    Chromium's cache off. Requests are watched instead, and none may leave the machine."""
    from playwright.sync_api import sync_playwright

    sites = truth.sites()
    sent, outside = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
            page.on("request", lambda r: None if r.url.startswith((server, "data:", "blob:")) else outside.append(r.url))
            _set_session(page, SESSION["token"])
            for _ in range(2):  # the second page: a new session of the same browser
                frame = _open_map(page, server, ".onemap-site", len(sites))
                sent.append(frame.evaluate("""() => performance.getEntriesByType('resource')
                    .filter(e => e.name.includes('/_onemap/map/')).map(e => [e.name, e.transferSize])"""))
        finally:
            browser.close()
    assert outside == []
    assert len(sent[0]) == 1 and sent[0][0][1] > 0
    assert len(sent[1]) == 1 and sent[1][0][0] == sent[0][0][0] and sent[1][0][1] == 0  # from the cache


@pytest.mark.browser
def test_a_base_map_that_cannot_be_fetched_is_said_in_chinese(server, page):
    page.route("**/_onemap/map/**", lambda route: route.fulfill(status=404, body="{}"))
    page.goto(server + "/")
    page.wait_for_selector(MAP_IFRAME, timeout=60_000)
    frame = _leaflet_frame(page)
    note = frame.locator(".onemap-map-failed")
    note.wait_for(timeout=60_000)
    assert "地图未能加载" in note.inner_text() and "请刷新页面" in note.inner_text()
    assert frame.locator(".leaflet-container").count() == 0
