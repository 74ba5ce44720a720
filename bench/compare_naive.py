"""The app's 一张图 against the naive streamlit-folium page (bench/naive_page.py) on the same
store, measured side by side: prints figures, asserts nothing.

  python bench/compare_naive.py [--scale demo|province|stress] [--json] [--repeat 3] [--data-dir DIR]

Measures (medians of --repeat runs, app and naive interleaved; ratio = naive ÷ app):
- rerun_all_s / rerun_county_s: server rerun after the county filter changes to all sites /
  to one county (the county with most sites), AppTest of each page in this process;
- payload_bytes: the map component's arguments as Streamlit sends them (its json_args, the
  all-sites view; read from the element AppTest received) — for the app, the sites; its base map
  travels apart, fetched once per browser by its address (ui.map_base_route) and timed in the
  paints;
- first_paint_s: headless Chromium, warm server: from navigation to every site of the first
  view on the map (counted in Leaflet) and two animation frames later, on the browser's own clock
  (performance.timeOrigin; PAINT_PROBE);
- first_paint_cached_s: the same for a returning user — a new tab (a new session) of a browser
  that has opened the page before, so Streamlit's and Leaflet's files come from its cache;
- update_s: in that page, the county chosen in the filter widget until the map holds exactly
  that county's sites;
- peak_rss_mb: the peak resident memory (VmHWM) of each page's streamlit server after the runs.
The floor: a Streamlit page with one filter widget and a Leaflet map of one symbol, served the
same way — what Streamlit and Leaflet cost on this machine before any data (both paints only).
`--json` prints one object {"scale", "sites", "app": {...}, "naive": {...}, "floor": {...}}.
`--data-dir` measures an existing store (ONEMAP_DATA_DIR) instead of building one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {"demo": None, "province": (2_000, 20_000), "stress": (20_000, 100_000)}
MEASURES = ("rerun_all_s", "rerun_county_s", "payload_bytes", "first_paint_s", "first_paint_cached_s", "update_s",
            "peak_rss_mb")
CHROMIUM = "/usr/bin/chromium"
BENCH_USER = ("bench-viewer", "基准测试", "业务管理员", "Bench@2026pass")

# sites on the map: the app's symbols (DOM or canvas) and the naive page's CircleMarkers
# the app's map frame (ui.map_component) and streamlit-folium's (the naive and floor pages)
MAP_COMPONENTS = ("onemap_map", "streamlit_folium")

COUNT_JS = """() => {
    if (!window.map || !window.L) { return -1; }
    let n = 0;
    window.map.eachLayer(l => {
        if (l instanceof L.CircleMarker ||
            (l instanceof L.Marker && l.options.icon && l.options.icon.options.className === "onemap-site")) { n++; }
    });
    return n;
}"""


# In every frame of the page, from its first script: the moment (the browser's own clock) its map
# first holds exactly n sites, two animation frames later — kept on the top window. Read against the
# top document's navigation start, it is first paint as the browser saw it, without the test
# driver's polling and round trips (which added 0.2–0.5 s to every page alike).
PAINT_PROBE = """(n) => {
    if (window === window.top) { return; }
    const count = COUNT_JS;
    const look = () => {
        if (window.top.__onemapPainted !== undefined) { return; }
        let here = -1;
        try { here = count(); } catch (e) { here = -1; }
        if (here !== n) { setTimeout(look, 10); return; }
        requestAnimationFrame(() => requestAnimationFrame(() => {
            const top = window.top;
            if (top.__onemapPainted === undefined) { top.__onemapPainted = performance.timeOrigin + performance.now(); }
        }));
    };
    look();
}""".replace("COUNT_JS", COUNT_JS)


# the app idle (no script running, nothing stale) for half a second
SETTLED_JS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    const idle = app && app.dataset.testScriptState === "notRunning" && !document.querySelector("[data-stale='true']");
    if (!idle) { window.__idleSince = null; return false; }
    window.__idleSince = window.__idleSince || performance.now();
    return performance.now() - window.__idleSince > 500;
}"""


def build_store(scale: str, folder: Path) -> None:
    os.environ["ONEMAP_DATA_DIR"] = str(folder)
    if SCALES[scale] is None:
        from onemap.demo import build_demo

        build_demo()
    else:
        from bench.synthetic import build

        build(*SCALES[scale])


def bench_token() -> str:
    """A signed-in session of a viewer account in the measured store (created once)."""
    from sqlalchemy import select

    from domain.actors import SYSADMIN, Actor
    from onemap import accounts
    from store import models as m
    from store.db import reader

    name, display, role, password = BENCH_USER
    with reader() as s:
        exists = s.scalar(select(m.User.id).where(m.User.username == name)) is not None
    if not exists:
        accounts.add_user(Actor("bench", "基准测试", SYSADMIN), name, display, role, password, unit="市生态环境局",
                          must_change=False)
    return accounts.sign_in(name, password).token


def store_facts() -> dict:
    """Sites in all, the county with most sites and its count (from the store, not the pages)."""
    from geo.region import load_region
    from store import queries, repo
    from store.db import reader

    with reader() as s:
        sites = queries.sites_frame(s)
        region = load_region(repo.get_meta(s, "region"))
    counts = sites["county_code"].value_counts()
    code = str(counts.index[0])
    name = next(c.name for c in region.places.counties if c.code == code)
    return {"sites": len(sites), "county": code, "county_name": name, "county_sites": int(counts.iloc[0])}


def naive_stub(folder: Path) -> Path:
    """The naive page's main script, beside a copy of `static` so Streamlit serves Leaflet to it."""
    folder.mkdir(parents=True, exist_ok=True)
    import shutil

    # a copy: Streamlit's static handler refuses files whose real path leaves its folder
    shutil.copytree(ROOT / "static", folder / "static", dirs_exist_ok=True)
    stub = folder / "naive_app.py"
    stub.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom bench.naive_page import main\nmain()\n",
                    encoding="utf-8")
    return stub


def component_args(at) -> str:
    """The map component's json_args as Streamlit sent them in this AppTest run."""
    found = [e.proto.json_args for e in at.get("component_instance")
             if any(n in e.proto.component_name for n in MAP_COMPONENTS)]
    assert len(found) == 1, f"{len(found)} map components"
    return found[0]


class Page:
    """One page under AppTest: the county filter set, a run timed."""

    def __init__(self, script: Path, token: str | None):
        from streamlit.testing.v1 import AppTest

        self.at = AppTest.from_file(str(script), default_timeout=1800)
        if token:
            self.at.session_state["auth_token"] = token
        self.at.run()
        assert not self.at.exception, self.at.exception

    def run(self, places: list[str]) -> float:
        self.at.multiselect(key="f_place").set_value(places)
        t0 = time.perf_counter()
        self.at.run()
        took = time.perf_counter() - t0
        assert not self.at.exception, self.at.exception
        return took


def server_side(facts: dict, stub: Path, token: str, repeat: int) -> dict:
    pages = {"app": Page(ROOT / "app.py", token), "naive": Page(stub, None)}
    out = {k: {"all": [], "county": []} for k in pages}
    for page in pages.values():  # warm: each filter once
        page.run([facts["county"]])
        page.run([])
    for _ in range(repeat):
        for which, places in (("county", [facts["county"]]), ("all", [])):
            for name, page in pages.items():
                out[name][which].append(page.run(places))
    result = {}
    for name, page in pages.items():
        page.run([])
        result[name] = {"rerun_all_s": statistics.median(out[name]["all"]),
                        "rerun_county_s": statistics.median(out[name]["county"]),
                        "payload_bytes": len(component_args(page.at).encode("utf-8"))}
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(script: Path, cwd: Path) -> tuple[subprocess.Popen, str]:
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--server.enableStaticServing", "true", "--browser.gatherUsageStats", "false"],
                            cwd=cwd, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not start: {script}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process, all its threads (clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _quiesce(pids: list[int], timeout_s: float = 120.0) -> None:
    """Until no server has used more than a tick of CPU for a quarter second: a page just measured
    leaves its server running (the naive page reruns itself for seconds when its map reports its
    first view), and that run would be timed into the next page's paint on a 2-core machine."""
    deadline = time.monotonic() + timeout_s
    last = {pid: _cpu_ticks(pid) for pid in pids}
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = {pid: _cpu_ticks(pid) for pid in pids}
        if all(now[p] - last[p] <= 1 for p in pids):
            return
        last = now


def _map_frame(page):
    page.wait_for_selector(", ".join(f"iframe[title*='{n}']" for n in MAP_COMPONENTS), state="attached",
                           timeout=600_000)
    while True:
        frame = next((f for f in page.frames if "/component/" in (f.url or "") and any(n in f.url for n in MAP_COMPONENTS)), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(50)


def _wait_count(page, n: int, timeout_ms: int = 900_000) -> None:
    """Until the map (its frame may be rebuilt) holds exactly n sites, and two frames later."""
    deadline = time.perf_counter() + timeout_ms / 1000
    while time.perf_counter() < deadline:
        frame = _map_frame(page)
        try:
            frame.wait_for_function(f"(n) => ({COUNT_JS})() === n", arg=n, polling=50, timeout=2_000)
            frame.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            return
        except Exception:  # noqa: BLE001 - frame replaced or not there yet: look again
            continue
    raise TimeoutError(f"the map never held {n} sites")


def _context(browser, token: str | None, sites: int):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="zh-CN")
    ctx.add_init_script(f"({PAINT_PROBE})({int(sites)});")
    if token:
        from ui.auth import COOKIE

        ctx.add_cookies([{"name": COOKIE, "value": token, "domain": "127.0.0.1", "path": "/"}])
    return ctx


def _painted(page) -> float:
    """Seconds from the page's navigation start to its map's first paint (PAINT_PROBE)."""
    page.wait_for_function("() => window.__onemapPainted !== undefined", timeout=900_000, polling=100)
    return page.evaluate("() => (window.__onemapPainted - performance.timeOrigin) / 1000")


def _paint(ctx, url: str) -> float:
    """A new tab of ctx (a new Streamlit session): navigation until the map holds every site."""
    page = ctx.new_page()
    try:
        page.goto(url)
        return _painted(page)
    finally:
        page.close()


def _paint_and_update(browser, url: str, token: str | None, facts: dict) -> tuple[float, float]:
    """A first visit (empty browser cache): first paint, then the county chosen in the filter."""
    ctx = _context(browser, token, facts["sites"])
    page = ctx.new_page()
    try:
        page.goto(url)
        paint = _painted(page)
        box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="区县/管理区")
        for attempt in range(5):  # a rerun the map itself asks for (its first value) may close the list
            page.wait_for_function(SETTLED_JS, timeout=600_000, polling=100)
            try:
                box.locator("input").first.fill(facts["county_name"])
                option = page.get_by_role("option", name=facts["county_name"], exact=True)
                option.wait_for(timeout=10_000)
                t0 = time.perf_counter()
                option.click(timeout=5_000)
                break
            except Exception:  # noqa: BLE001 - the list was redrawn: again, once the app is idle
                if attempt == 4:
                    raise
                page.keyboard.press("Escape")
        _wait_count(page, facts["county_sites"])
        return paint, time.perf_counter() - t0
    finally:
        ctx.close()


FLOOR_PAGE = """import sys
sys.path.insert(0, {root!r})
import folium
import streamlit as st
from streamlit_folium import st_folium
from onemap.assets import use_local_assets
use_local_assets()
st.set_page_config(layout="wide")
st.sidebar.multiselect("区县/管理区", ["甲", "乙"], placeholder="全部")
m = folium.Map(location=[29.3, 117.2], zoom_start=9, tiles=None)
folium.CircleMarker([29.3, 117.2], radius=6).add_to(m)
st_folium(m, height=640, returned_objects=[])
"""


def floor_stub(folder: Path) -> Path:
    """The floor: the least a Streamlit page with a Leaflet map can do (one filter widget, one
    symbol, served like the others) — what Streamlit and Leaflet cost before any data."""
    stub = folder / "floor_app.py"
    stub.write_text(FLOOR_PAGE.format(root=str(ROOT)), encoding="utf-8")
    return stub


def browser_side(facts: dict, stub: Path, token: str, repeat: int) -> dict:
    """first_paint_s / update_s: a first visit (new browser context, empty cache);
    first_paint_cached_s: a returning user (a new tab of a context that has opened the page
    before: Streamlit's and Leaflet's files in the browser cache, a new session on the server).
    The floor page is measured the same way (its 'sites' is its one symbol)."""
    from playwright.sync_api import sync_playwright

    servers = {"app": serve(ROOT / "app.py", ROOT), "naive": serve(stub, stub.parent),
               "floor": serve(floor_stub(stub.parent), stub.parent)}
    tokens = {"app": token, "naive": None, "floor": None}
    counts = {"app": facts["sites"], "naive": facts["sites"], "floor": 1}
    runs = {k: {"paint": [], "update": [], "cached": []} for k in servers}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            returning = {}
            for name, (_, url) in servers.items():  # warm: caches filled, assets in the disk cache
                if name != "floor":
                    _paint_and_update(browser, url, tokens[name], facts)
                returning[name] = _context(browser, tokens[name], counts[name])
                _paint(returning[name], url)
            pids = [proc.pid for proc, _ in servers.values()]
            for _ in range(repeat):
                for name, (_, url) in servers.items():
                    _quiesce(pids)
                    if name == "floor":
                        ctx = _context(browser, None, 1)
                        runs[name]["paint"].append(_paint(ctx, url))
                        ctx.close()
                    else:
                        paint, update = _paint_and_update(browser, url, tokens[name], facts)
                        runs[name]["paint"].append(paint)
                        runs[name]["update"].append(update)
                    _quiesce(pids)
                    runs[name]["cached"].append(_paint(returning[name], url))
            browser.close()
        out = {}
        for name, (proc, _) in servers.items():
            r = runs[name]
            out[name] = {"first_paint_s": statistics.median(r["paint"]),
                         "first_paint_cached_s": statistics.median(r["cached"]),
                         "peak_rss_mb": peak_rss_mb(proc.pid)}
            if r["update"]:
                out[name]["update_s"] = statistics.median(r["update"])
        return out
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=30)


def measure(scale: str, repeat: int, data_dir: Path | None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="onemap-compare-"))
    if data_dir is None:
        build_store(scale, tmp / "store")
    else:
        os.environ["ONEMAP_DATA_DIR"] = str(data_dir)
    facts = store_facts()
    token = bench_token()
    stub = naive_stub(tmp / "naive")
    server = server_side(facts, stub, token, repeat)
    browser = browser_side(facts, stub, bench_token(), repeat)
    return {"scale": scale, "sites": facts["sites"], "county": facts["county_name"],
            "county_sites": facts["county_sites"],
            "app": {k: {**server["app"], **browser["app"]}[k] for k in MEASURES},
            "naive": {k: {**server["naive"], **browser["naive"]}[k] for k in MEASURES},
            "floor": {k: browser["floor"][k] for k in ("first_paint_s", "first_paint_cached_s")}}


def table(r: dict) -> str:
    def fmt(key, v):
        return f"{v / 1e6:.3f} MB" if key == "payload_bytes" else f"{v:.0f} MB" if key == "peak_rss_mb" \
            else f"{v:.3f} s"

    labels = {"rerun_all_s": "server rerun, filter → all sites", "rerun_county_s":
              f"server rerun, filter → one county ({r['county_sites']} sites)", "payload_bytes": "map payload, all sites",
              "first_paint_s": "first map paint, first visit (empty browser cache), warm server",
              "first_paint_cached_s": "first map paint, returning user (browser cache), warm server",
              "update_s": "browser update, filter → one county", "peak_rss_mb": "peak RSS of the server"}
    lines = [f"{r['scale']}: {r['sites']:,} sites; {date_machine()}",
             "| measure | app | naive | naive ÷ app | floor (one symbol) |", "|---|---|---|---|---|"]
    for k in MEASURES:
        a, n = r["app"][k], r["naive"][k]
        floor = fmt(k, r["floor"][k]) if k in r["floor"] else ""
        lines.append(f"| {labels[k]} | {fmt(k, a)} | {fmt(k, n)} | {n / a:.1f}× | {floor} |")
    return "\n".join(lines)


def date_machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    return (f"{time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", choices=list(SCALES), default="demo")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data-dir", type=Path, default=None)
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    r = measure(args.scale, args.repeat, args.data_dir)
    if args.json:
        print(json.dumps({k: r[k] for k in ("scale", "sites", "app", "naive", "floor")}, ensure_ascii=False))
    else:
        print(table(r))


if __name__ == "__main__":
    main()
