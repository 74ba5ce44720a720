"""The standalone HTML map (`onemap export m.html`) as a handout, opened from disk in headless
Chromium with every request blocked: it opens fitted to the sites, and a click on a site
shows that site's tasks with their state — compared with a plain query on the store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import shapely.wkt
from sqlalchemy import select

from onemap import services, settings
from store import models as m
from store.db import reader
from tests.browser_kit import CHROMIUM, HOSTILE, SHOTS, _browser_or_skip
from tests.conftest import MANAGER_ACTOR

pytestmark = pytest.mark.browser

MAP = "() => Object.keys(window).map(k => window[k]).find(v => v instanceof L.Map)"
POPUPS = """() => {
    const map = (MAP)();
    const out = {};
    map.eachLayer(l => {
        if (!(l instanceof L.Marker) || !l.feature || !l.getPopup()) return;
        l.openPopup();
        const c = l.getPopup().getElement();  // the popup on the page, as opened
        out[l.feature.properties.i] = [...c.querySelectorAll("li.onemap-task")].map(li =>
            [li.querySelector("b").textContent, li.querySelector(".onemap-state").textContent]);
        l.closePopup();
    });
    return out;
}""".replace("MAP", MAP)


def _store_view() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]], list]:
    """Site names, each site's top-level tasks as (ref, status[·flag]) and every site's
    geometry — straight from the tables."""
    today, soon = date.today(), settings.due_soon_days()
    with reader() as s:
        sites = s.execute(select(m.Site.id, m.Site.name, m.Site.geom_wkt)).all()
        tasks = s.execute(select(m.Task.id, m.Task.ref, m.Task.deadline, m.Task.ongoing)
                          .where(m.Task.parent_id.is_(None), m.Task.archived.is_(False))).all()
        links = s.execute(select(m.TaskSite.task_id, m.TaskSite.site_id)).all()
        events = s.execute(select(m.StatusEvent.task_id, m.StatusEvent.to_status)
                           .order_by(m.StatusEvent.at, m.StatusEvent.id)).all()
    status: dict[int, str] = {}
    for tid, to in events:
        status[tid] = to  # the latest wins
    state = {}
    for tid, ref, deadline, _ongoing in tasks:
        st = status.get(tid, "未启动")
        flag = ""
        if deadline is not None and st not in ("已销号", "长期坚持"):
            flag = "逾期" if deadline < today else "临期" if deadline <= today + timedelta(days=soon) else ""
        state[tid] = (ref, st + (f"·{flag}" if flag else ""))
    by_site: dict[str, list[tuple[str, str]]] = {sid: [] for sid, _n, _g in sites}
    for tid, sid in links:
        if tid in state and state[tid] not in by_site[sid]:
            by_site[sid].append(state[tid])
    return {sid: n for sid, n, _g in sites}, by_site, [shapely.wkt.loads(g) for _s, _n, g in sites]


@pytest.fixture()
def handout(demo_dir, tmp_path):
    _browser_or_skip()
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(f"名称,类型,经度,纬度\n\"{HOSTILE}\",监测断面,117.25,29.33\n", encoding="utf-8")
    services.import_file(MANAGER_ACTOR, hostile)
    return services.standalone_html(MANAGER_ACTOR, tmp_path / "一张图.html")


def test_handout_carries_each_sites_tasks(handout):
    from playwright.sync_api import sync_playwright

    names, by_site, geoms = _store_view()
    assert sum(len(v) for v in by_site.values()) >= 30  # the demo links many tasks: not a vacuous check
    requests, dialogs = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for w, h in ((1600, 1000), (1280, 720)):
            page = browser.new_page(viewport={"width": w, "height": h})
            page.route("**/*", lambda r: (requests.append(r.request.url), r.abort())
                       if not r.request.url.startswith(("file:", "data:")) else r.continue_())
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(handout.as_uri())
            page.locator(".onemap-site").first.wait_for(timeout=30_000)
            assert page.locator(".onemap-site").count() == len(names)
            # fitted: every site (areas whole) inside the view on open
            page.wait_for_function(f"() => (({MAP})()).getZoom() > 9", timeout=30_000)
            outside = page.evaluate(
                f"""pts => {{ const b = ({MAP})().getBounds();
                    return pts.filter(p => !b.contains([p[1], p[0]])); }}""",
                [[x, y] for g in geoms for x, y in (g.bounds[:2], g.bounds[2:])])
            assert outside == []
            # a real click on 南河河口 opens its tasks
            sid = next(k for k, v in names.items() if v == "南河河口")
            icon = page.evaluate_handle(
                f"""id => {{ let el = null; ({MAP})().eachLayer(l => {{
                    if (l instanceof L.Marker && l.feature && l.feature.properties.i === id) el = l._icon; }});
                    return el; }}""", sid)
            icon.as_element().dispatch_event("click")
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for(timeout=10_000)
            assert "南河河口" in popup.inner_text() and f"相关任务 {len(by_site[sid])} 项" in popup.inner_text()
            assert "时限：" in popup.inner_text() and "责任单位：" in popup.inner_text()
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"handout-popup-{w}.png"))
            # every site's popup lists exactly the store's tasks with their state
            shown = page.evaluate(POPUPS)
            assert {k: sorted(map(tuple, v)) for k, v in shown.items()} == {k: sorted(v) for k, v in by_site.items()}
            # the hostile name is text in its popup, and nothing ran
            hid = next(k for k, v in names.items() if v == HOSTILE)
            text = page.evaluate(f"""id => {{ let t = null; ({MAP})().eachLayer(l => {{
                if (l instanceof L.Marker && l.feature && l.feature.properties.i === id) {{
                    l.openPopup(); t = l.getPopup().getElement().innerText; }} }}); return t; }}""", hid)
            assert HOSTILE in text
            assert page.locator("img[src='x']").count() == 0
            page.close()
        browser.close()
    assert requests == [] and dialogs == []
