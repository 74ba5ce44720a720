"""Shared pieces of the browser tests (headless Debian Chromium through Playwright): the app
served on a private copy of the demo, a page that blocks and records every request leaving the
machine, and helpers to read the map. The fixtures `server` (one app per test module) and `page`
are registered in conftest.py, so every tests/test_journey_*.py file can use them.

Skipped when Chromium is not installed, unless ONEMAP_REQUIRE_BROWSER=1 (set in CI), which turns a
missing browser into a failure. To enable locally: apt-get install chromium fonts-noto-cjk."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from onemap import settings
from tests.conftest import MANAGER_ACTOR, Stores
from tests.map_frames import MAP_IFRAME, is_map_url

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("ONEMAP_SCREENSHOTS", settings.REPO_ROOT / "var" / "screenshots"))
HOSTILE = "<img src=x onerror=alert(1)>"


def _browser_or_skip():
    if not Path(CHROMIUM).exists():
        if os.environ.get("ONEMAP_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium 未安装（/usr/bin/chromium），而 ONEMAP_REQUIRE_BROWSER=1")
        pytest.skip("Chromium not installed: apt-get install chromium fonts-noto-cjk to run browser tests")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_copy(tmp_path_factory, demo_store, name: str = "browser") -> Iterator[Path]:
    """A private copy of the demo store for one module's app (browser test), with the front-end
    assets in place: yields the module's folder."""
    _browser_or_skip()
    from onemap.assets import fetch_all

    fetch_all()
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp(name)
    stores = Stores(tmp, mp)
    stores.new(demo=demo_store)
    try:
        yield tmp
    finally:
        stores.close()
        mp.undo()


def server_fixture(tmp_path_factory, demo_store):
    """The app on a private copy of the demo, plus one site with a hostile name."""
    from onemap import services

    with demo_copy(tmp_path_factory, demo_store) as tmp:
        hostile = tmp / "hostile.csv"
        hostile.write_text(f"名称,类型,经度,纬度\n\"{HOSTILE}\",监测断面,117.25,29.33\n", encoding="utf-8")
        services.import_file(MANAGER_ACTOR, hostile)
        yield from serve_app()


# the session every new page starts signed in with (a 业务管理员 of the served store): set by serve_app
SESSION: dict[str, str] = {}
COOKIE = "onemap_session"


def serve_app(port: int | None = None, args: tuple[str, ...] = ()):
    """The app on the store the environment points at, on a free loopback port (or `port`) with
    extra `streamlit run` options `args`: yields its URL. A 业务管理员 account is signed in for the
    pages of the tests (cookie set by `page`)."""
    from tests.conftest import session_token

    SESSION["token"] = session_token()
    port = port or _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(settings.REPO_ROOT / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true", *args],
                            cwd=settings.REPO_ROOT, env=dict(os.environ),
                            # ONEMAP_TEST_SERVER_LOG=FILE keeps the server's output (debugging a journey)
                            stdout=open(os.environ["ONEMAP_TEST_SERVER_LOG"], "ab")  # noqa: SIM115
                            if os.environ.get("ONEMAP_TEST_SERVER_LOG") else subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def page_fixture():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        pg = browser.new_page(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
        if SESSION.get("token"):  # signed in (cookies are per host, not per port)
            _set_session(pg, SESSION["token"])
        outside: list[str] = []
        dialogs: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("http://127.0.0.1", "http://localhost", "data:", "blob:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        pg.route("**/*", route)
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.outside, pg.dialogs = outside, dialogs
        yield pg
        assert outside == [], f"requests left the machine: {outside}"
        assert dialogs == [], f"a script ran from data: {dialogs}"
        browser.close()


def _map(pg):
    pg.wait_for_selector(MAP_IFRAME, timeout=60_000)
    frame = pg.frame_locator(MAP_IFRAME).first
    frame.locator(".leaflet-container").wait_for(timeout=60_000)
    frame.locator(".onemap-site").first.wait_for(timeout=60_000)
    pg.wait_for_timeout(1000)
    return frame


def _symbols(frame, color: str | None = None) -> int:
    sel = ".onemap-site svg g" + (f'[fill="{color}"]' if color else "")
    return frame.locator(sel).count()


def _shot(pg, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / name))


def _symbol_of(frame, name: str):
    """The symbol whose tooltip names the site."""
    symbols = frame.locator(".onemap-site")
    for i in range(symbols.count()):
        symbols.nth(i).hover(force=True)
        tip = frame.locator(".leaflet-tooltip")
        if tip.count() and name in tip.last.inner_text():
            return symbols.nth(i)
    raise AssertionError(f"no symbol for {name}")


def _color_of(frame, name: str) -> str:
    return _symbol_of(frame, name).locator("svg g").get_attribute("fill")


def _click_site(pg, frame, name: str) -> None:
    _symbol_of(frame, name).click(force=True)
    pg.locator("[data-testid='stMarkdownContainer'] h4", has_text=name).first.wait_for(timeout=60_000)


def _leaflet_frame(pg):
    return next(f for f in pg.frames if is_map_url(f.url))


SETTLED_JS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const idle = app && app.dataset.testScriptState === "notRunning" && !document.querySelector("[data-stale='true']");
    if (!idle) { window.__idleSince = null; return false; }
    window.__idleSince = window.__idleSince || performance.now();
    return performance.now() - window.__idleSince > 1000;
}"""


def _settled(page) -> None:
    """Wait until the app has finished its runs (idle, nothing stale, for a second): reruns
    triggered by the page itself (URL, map components) redraw the figures one by one."""
    page.wait_for_function(SETTLED_JS, timeout=60_000, polling=200)


def _set_session(page, token: str) -> None:
    page.context.add_cookies([{"name": COOKIE, "value": token, "domain": "127.0.0.1", "path": "/"}])


def _sign_operator(page, name: str, unit: str = "市生态环境局", role: str = "审核", county: str = "") -> None:
    """Sign this page in as the account (created in the served store when missing: by default a
    审核 of 市生态环境局, the 验收单位 of the tasks the journeys close), reload, and wait until
    the sidebar names it."""
    from tests.conftest import session_token

    _set_session(page, session_token(name, unit, role, county))
    page.reload()
    page.get_by_text(f"当前用户：{name}（{role}").first.wait_for(timeout=60_000)


def _open_map(page, url: str, selector: str, n: int):
    """The map page, until its frame holds n elements matching selector and the app is idle."""
    page.goto(url + "/")
    page.wait_for_selector(MAP_IFRAME, timeout=60_000)
    frame = _leaflet_frame(page)
    frame.wait_for_function(f"() => window.map && document.querySelectorAll({selector!r}).length === {n}",
                            timeout=60_000, polling=200)
    _settled(page)
    return frame
