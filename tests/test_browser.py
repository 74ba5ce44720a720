"""End to end in headless Chromium: the app on the demo data, fully offline.

Skipped when Chromium is not installed, unless ONEMAP_REQUIRE_BROWSER=1 (set in CI),
which turns a missing browser into a failure."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onemap import settings
from tests.conftest import Stores

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ONEMAP_SCREENSHOTS", settings.REPO_ROOT / "var" / "screenshots"))


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        if os.environ.get("ONEMAP_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium 未安装（/usr/bin/chromium），而 ONEMAP_REQUIRE_BROWSER=1")
        pytest.skip("Chromium not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_store):
    _browser_or_skip()
    from onemap.assets import fetch_all

    fetch_all()
    mp = pytest.MonkeyPatch()
    stores = Stores(tmp_path_factory.mktemp("browser"), mp)
    stores.new(demo=demo_store)
    port = _free_port()
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(settings.REPO_ROOT / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true"],
                            cwd=settings.REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)
    stores.close()
    mp.undo()


@pytest.fixture()
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        pg = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        outside: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        pg.route("**/*", route)
        pg.outside = outside
        yield pg
        browser.close()


def _map_frame(pg):
    pg.wait_for_selector("iframe[title*='streamlit_folium']", timeout=60_000)
    frame = pg.frame_locator("iframe[title*='streamlit_folium']").first
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    return frame


def test_map_renders_offline_and_the_panel_opens(server, page):
    page.goto(server + "/")
    frame = _map_frame(page)
    page.wait_for_timeout(1500)
    n = frame.locator("path.leaflet-interactive").count()
    assert n >= 33  # one per site (polygons and circle markers)
    assert frame.locator("text=乐平市").count() >= 1  # county label on the offline basemap
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "map.png"))
    frame.locator("path.leaflet-interactive").first.click(force=True)
    heading = page.locator("[data-testid='stMarkdownContainer'] p", has_text="相关任务（")
    heading.first.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "map-panel.png"))
    assert page.locator("[data-testid='stExpander']").count() >= 1  # the site's tasks
    assert page.outside == [], f"requests left the machine: {page.outside}"


def test_ledger_page_and_url_filters(server, page):
    page.goto(server + "/ledger?flag=%E9%80%BE%E6%9C%9F")
    page.get_by_text("任务台账").first.wait_for(timeout=60_000)
    page.get_by_text("导出当前视图").wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "ledger.png"))
    assert page.outside == []
