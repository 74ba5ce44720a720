"""Leader journey in a real browser: 领导总览 answers "哪个区县最差". The choropleth opens
fitted to the city, its legend reads as whole-number ranges, and the overdue figure shown for
each county and zone equals a plain count from the store. Screenshots at 1600×1000 and 1280×720."""

from __future__ import annotations

import re
from datetime import date

import pytest

from onemap import services
from tests.browser_kit import _shot
from tests.map_frames import MAP_IFRAME, is_map_url
from tests.store_counts import count

MAP_JS = """() => {
  const b = window.map.getBounds();  // streamlit-folium keeps the Leaflet map as window.map
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
}"""


def _overview_frame(pg):
    pg.locator(".onemap-choro-legend").first.wait_for(timeout=90_000)
    pg.wait_for_selector(MAP_IFRAME, timeout=60_000)
    for _ in range(120):
        for f in pg.frames:
            # the choropleth is the map with zone labels (the hot-spot map also labels counties)
            if is_map_url(f.url) and f.locator(".onemap-zone-label").count():
                return f
        pg.wait_for_timeout(500)
    raise AssertionError("the choropleth did not render")


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 720)])
def test_overview_choropleth_answers_which_county_is_worst(server, page, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{server}/overview")
    frame = _overview_frame(page)
    legend = page.locator(".onemap-choro-legend").first
    legend.scroll_into_view_if_needed()
    # legend: whole-number ranges for counts ("0", "1–2", "3–5"), never "3–4, 4–5"
    labels = [t.strip() for t in legend.locator(".onemap-legend-class").all_inner_texts()]
    assert labels, "legend without classes"
    assert all(re.fullmatch(r"\d+(–\d+)?", t) for t in labels), labels
    # each legend colour is a fill on the map
    legend_colours = set(legend.locator(".onemap-legend-class").evaluate_all(
        "els => els.map(e => e.dataset.color.toLowerCase())"))
    fills = set(frame.locator("path.leaflet-interactive").evaluate_all(
        "els => els.map(e => (e.getAttribute('fill') || '').toLowerCase())"))
    assert legend_colours <= fills, (legend_colours, fills)
    # the map opens on the whole city, and the city fills the frame (not a fifth of it)
    region = services.active_region()
    minx, miny, maxx, maxy = region.bbox
    for _ in range(60):  # the frame settles its size after the first paint: wait for the fit
        w, s, e, n = frame.evaluate(MAP_JS)
        if w <= minx and s <= miny and e >= maxx and n >= maxy:
            break
        page.wait_for_timeout(500)
    assert w <= minx and s <= miny and e >= maxx and n >= maxy, ((w, s, e, n), region.bbox)
    assert (maxy - miny) / (n - s) > 0.8 or (maxx - minx) / (e - w) > 0.8, ((w, s, e, n), region.bbox)
    # the overdue figure on each county and zone equals the store's
    want = count(date.today())
    shown = {}
    for text in frame.locator(".onemap-county-label, .onemap-zone-label").all_inner_texts():
        name, number = re.fullmatch(r"(\S+?)\s*(\d+)", text.strip()).groups()
        shown[name] = int(number)
    expect = {p.name: len(want.place_overdue[p.code]) for p in region.places.local_places()}
    assert shown == expect
    # zone labels lie wholly inside the map frame (not cut at its edge)
    box = frame.locator(".leaflet-container").first.bounding_box()
    for lab in frame.locator(".onemap-zone-label > div").all():
        b = lab.bounding_box()
        assert box["x"] <= b["x"] and b["x"] + b["width"] <= box["x"] + box["width"], (b, box)
    # and the page says why they add up to more than the city's total
    summed = sum(len(v) for v in want.place_overdue.values())
    note = page.get_by_text(f"各地区逾期合计 {summed} 项，多于全市逾期总数 {len(want.overdue)} 项")
    note.first.wait_for(timeout=30_000)
    page.locator("h4", has_text="按地区").first.scroll_into_view_if_needed()
    _shot(page, f"journey_overview_{size[0]}x{size[1]}.png")
