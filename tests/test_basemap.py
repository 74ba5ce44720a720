"""Basemaps (issue 14): the bureau's GeoTIFF/MBTiles as tiles, GCJ-02 drawing and clicks, the
basemap in the URL and saved views. Positions are checked in metres (pyproj Geod) against
values computed independently here (pyproj transforms, prcoords), never against the code under test."""

from __future__ import annotations

import io
import json
import math
import sqlite3
from pathlib import Path

import numpy as np
import prcoords
import pytest
import rasterio
from PIL import Image
from pyproj import Geod, Transformer
from rasterio.transform import from_origin

from onemap import basemaps, meetings

GEOD = Geod(ellps="WGS84")
MARK = (117.2034, 29.3121)  # lon, lat of the marked pixel's centre (景德镇, inside GK zone CM 117°E)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def gk_tiff(path: Path, size: int = 400, res: float = 5.0, at: tuple[float, float] = MARK) -> tuple[float, float]:
    """A grey GeoTIFF in EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger CM 117E) with one red pixel
    whose centre is `at` (MARK); returns the marked pixel's (col, row)."""
    fwd = Transformer.from_crs(4490, 4548, always_xy=True)
    mx, my = fwd.transform(*at)
    col, row = size * 157 // 400, size * 241 // 400
    x0, y0 = mx - (col + 0.5) * res, my + (row + 0.5) * res
    data = np.full((3, size, size), 128, dtype="uint8")
    data[:, row, col] = (255, 0, 0)
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=3, dtype="uint8",
                       crs="EPSG:4548", transform=from_origin(x0, y0, res, res)) as dst:
        dst.write(data)
    return col, row


@pytest.fixture()
def own_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ONEMAP_DATA_DIR", str(tmp_path / "data"))
    yield tmp_path
    for b in basemaps.local_sources():  # the published copies live in the checkout's static/
        basemaps.remove(b.id)


def test_geotiff_in_gauss_kruger_lands_at_its_longitude_latitude(own_dir):
    gk_tiff(own_dir / "gk.tif")
    b = basemaps.add(own_dir / "gk.tif", "高斯影像")
    assert b.type == "local" and b.label == "高斯影像（本地影像，离线）"
    meta = basemaps.local_meta(b.id)
    assert meta["source_crs"] == "EPSG:4548"
    # 5 m ground pixels at 29.3°N are 5.73 m in Web Mercator: zoom 15 (4.78 m) is the first no larger
    z = meta["max_zoom"]
    assert z == 15
    folder = basemaps.published(b.id) / str(z)
    # the reddest tile pixel, wherever it landed
    best = None
    for f in folder.rglob("*.png"):
        a = np.asarray(Image.open(f).convert("RGBA")).astype(int)
        score = a[..., 0] - a[..., 1]
        k = np.unravel_index(score.argmax(), score.shape)
        if best is None or score[k] > best[0]:
            best = (score[k], int(f.parent.name), int(f.stem), k[1], k[0])
    _, x, y, px, py = best
    # the pixel centre → Web Mercator metres → lon/lat, by the tile arithmetic written out here
    size = 2 * math.pi * 6378137 / 2 ** z / 256
    mx = -math.pi * 6378137 + (x * 256 + px + 0.5) * size
    my = math.pi * 6378137 - (y * 256 + py + 0.5) * size
    lon, lat = Transformer.from_crs(3857, 4326, always_xy=True).transform(mx, my)
    ground_pixel = size * math.cos(math.radians(MARK[1]))
    assert metres((lon, lat), MARK) <= ground_pixel  # within one tile pixel (4.2 m here)
    # outside the image the tiles are transparent, inside opaque
    corner = np.asarray(Image.open(next(folder.rglob("*.png"))).convert("RGBA"))[..., 3]
    assert set(np.unique(corner)) <= {0, 255}
    assert basemaps.get(b.id).layers[0].endswith(f"/{b.id}/{{z}}/{{x}}/{{y}}.png")


def _png(color) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buf, "PNG")
    return buf.getvalue()


def mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes]) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "t"), ("format", "png")])
    for (z, x, y), blob in tiles.items():  # XYZ given, stored as TMS rows
        con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2 ** z - 1 - y, blob))
    con.commit()
    con.close()


def test_mbtiles_serves_the_tile_it_holds(own_dir):
    held = {(12, 3386, 1703): _png((10, 200, 30)), (11, 1693, 851): _png((200, 10, 30))}
    mbtiles(own_dir / "own.mbtiles", held)
    b = basemaps.add(own_dir / "own.mbtiles")
    assert b.name == "own"
    meta = basemaps.local_meta(b.id)
    assert (meta["min_zoom"], meta["max_zoom"], meta["tiles"]) == (11, 12, 2)
    template = b.layers[0]
    for (z, x, y), blob in held.items():
        url = template.format(z=z, x=x, y=y)
        assert url.startswith("/app/static/basemaps/")
        served = basemaps.STATIC_DIR.parent / url.removeprefix("/app/static/")  # what Streamlit serves there
        assert served.read_bytes() == blob


def test_bad_files_are_refused_in_chinese_and_nothing_is_left(own_dir):
    (own_dir / "x.tif").write_bytes(b"not a tiff")
    with pytest.raises(basemaps.BasemapError, match="无法读取影像文件"):
        basemaps.add(own_dir / "x.tif")
    with pytest.raises(basemaps.BasemapError, match="不支持的文件类型"):
        basemaps.add(own_dir / "x.jpg")
    with pytest.warns(rasterio.errors.NotGeoreferencedWarning), rasterio.open(own_dir / "nocrs.tif", "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8") as d:
        d.write(np.zeros((1, 4, 4), dtype="uint8"))
    with pytest.raises(basemaps.BasemapError, match="没有坐标系"):
        basemaps.add(own_dir / "nocrs.tif")
    assert basemaps.local_sources() == []
    assert [p.name for p in basemaps.local_root().iterdir()] == []


def test_remove_takes_the_tiles_and_their_published_copy(own_dir):
    gk_tiff(own_dir / "gk.tif", size=64)
    b = basemaps.add(own_dir / "gk.tif", "临时")
    pub = basemaps.published(b.id)
    assert any(pub.rglob("*.png"))
    with pytest.raises(basemaps.BasemapError, match="已有名为“临时”"):
        basemaps.add(own_dir / "gk.tif", "临时")
    basemaps.remove("临时")
    assert not pub.exists() and not (basemaps.local_root() / b.id).exists()


# ----------------------------------------------------------------------------- registry and keys
def test_tianditu_key_from_the_environment_never_from_the_repo(own_dir, monkeypatch):
    monkeypatch.delenv("ONEMAP_TIANDITU_KEY", raising=False)
    vec = basemaps.get("tdt_vec")
    assert vec.missing_key and "未配置天地图密钥" in vec.blank_reason() and "ONEMAP_TIANDITU_KEY" in vec.blank_reason()
    assert all("tk={key}" in u for u in vec.layers)  # the template, no key in data/config
    assert [u.split("/")[3] for u in vec.urls()] == ["vec_w", "cva_w"]
    monkeypatch.setenv("ONEMAP_TIANDITU_KEY", "abc123")
    vec = basemaps.get("tdt_vec")
    assert not vec.missing_key and all(u.endswith("tk=abc123") for u in vec.urls())
    assert vec.credit == "底图：天地图 矢量（天地图 · 国家地理信息公共服务平台），审图号：GS(2024)0650号"
    assert {b.id: b.crs for b in basemaps.sources()}["amap_vec"] == "GCJ02"


def test_intranet_source_and_key_from_the_data_directory(own_dir, monkeypatch):
    monkeypatch.delenv("ONEMAP_TIANDITU_KEY", raising=False)
    cfg = {"keys": {"tianditu": "k9"},
           "sources": [{"id": "gov_tdt", "name": "政务外网天地图", "type": "xyz", "crs": "CGCS2000",
                        "layers": ["http://10.1.2.3/vec/{z}/{x}/{y}.png"], "attribution": "省政务外网"}],
           "overrides": {"tdt_img": {"approval": "GS(2025)0001号"}}}
    (own_dir / "data").mkdir(exist_ok=True)
    (own_dir / "data" / "basemaps.json").write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    gov = basemaps.get("gov_tdt")
    assert gov.label == "政务外网天地图（内网）" and "内网瓦片服务" in gov.blank_reason()
    assert basemaps.get("tdt_vec").urls()[0].endswith("tk=k9")
    assert basemaps.get("tdt_img").approval == "GS(2025)0001号"
    cfg["sources"][0]["type"] = "wms"
    (own_dir / "data" / "basemaps.json").write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(basemaps.config.ConfigError, match=r"basemaps.json 中 sources\[0\].type"):
        basemaps.sources()


# ----------------------------------------------------------------------------- GCJ-02
def test_a_site_drawn_on_a_gcj02_basemap_sits_on_the_shifted_position(demo_dir):
    """The map's HTML (as the browser gets it) carries the site at prcoords' GCJ-02 position."""

    from onemap import services
    from store.db import reader
    from store.queries import sites_frame
    from ui.views.map_view import base_map, site_layers

    with reader() as s:
        sites = sites_frame(s)
    pt = sites[sites.geometry.geom_type == "Point"].iloc[0]
    region = services.active_region()
    from geo.gcj import Datum
    from layers.sites import prepare_geometry

    bm = basemaps.get("amap_vec")
    prepared = prepare_geometry(sites, {c.code: c.name for c in region.places.counties}, datum=bm.datum)
    layers = site_layers(prepared, [pt["id"]], None)
    m = base_map(region, bm)
    for g in layers.groups:
        g.add_to(m)
    page = m.get_root().render()
    from layers.sites import page_layers

    row = next(r for _, rows in page_layers(page) for r in rows if r[0] == pt["id"])
    drawn = (float(row[2]), float(row[3]))
    want = prcoords.wgs_gcj((pt.geometry.y, pt.geometry.x))
    assert metres(drawn, (want.lon, want.lat)) < 1.0
    assert metres(drawn, (pt.geometry.x, pt.geometry.y)) > 100  # it did move (≈ 500 m here)
    assert "webrd0{s}.is.autonavi.com" in page
    assert json.dumps("© 高德地图 AutoNavi 审图号：GS(2023)551号")[1:-1] in page  # the map's attribution
    # on a WGS84 basemap the same site is drawn where it is stored
    plain = prepare_geometry(sites, {}, datum=Datum("WGS84")).frame.loc[pt["id"]]
    assert metres((plain["lon"], plain["lat"]), (pt.geometry.x, pt.geometry.y)) < 1.0


def test_a_start_clicked_on_a_gcj02_basemap_is_used_in_wgs84(demo_dir, monkeypatch):
    """A trip start clicked on 高德 is planned and exported from its WGS84 position."""
    from streamlit.testing.v1 import AppTest  # noqa: F401 - AppTest via page_test

    import ui.views.field_view as fv
    from tests.conftest import page_test, sign_in

    wgs = (117.2480, 29.2960)
    g = prcoords.wgs_gcj((wgs[1], wgs[0]))
    monkeypatch.setattr(fv, "st_folium", lambda m, key=None, **kw: {"last_clicked": {"lat": g.lat, "lng": g.lon}}
                        if key == "trip_map" else {})
    at = sign_in(page_test("field_view", signed_in=False), "王五", "市生态环境保护综合执法支队", "填报", "360281")
    at.query_params["bm"] = "amap_vec"
    at.query_params["place"] = "360281"
    at.query_params["kind"] = "矿山修复点"
    at.run()
    assert not at.exception
    assert at.radio(key="basemap").value == "amap_vec"
    assert any("GCJ-02" in c.value for c in at.caption)
    at.radio(key="trip_base").set_value("地图上点击的位置").run()
    at.button(key="trip_from_filters").click().run()
    at.button(key="trip_plan").click().run()
    assert not at.exception
    plan = at.session_state["trip_result"]
    assert plan.base_name == "地图选点"
    assert metres(plan.base, wgs) < 0.2  # the WGS84 position, not the clicked GCJ-02 one (≈ 500 m away)
    assert metres((g.lon, g.lat), wgs) > 100


def test_shift_geojson_moves_every_position_and_back():
    from geo.gcj import gcj_to_wgs, shift_geojson

    poly = {"type": "Polygon", "coordinates": [[[117.1, 29.2], [117.3, 29.2], [117.3, 29.4], [117.1, 29.2]]]}
    out = shift_geojson({"type": "Feature", "properties": {"a": 1}, "geometry": poly})
    for (x, y), (gx, gy) in zip(poly["coordinates"][0], out["geometry"]["coordinates"][0], strict=True):
        want = prcoords.wgs_gcj((y, x))
        assert metres((gx, gy), (want.lon, want.lat)) < 0.01
        assert metres(gcj_to_wgs(gx, gy), (x, y)) < 0.05
    assert out["properties"] == {"a": 1} and poly["coordinates"][0][0] == [117.1, 29.2]  # the input untouched


# ----------------------------------------------------------------------------- URL and saved views
def test_the_basemap_round_trips_through_the_url_and_a_saved_view(demo_dir, monkeypatch):
    from tests.conftest import app_test
    from ui import present

    monkeypatch.delenv("ONEMAP_TIANDITU_KEY", raising=False)
    at = app_test(bm="tdt_img").run()
    assert not at.exception
    assert at.radio(key="basemap").value == "tdt_img"
    assert any("未配置天地图密钥" in w.value for w in at.warning)  # why the imagery stays blank
    at.radio(key="basemap").set_value("osm").run()
    assert at.query_params["bm"] in (["osm"], "osm")  # the link carries the choice
    at.session_state["_apply_view"] = {"title": "影像", "page": "map", "params": {"bm": "amap_img"}}
    at.run()  # a saved view being played
    assert at.radio(key="basemap").value == "amap_img"
    assert at.query_params["bm"] in (["amap_img"], "amap_img")
    at.radio(key="basemap").set_value("county").run()
    assert "bm" not in at.query_params  # the default is not spelled out in the link
    assert "bm" in present.VIEW_PARAMS  # what a saved view keeps of the URL


# ----------------------------------------------------------------------------- maps that leave the app
def test_standalone_html_names_its_basemap_and_what_was_left_out(demo_dir, tmp_path):
    import html as html_mod

    from onemap import services
    from tests.conftest import MANAGER_ACTOR

    page = services.standalone_html(MANAGER_ACTOR, tmp_path / "a.html", basemap="tdt_img").read_text(encoding="utf-8")
    county = json.loads((basemaps.config.settings.CONFIG_DIR / "basemaps.json").read_text(encoding="utf-8"))
    credit = "底图：区县矢量底图（" + county["sources"][0]["attribution"] + "）"
    assert html_mod.escape(credit) in page
    assert html_mod.escape("所选底图“天地图 影像”未嵌入（在线瓦片需联网），此处为随文件的区县底图") in page
    assert "tianditu" not in page  # nothing in the file asks an outside host
    plain = services.standalone_html(MANAGER_ACTOR, tmp_path / "b.html").read_text(encoding="utf-8")
    assert html_mod.escape(credit) in plain and "未嵌入" not in plain


def test_deck_maps_carry_the_basemap_credit(demo_dir, tmp_path, monkeypatch):
    import exports.deck as deck
    from tests.conftest import MANAGER_ACTOR

    seen = []
    real = deck.render_map
    monkeypatch.setattr(deck, "render_map", lambda *a, **kw: (seen.append(kw.get("credit")), real(*a, **kw))[1])
    meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "d.pptx")
    assert len(seen) >= 2 and set(seen) == {basemaps.get("county").credit}  # every map slide


def test_a_saved_view_on_own_imagery_gets_it_beneath_its_deck_map(demo_dir, tmp_path, monkeypatch):
    import exports.deck as deck
    from tests.conftest import MANAGER_ACTOR

    x, y = Transformer.from_crs(4490, 4548, always_xy=True).transform(117.21, 29.30)
    n, res = 600, 50.0
    data = np.zeros((3, n, n), dtype="uint8")
    data[0], data[1], data[2] = 70, 140, 60
    with rasterio.open(tmp_path / "img.tif", "w", driver="GTiff", width=n, height=n, count=3, dtype="uint8",
                       crs="EPSG:4548", transform=from_origin(x - n * res / 2, y + n * res / 2, res, res)) as d:
        d.write(data)
    monkeypatch.setenv("ONEMAP_DATA_DIR", str(demo_dir))
    b = basemaps.add(tmp_path / "img.tif", "会议影像")
    try:
        seen = []
        real = deck.render_map
        monkeypatch.setattr(deck, "render_map", lambda *a, **kw: (seen.append(kw), real(*a, **kw))[1])
        view = {"title": "城区", "page": "map", "params": {}, "bounds": [[29.2, 117.1], [29.4, 117.32]],
                "center": [29.3, 117.21], "zoom": 11}
        meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "a.pptx",
                              sequence=[{**view, "params": {"bm": b.id}}, view])
        own, plain = seen
        assert own["credit"] == "底图：会议影像（本单位影像：img.tif（EPSG:4548））"
        assert plain["credit"] == basemaps.get("county").credit and plain["imagery"] is None
        rgba = own["imagery"][0]
        assert ((rgba[..., 0] == 70) & (rgba[..., 1] == 140) & (rgba[..., 2] == 60)).any()
    finally:
        basemaps.remove(b.id)


def test_cli_add_list_remove_with_audit(demo_dir, tmp_path, capsys):
    from sqlalchemy import text

    from onemap import cli
    from store.db import reader

    gk_tiff(tmp_path / "gk.tif", size=64)
    assert cli.main(["basemap", "add", str(tmp_path / "gk.tif"), "--name", "一号影像"]) == 0
    out = capsys.readouterr()
    b = basemaps.find_local("一号影像")
    tiles = sum(1 for _ in (basemaps.local_root() / b.id / "tiles").rglob("*.png"))
    assert f"已添加底图“一号影像”（{b.id}）：{tiles} 块瓦片" in out.out and "生成瓦片" in out.err  # the progress bar
    assert cli.main(["basemap", "list"]) == 0
    assert f"{b.id}" in capsys.readouterr().out
    assert cli.main(["basemap", "remove", "无此底图"]) == 1
    assert "没有名为“无此底图”的本地底图" in capsys.readouterr().err
    assert cli.main(["basemap", "remove", "一号影像"]) == 0
    with reader() as s:
        rows = s.execute(text("SELECT action, object_id FROM audit_log WHERE object_type = '底图' ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("导入", b.id), ("设置", b.id)]
    assert basemaps.local_sources() == []


def test_imagery_of_another_place_is_refused_and_nothing_is_kept(demo_dir, tmp_path):
    """A sheet near 武汉 (about 1,100 km from 景德镇): in everyone's basemap list it would be
    invisible at the city's extent (user trial)."""
    from sqlalchemy import text

    from onemap import services
    from store.db import reader
    from tests.conftest import MANAGER_ACTOR

    gk_tiff(tmp_path / "wuhan.tif", size=64, at=(114.30, 30.60))
    with pytest.raises(basemaps.BasemapError, match=r"^影像范围距景德镇市边界约 \d+ 公里，不在本市范围内"):
        basemaps.add_as(MANAGER_ACTOR, tmp_path / "wuhan.tif", "武汉影像")
    assert basemaps.local_sources() == []
    assert [p.name for p in basemaps.local_root().iterdir()] == [] if basemaps.local_root().exists() else True
    with reader() as s:
        assert s.execute(text("SELECT count(*) FROM audit_log WHERE object_type = '底图'")).scalar() == 0
    # the city's own imagery is still taken
    gk_tiff(tmp_path / "own.tif", size=64)
    b = basemaps.add_as(MANAGER_ACTOR, tmp_path / "own.tif", "本市影像")
    assert [x.id for x in basemaps.local_sources()] == [b.id]
    basemaps.remove(b.id)
    assert services.active_region().name == "景德镇市"


def test_finest_zoom_follows_the_pixel_size():
    from geo.tiles import zoom_for_resolution

    pixel = [2 * math.pi * 6378137 / 256 / 2 ** z for z in range(23)]  # Web-Mercator metres per tile pixel
    assert zoom_for_resolution(5.73) == 15  # 4.78 m: the first no larger (zoom 14, 9.55 m, is 67 % coarser)
    assert zoom_for_resolution(1.147) == 17  # 1.194 m is within 10 %: zoom 18 would add nothing
    assert zoom_for_resolution(pixel[12]) == 12 and zoom_for_resolution(pixel[12] * 0.95) == 12
    assert zoom_for_resolution(pixel[12] * 0.85) == 13


def test_a_paletted_map_keeps_its_colours(own_dir):
    """A 1-band GeoTIFF with a colour table (as topographic sheets often are) is tiled in its colours."""
    fwd = Transformer.from_crs(4490, 4548, always_xy=True)
    mx, my = fwd.transform(*MARK)
    data = np.zeros((1, 64, 64), dtype="uint8")
    data[0, 20:40, 20:40] = 1
    with rasterio.open(own_dir / "pal.tif", "w", driver="GTiff", width=64, height=64, count=1, dtype="uint8",
                       crs="EPSG:4548", transform=from_origin(mx - 320, my + 320, 10, 10), photometric="palette") as d:
        d.write(data)
        d.write_colormap(1, {0: (255, 255, 255, 255), 1: (200, 30, 40, 255)})
    b = basemaps.add(own_dir / "pal.tif", "地形图")
    z = basemaps.local_meta(b.id)["max_zoom"]
    colours = set()
    for f in (basemaps.published(b.id) / str(z)).rglob("*.png"):
        a = np.asarray(Image.open(f).convert("RGBA"))
        colours |= {tuple(int(v) for v in px) for px in a[a[..., 3] == 255][:, :3]}
    assert colours == {(255, 255, 255), (200, 30, 40)}  # the table's colours, not grey indices


def test_own_imagery_is_shown_whole_when_chosen():
    """Chosen at the city's extent a 5 km sheet was a speck (user trial): the map opens on it, at
    the finest zoom where the whole sheet spans at most 800 px (web-mercator pixel size, computed
    here from the tile formula)."""
    from geo.gcj import Datum
    from ui.views.map_view import imagery_view

    def px_wide(bounds, z):  # the sheet's width or height in screen pixels at zoom z, whichever is larger
        w, s, e, n = bounds
        y = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
        return max((e - w) / 360, (y(n) - y(s)) / (2 * math.pi)) * 256 * 2 ** z

    for bounds in [(117.105, 28.947, 117.155, 28.993), (116.5, 28.5, 117.9, 29.9), (117.2, 29.3, 117.201, 29.301)]:
        centre, z = imagery_view(bounds, Datum())
        assert centre == ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
        assert px_wide(bounds, z) <= 800 and (z == 18 or px_wide(bounds, z + 1) > 800), (bounds, z)
