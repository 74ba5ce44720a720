"""bench/compare_naive.py at demo scale: one JSON object with every measure for both pages,
and its payload equal to the map component's arguments captured independently (the kwargs the
page hands to its map component — the app's own frame, streamlit-folium's on the naive page —
serialised as Streamlit serialises them). No timing
thresholds: times only have to be measured (positive numbers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from onemap import settings
from tests.browser_kit import _browser_or_skip
from tests.conftest import sign_in

pytestmark = pytest.mark.browser
MEASURES = {"rerun_all_s", "rerun_county_s", "payload_bytes", "first_paint_s", "first_paint_cached_s", "update_s",
            "peak_rss_mb"}


def _captured_payload(monkeypatch, script: str, signed_in: bool) -> int:
    """Run the page once under AppTest and serialise the component call's arguments as
    streamlit.components.v1.custom_component does (json.dumps of the kwargs, default and key)."""
    import streamlit_folium as sf
    from streamlit.testing.v1 import AppTest

    from ui import map_component

    calls = []

    def capturing(real):
        def capture(*args, **kwargs):
            calls.append(dict(kwargs))
            return real(*args, **kwargs)
        return capture

    monkeypatch.setattr(sf, "_component_func", capturing(sf._component_func))
    monkeypatch.setattr(map_component, "FRAME", capturing(map_component.FRAME))
    at = AppTest.from_file(script, default_timeout=300)
    if signed_in:
        sign_in(at)
    at.run()
    assert not at.exception, at.exception
    assert len(calls) == 1, f"{len(calls)} map components"
    kw = calls[0]
    sent = {k: v for k, v in kw.items() if k not in ("default", "key", "on_change", "tab_index")}
    sent.update(default=kw.get("default"), key=kw.get("key"))
    return len(json.dumps(sent).encode("utf-8"))


def test_compare_naive_prints_one_object_whose_payload_is_the_maps(demo_dir, monkeypatch, tmp_path):
    _browser_or_skip()
    from store.db import reader
    from store.queries import sites_frame

    with reader() as s:
        n_sites = len(sites_frame(s))
    out = subprocess.run([sys.executable, str(settings.REPO_ROOT / "bench" / "compare_naive.py"), "--scale", "demo",
                          "--json", "--data-dir", str(demo_dir)], capture_output=True, text=True, timeout=900,
                         env=dict(os.environ, PYTHONPATH=str(settings.REPO_ROOT)), cwd=settings.REPO_ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, out.stdout  # exactly one object
    r = json.loads(lines[0])
    assert set(r) == {"scale", "sites", "app", "naive", "floor"}
    assert r["scale"] == "demo" and r["sites"] == n_sites
    for page in ("app", "naive"):
        assert set(r[page]) == MEASURES
        for k, v in r[page].items():
            assert isinstance(v, (int, float)) and v > 0, (page, k, v)
    assert set(r["floor"]) == {"first_paint_s", "first_paint_cached_s"}
    assert all(isinstance(v, float) and v > 0 for v in r["floor"].values()), r["floor"]

    from bench.compare_naive import naive_stub

    assert r["app"]["payload_bytes"] == _captured_payload(monkeypatch, str(settings.REPO_ROOT / "app.py"), True)
    stub = naive_stub(tmp_path / "naive")
    assert r["naive"]["payload_bytes"] == _captured_payload(monkeypatch, str(stub), False)


PROBE_PAGE = """<!doctype html><html><body><iframe src="/frame.html" style="width:400px;height:300px"></iframe></body></html>"""
PROBE_FRAME = """<!doctype html><html><head><link rel="stylesheet" href="/leaflet.css"><script src="/leaflet.js"></script></head>
<body><div id="m" style="width:380px;height:280px"></div><script>
window.map = L.map("m").setView([29.3, 117.2], 9);
L.circleMarker([29.3, 117.2]).addTo(window.map);
L.circleMarker([29.31, 117.21]).addTo(window.map);
setTimeout(() => {
  L.circleMarker([29.32, 117.22]).addTo(window.map);
  window.top.__lastAdded = performance.timeOrigin + performance.now();
}, 700);
</script></body></html>"""


def test_paint_probe_times_the_map_from_navigation_to_its_last_site_on_the_browsers_clock():
    """PAINT_PROBE (first paint on the browser's own clock) on a known page: a map in a frame that
    gets two of its three sites at once and the third 0.7 s later. The probe reports the moment
    the map holds all three, not before the third was added, and measured from navigation start."""
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    from bench import compare_naive as cn
    from onemap.assets import VENDOR, fetch_all

    fetch_all()
    files = {"/": ("text/html", PROBE_PAGE.encode()), "/frame.html": ("text/html", PROBE_FRAME.encode()),
             "/leaflet.js": ("text/javascript", (VENDOR / "leaflet" / "leaflet.js").read_bytes()),
             "/leaflet.css": ("text/css", (VENDOR / "leaflet" / "leaflet.css").read_bytes())}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=cn.CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            ctx = cn._context(browser, None, 3)

            def serve(route):
                path = "/" + route.request.url.split("/", 3)[3]
                kind, body = files[path]
                route.fulfill(status=200, content_type=kind, body=body)

            ctx.route("http://probe.test/**", serve)
            page = ctx.new_page()
            page.goto("http://probe.test/")
            painted = cn._painted(page)
            added = page.evaluate("() => (window.__lastAdded - performance.timeOrigin) / 1000")
            assert added >= 0.7  # the page's own record: the third site came 0.7 s after its frame started
            assert painted >= added  # not before the map held all three
            assert painted == page.evaluate("() => (window.__onemapPainted - performance.timeOrigin) / 1000")
        finally:
            browser.close()
