"""End to end in headless Chromium: the 一张图 with more sites than the canvas threshold — a
province's 2,000; here the demo with ONEMAP_CANVAS_ABOVE=5 — draws every site on one canvas, and a
person can still use it as on the city map: as many symbols as the store has sites, a symbol's
tooltip names its site, and a park's AREA (a point of it well away from its symbol) answers the
pointer with the park's tooltip and, clicked, opens the park in the panel. Areas share the
symbols' canvas: a canvas beneath another never receives the pointer (a user trial found the
parks' areas dead at province scale when they had a canvas of their own)."""

from __future__ import annotations

import pytest

from tests import truth
from tests.browser_kit import _leaflet_frame, _settled, _shot, demo_copy, serve_app
from tests.map_frames import MAP_IFRAME

pytestmark = pytest.mark.browser

SITES_ON_CANVAS = """() => {
    let symbols = 0, dom = 0, areas = 0;
    if (!window.map || !window.L) { return {symbols: -1, dom: -1, areas: -1}; }  // the frame being redrawn
    window.map.eachLayer(l => {
        if (!l.onemapRow) { return; }
        if (l instanceof L.CircleMarker) { symbols++; }
        else if (l instanceof L.Marker) { dom++; }
        else if (l instanceof L.Polygon) { areas++; }
    });
    return {symbols, dom, areas};
}"""

# a park's area brought into view, and a point of it at least 30 px from its own symbol that no
# symbol covers: the container point and the map container's place in the frame
AREA_POINT = """(id) => {
    let area = null, symbol = null;
    window.map.eachLayer(l => {
        if (!l.onemapRow || l.onemapRow[0] !== id) { return; }
        if (l instanceof L.Polygon) { area = l; } else if (l instanceof L.CircleMarker) { symbol = l; }
    });
    if (!area || !symbol) { return null; }
    window.map.fitBounds(area.getBounds(), {animate: false, maxZoom: 17});
    const symbols = [];
    window.map.eachLayer(l => { if (l.onemapRow && l instanceof L.CircleMarker) { symbols.push(l); } });
    const b = area._pxBounds, own = symbol._point;
    for (let y = Math.ceil(b.min.y); y <= b.max.y; y += 3) {
        for (let x = Math.ceil(b.min.x); x <= b.max.x; x += 3) {
            const p = L.point(x, y);
            if (!area._containsPoint(p) || p.distanceTo(own) < 30) { continue; }
            if (symbols.some(s => s._point && p.distanceTo(s._point) < s._radius + 6)) { continue; }
            const c = window.map.layerPointToContainerPoint(p), r = window.map.getContainer().getBoundingClientRect();
            return {x: r.left + c.x, y: r.top + c.y, sx: r.left + window.map.layerPointToContainerPoint(own).x,
                    sy: r.top + window.map.layerPointToContainerPoint(own).y};
        }
    }
    return null;
}"""


@pytest.fixture(scope="module")
def canvas_server(tmp_path_factory, demo_store):
    mp = pytest.MonkeyPatch()
    mp.setenv("ONEMAP_CANVAS_ABOVE", "5")  # the served process reads it: the demo's 33 sites go on the canvas
    try:
        with demo_copy(tmp_path_factory, demo_store, "canvas"):
            yield from serve_app()
    finally:
        mp.undo()


def _frame(page):
    page.wait_for_selector(MAP_IFRAME, timeout=60_000)
    return _leaflet_frame(page)


def _tooltip(page, frame, x: float, y: float) -> str:
    """Move the pointer there (page coordinates of the frame's content, offset by the frame) and
    read the tooltip it opens."""
    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = frame.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=20_000)
    return tip.inner_text()


def test_many_sites_on_one_canvas_answer_hover_and_click_on_their_areas(canvas_server, page):
    sites = truth.sites()
    parks = {sid: s for sid, s in sites.items() if s["kind"] == "工业园区" and "POLYGON" in s["geom_wkt"].upper()}
    assert len(sites) > 5 and parks  # above the threshold; the demo's parks have areas
    page.goto(canvas_server + "/")
    frame = _frame(page)
    frame.wait_for_function(f"() => ({SITES_ON_CANVAS})().symbols === {len(sites)}", timeout=60_000, polling=200)
    drawn = frame.evaluate(SITES_ON_CANVAS)
    assert drawn == {"symbols": len(sites), "dom": 0, "areas": drawn["areas"]} and drawn["areas"] >= len(parks)
    assert frame.locator(".onemap-site").count() == 0 and frame.locator("canvas").count() >= 1
    _settled(page)

    park_id = sorted(parks)[0]
    name = parks[park_id]["name"]
    where = frame.evaluate(AREA_POINT, park_id)
    assert where is not None, f"no free point inside {park_id}'s area"
    frame.wait_for_timeout(300)  # the canvas redraws at the new view on the next frame
    assert name in _tooltip(page, frame, where["x"], where["y"])  # the area, 30 px or more from the symbol
    _shot(page, "canvas-area-tooltip.png")
    assert name in _tooltip(page, frame, where["sx"], where["sy"])  # and its symbol

    box = page.locator(MAP_IFRAME).first.bounding_box()
    page.mouse.click(box["x"] + where["x"], box["y"] + where["y"])
    page.locator("[data-testid='stMarkdownContainer'] h4", has_text=name).first.wait_for(timeout=60_000)
    _shot(page, "canvas-area-clicked.png")


def test_choosing_a_county_takes_the_map_there(canvas_server, page):
    """The county chosen in the sidebar: the map shows that county's sites and moves to it (its
    centre inside the county's outline, read from the region's file)."""
    import geopandas as gpd
    import shapely

    from geo.region import region_folder

    counties = gpd.read_file(region_folder("360200") / "counties.geojson")
    leping = counties[counties["name"] == "乐平市"].iloc[0]
    theirs = {sid for sid, s in truth.sites().items() if s["county_code"] == str(leping["adcode"])}
    page.goto(canvas_server + "/")
    frame = _frame(page)
    frame.wait_for_function("() => window.map && window.map.getZoom() !== undefined", timeout=60_000)
    _settled(page)
    start = frame.evaluate("() => window.map.getZoom()")
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="区县/管理区")
    box.locator("input").first.fill("乐平市")
    page.get_by_role("option", name="乐平市", exact=True).click()
    frame = _frame(page)
    frame.wait_for_function(f"() => ({SITES_ON_CANVAS})().symbols === {len(theirs)}", timeout=60_000, polling=200)
    frame.wait_for_function(f"() => window.map && window.map.getZoom() > {start}", timeout=30_000, polling=200)
    c = frame.evaluate("() => window.map.getCenter()")
    assert leping.geometry.envelope.contains(shapely.Point(c["lng"], c["lat"]))
    _shot(page, "canvas-county-chosen.png")
