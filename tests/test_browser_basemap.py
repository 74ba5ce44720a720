"""Basemaps end to end in headless Chromium (issue 14): the bureau's own imagery drawn from tiles
the app serves itself, 天地图 without a key leaving the map usable with the reason in Chinese,
and an MBTiles tile served over HTTP as it is held. Every request leaving the machine is blocked
and recorded; the `page` fixture asserts there were none."""

from __future__ import annotations

import os
import sqlite3
import time

import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin

from onemap import basemaps
from tests import truth
from tests.browser_kit import _map, _shot, _symbols

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def _no_tianditu_key():
    saved = os.environ.pop("ONEMAP_TIANDITU_KEY", None)
    yield
    if saved is not None:
        os.environ["ONEMAP_TIANDITU_KEY"] = saved


def _wait(count, timeout: float = 60):
    end = time.time() + timeout
    while not count() and time.time() < end:
        time.sleep(0.2)
    return count()


def _imagery(path) -> None:
    """30 km of 'imagery' around 景德镇 in CGCS2000 / GK CM 117°E (EPSG:4548): a green field with a grid."""
    x, y = Transformer.from_crs(4490, 4548, always_xy=True).transform(117.21, 29.30)
    n, res = 1500, 20.0
    data = np.zeros((3, n, n), dtype="uint8")
    data[0], data[1], data[2] = 70, 140, 60
    data[:, ::100, :] = 250
    data[:, :, ::100] = 250
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=3, dtype="uint8", crs="EPSG:4548",
                       transform=from_origin(x - n * res / 2, y + n * res / 2, res, res)) as dst:
        dst.write(data)


def test_own_imagery_is_drawn_from_the_app_only(server, page, tmp_path):
    _imagery(tmp_path / "影像.tif")
    b = basemaps.add(tmp_path / "影像.tif", "本单位影像")
    try:
        served = []
        page.on("response", lambda r: served.append((r.url, r.status, r.headers.get("content-type", "")))
                if "/app/static/basemaps/" in r.url else None)
        page.goto(server + "/")
        frame = _map(page)
        page.get_by_text("本单位影像（本地影像，离线）").click()
        frame = _map(page)
        tiles = frame.locator(f"img.leaflet-tile[src*='/app/static/basemaps/'][src*='/{b.id}/']")
        assert _wait(lambda: tiles.count()) > 0  # tile <img>s of the chosen imagery …
        assert _wait(lambda: [s for s in served if s[1] == 200])
        ok = [s for s in served if s[1] == 200]
        assert ok and all(u.startswith(server) and t == "image/png" for u, _, t in ok)  # … served by the app
        srcs = [tiles.nth(i).get_attribute("src") for i in range(tiles.count())]
        assert all(s.startswith("/app/static/basemaps/") for s in srcs)  # relative: the app's own origin
        n_sites = len(truth.sites())
        assert _symbols(frame) == n_sites  # the sites over the imagery
        assert "bm=" + b.id in page.url  # the choice is in the link
        page.wait_for_timeout(800)
        _shot(page, "basemap-own-imagery.png")
        page.set_viewport_size({"width": 1280, "height": 720})
        page.wait_for_timeout(1500)
        _shot(page, "basemap-own-imagery-1280.png")
        assert page.outside == []  # and nothing was asked of any other host
    finally:
        basemaps.remove(b.id)


def test_tianditu_without_a_key_leaves_the_map_usable_and_says_why(server, page):
    n_sites = len(truth.sites())
    page.goto(server + "/")
    _map(page)
    page.get_by_text("天地图 影像（需联网）").click()
    page.get_by_text("未配置天地图密钥").first.wait_for(timeout=60_000)  # the reason, in Chinese, on the page
    frame = _map(page)
    assert _wait(lambda: _symbols(frame) == n_sites)
    assert frame.locator("text=乐平市").count() >= 1  # the county basemap stays beneath
    assert frame.locator("img.leaflet-tile").count() == 0  # no tile asked for without a key
    assert "bm=tdt_img" in page.url
    _shot(page, "basemap-tianditu-no-key.png")


def test_mbtiles_tile_is_served_as_held(server, page, tmp_path):
    from tests.test_basemap import _png

    blob = _png((12, 34, 56))
    con = sqlite3.connect(tmp_path / "held.mbtiles")
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    con.execute("INSERT INTO tiles VALUES (13, 6773, ?, ?)", (2 ** 13 - 1 - 3406, blob))
    con.commit()
    con.close()
    b = basemaps.add(tmp_path / "held.mbtiles")
    try:
        r = page.request.get(server + b.layers[0].format(z=13, x=6773, y=3406))
        assert r.status == 200 and r.body() == blob
        assert page.request.get(server + b.layers[0].format(z=13, x=6773, y=3407)).status == 404
    finally:
        basemaps.remove(b.id)


def test_clerk_adds_and_removes_imagery_in_data_management(server, page, tmp_path):
    """数据管理 → 底图: a bad file is refused in Chinese with the typed name kept; a GeoTIFF becomes
    tiles (the confirmation names it and counts the tiles on disk) and is then offered on the map."""
    from tests.browser_kit import _settled

    page.goto(server + "/data")
    page.get_by_role("tab", name="底图").click()
    page.get_by_text("影像文件（.tif/.tiff 或 .mbtiles）").wait_for(timeout=60_000)
    bad = tmp_path / "坏文件.tif"
    bad.write_bytes(b"not a tiff at all")
    uploader = page.locator("[data-testid='stFileUploader']", has_text="影像文件").locator("input[type=file]")
    uploader.set_input_files(str(bad))
    page.get_by_text("将生成瓦片的文件：“坏文件.tif”").wait_for(timeout=60_000)  # the server holds it
    name_box = page.get_by_placeholder("如 2025年影像、1:1万地形图")
    name_box.fill("二〇二五年影像")
    name_box.press("Enter")
    _settled(page)
    page.get_by_role("button", name="生成离线瓦片").click()
    page.get_by_text("未添加底图：无法读取影像文件 坏文件.tif").wait_for(timeout=60_000)
    assert name_box.input_value() == "二〇二五年影像"
    assert basemaps.local_sources() == []
    good = tmp_path / "影像2025.tif"
    _imagery(good)
    uploader.set_input_files(str(good))
    page.get_by_text("将生成瓦片的文件：“影像2025.tif”").wait_for(timeout=60_000)
    _settled(page)
    page.get_by_role("button", name="生成离线瓦片").click()
    page.get_by_text("已添加底图“二〇二五年影像”").wait_for(timeout=180_000)
    own = basemaps.local_sources()
    assert [b.name for b in own] == ["二〇二五年影像"]
    on_disk = sum(1 for _ in (basemaps.local_root() / own[0].id / "tiles").rglob("*.png"))
    assert page.get_by_text(f"已添加底图“二〇二五年影像”：{on_disk} 块瓦片").count() == 1
    _shot(page, "basemap-data-management.png")
    page.get_by_role("button", name="删除").click()
    page.get_by_text("已删除底图“二〇二五年影像”。").wait_for(timeout=60_000)
    assert basemaps.local_sources() == []


def test_gcj02_source_says_what_it_shifts_and_keeps_every_site(server, page):
    """高德 chosen: its tiles are asked of its host (blocked here), the page says the layers are shown
    in GCJ-02 and stored in WGS84, and every site is still drawn (at 1280×720 as on a projector)."""
    page.set_viewport_size({"width": 1280, "height": 720})
    n_sites = len(truth.sites())
    page.goto(server + "/?bm=amap_vec")
    page.get_by_text("高德 地图使用 GCJ-02 坐标").first.wait_for(timeout=60_000)
    frame = _map(page)
    assert _wait(lambda: _symbols(frame) == n_sites)
    hosts = lambda: {u.split("/")[2] for u in page.outside}  # noqa: E731
    assert _wait(lambda: hosts()) and hosts() <= {f"webrd0{i}.is.autonavi.com" for i in range(1, 5)}
    _shot(page, "basemap-amap-1280.png")
    page.outside.clear()  # asked for and blocked: the chosen online source, nothing else
