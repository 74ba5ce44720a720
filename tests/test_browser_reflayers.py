"""Reference layers in a real browser (headless Chromium, offline): a file outside the city
is refused in Chinese with the typed name kept and nothing stored; the fixture file is then
added on 数据管理 › 参考图层, the map draws one SVG path per feature (counted against the
fixture file read here), the legend names the layer, and the layer control hides and shows
it. Requests leaving the machine fail the test (tests/browser_kit.py)."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import text

from onemap import settings
from store.db import get_engine
from tests.browser_kit import _map, _settled, _shot
from tests.reflayer_fixtures import REDLINE, redline_features

pytestmark = pytest.mark.browser
NAME = "生态保护红线"


def _wait_until(count, expected: int, timeout: float = 60) -> int:
    end = time.time() + timeout
    n = count()
    while n != expected and time.time() < end:
        time.sleep(0.2)
        n = count()
    return n


def _layers() -> list[tuple]:
    engine = get_engine(settings.database_url())
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT id, name, feature_count FROM ref_layers ORDER BY id"))]


def _uploader(page):
    return page.locator("[data-testid='stFileUploader']", has_text="参考图层文件").locator("input[type=file]")


def _open_tab(page, server):
    page.goto(f"{server}/data")
    page.get_by_role("tab", name="参考图层").click()
    page.get_by_role("button", name="导入参考图层").wait_for(timeout=60_000)


def test_add_a_reference_layer_and_see_it_on_the_map(server, page, tmp_path):
    expected = len(redline_features())  # 3, read from the fixture file itself
    page.set_viewport_size({"width": 1600, "height": 1000})
    _open_tab(page, server)

    # refused: the same shapes moved to Beijing — Chinese reason, the typed name kept, nothing stored
    far = json.loads(REDLINE.read_text(encoding="utf-8"))
    far.pop("crs")
    for f in far["features"]:
        f["geometry"] = {"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0], [116.3, 39.9]]]}
    bad = tmp_path / "北京红线.geojson"
    bad.write_text(json.dumps(far, ensure_ascii=False), encoding="utf-8")
    _uploader(page).set_input_files(str(bad))
    page.get_by_text("将导入的文件：“北京红线.geojson”").wait_for(timeout=60_000)  # the server holds it
    name_box = page.get_by_label("图层名称")
    name_box.fill(NAME)
    name_box.press("Enter")
    _settled(page)
    page.get_by_role("button", name="导入参考图层").click()
    refusal = page.locator("[data-testid='stAlert']", has_text="未导入，未写入任何数据")
    refusal.wait_for(timeout=60_000)
    assert "第1个要素“geometry”列" in refusal.inner_text() and "位置在景德镇市范围之外" in refusal.inner_text()
    assert name_box.input_value() == NAME
    assert _layers() == []
    _shot(page, "reflayer_refused_1600.png")

    # accepted: the fixture in EPSG:4548
    _uploader(page).set_input_files(str(REDLINE))
    page.get_by_text("将导入的文件：“redline_4548.geojson”").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="导入参考图层").click()
    done = page.locator("[data-testid='stAlert']", has_text="已导入参考图层")
    done.wait_for(timeout=60_000)
    assert f"已导入参考图层“{NAME}”：{expected} 个面要素" in done.inner_text()
    stored = _layers()
    assert [(n, c) for _i, n, c in stored] == [(NAME, expected)]
    layer_id = stored[0][0]
    page.get_by_text(f"已有参考图层（{len(stored)} 个）").wait_for(timeout=30_000)
    _shot(page, "reflayer_added_1600.png")

    # the map: one path per feature in the layer's class, the legend names it
    page.goto(server + "/")
    frame = _map(page)
    paths = frame.locator(f"path.onemap-ref-{layer_id}")
    assert _wait_until(paths.count, expected) == expected
    legend = page.locator(".onemap-ref-legend")
    legend.wait_for(timeout=30_000)
    assert f"{NAME}（{expected}）" in legend.inner_text()
    # beneath the sites: the layer's pane is below the overlay pane of the site areas
    z = frame.locator(".leaflet-onemapRef-pane").evaluate("e => getComputedStyle(e).zIndex")
    assert int(z) < 400
    # escaped: the name with markup is data, not markup (no <b> made from it inside the map)
    assert frame.locator("b", has_text="昌江").count() == 0
    _shot(page, "reflayer_map_1600.png")

    # toggled off and on in the layer control
    frame.locator(".leaflet-control-layers").hover()
    box = frame.locator(".leaflet-control-layers-overlays label", has_text=f"参考：{NAME}").locator("input")
    box.wait_for(timeout=30_000)
    assert box.is_checked()
    box.uncheck()
    assert _wait_until(paths.count, 0) == 0
    _shot(page, "reflayer_hidden_1600.png")
    box.check()
    assert _wait_until(paths.count, expected) == expected

    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(server + "/")
    frame = _map(page)
    assert _wait_until(frame.locator(f"path.onemap-ref-{layer_id}").count, expected) == expected
    _shot(page, "reflayer_map_1280.png")


HOVER_JS = """el => {
    const p = el.getPointAtLength(el.getTotalLength() / 2), m = el.getScreenCTM();
    const x = m.a * p.x + m.c * p.y + m.e, y = m.b * p.x + m.d * p.y + m.f;
    for (const t of ["mouseover", "mousemove"]) {
        el.dispatchEvent(new MouseEvent(t, {clientX: x, clientY: y, bubbles: true}));
    }
}"""


def _tooltip_of(frame, path) -> str:
    """Hover a path at a point on its outline (events sent to the path itself, so a site symbol
    drawn above it cannot take them) and read the tooltip it opens."""
    path.evaluate(HOVER_JS)
    tip = frame.locator(".leaflet-tooltip").last
    tip.wait_for(timeout=30_000)
    text = tip.inner_text()
    path.evaluate("el => el.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}))")
    frame.locator(".leaflet-tooltip").first.wait_for(state="detached", timeout=30_000)
    return text


def test_lines_from_a_gbk_shapefile_with_names_as_text(server, page, tmp_path):
    from onemap import reflayers
    from tests.browser_kit import HOSTILE
    from tests.conftest import MANAGER_ACTOR
    from tests.reflayer_fixtures import RIVERS, gbk_rivers_zip

    reflayers.add_layer(MANAGER_ACTOR, gbk_rivers_zip(tmp_path / "fx"), name="河流")
    road = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": HOSTILE},
            "geometry": {"type": "LineString", "coordinates": [[117.20, 29.30], [117.25, 29.32]]}}]}
    p = tmp_path / "road.geojson"
    p.write_text(json.dumps(road, ensure_ascii=False), encoding="utf-8")
    reflayers.add_layer(MANAGER_ACTOR, p, name="道路")
    ids = {n: i for i, n, _c in _layers()}
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.goto(server + "/")
    frame = _map(page)
    rivers = frame.locator(f"path.onemap-ref-{ids['河流']}")
    assert _wait_until(rivers.count, len(RIVERS)) == len(RIVERS)
    _settled(page)  # the map's own first rerun (its extent sent back) may draw it again: hover after that
    names = {_tooltip_of(frame, rivers.nth(k)).split("\n")[-1] for k in range(len(RIVERS))}
    assert names == set(RIVERS)  # GBK names read right, shown as written
    roads = frame.locator(f"path.onemap-ref-{ids['道路']}")
    assert _wait_until(roads.count, 1) == 1
    assert HOSTILE in _tooltip_of(frame, roads.first)
    assert frame.locator("img[src='x']").count() == 0
    legend = page.locator(".onemap-ref-legend").inner_text()
    assert "河流（2）" in legend and "道路（1）" in legend
    _shot(page, "reflayer_lines_1600.png")
