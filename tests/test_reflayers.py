"""Reference layers (参考图层): import through the service and the command line, stored as
WGS84 with provenance, refusals in Chinese that write nothing, permissions and the audit
trail. Expected values are computed here from the fixture files with pyproj and plain
loops (tests/reflayer_fixtures.py), never by the code under test. Runs on PostgreSQL too."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from pyproj import Geod, Transformer
from sqlalchemy import text

from domain.actors import FILLER, Actor
from ingest.report import ImportFailed
from onemap import reflayers, services, settings
from onemap.cli import main
from store.db import get_engine
from store.geometry import Geometry
from tests.conftest import MANAGER_ACTOR
from tests.reflayer_fixtures import REDLINE, RIVERS, gbk_rivers_zip, redline_features

GEOD = Geod(ellps="WGS84")
TO_WGS = Transformer.from_crs("EPSG:4548", "EPSG:4326", always_xy=True)


def _rows(sql: str, **params) -> list[tuple]:
    with get_engine(settings.database_url()).connect() as c:
        return [tuple(r) for r in c.execute(text(sql).columns(geom_wkt=Geometry()), params)]  # WKT on PostGIS too


def _ref_counts() -> tuple[int, int]:
    return _rows("SELECT count(*) FROM ref_layers")[0][0], _rows("SELECT count(*) FROM ref_features")[0][0]


def _task_counts() -> tuple:
    return _rows("SELECT (SELECT count(*) FROM sites), (SELECT count(*) FROM tasks), (SELECT count(*) FROM task_sites)")[0]


def _max_error_m(stored_wkt: str, projected_rings: list[list[list[float]]]) -> float:
    """Largest distance (metres, on the ellipsoid) from any vertex of pyproj's transform of the
    fixture to the nearest stored vertex, and back (ring start and orientation may differ)."""
    expected = [TO_WGS.transform(x, y) for ring in projected_rings for x, y in ring]
    got = [tuple(c) for c in shapely.get_coordinates(shapely.from_wkt(stored_wkt))]
    assert len(got) == len(expected)

    def nearest(a, pool):
        return min(GEOD.inv(a[0], a[1], b[0], b[1])[2] for b in pool)

    return max([nearest(a, got) for a in expected] + [nearest(b, expected) for b in got])


def _rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    return [ring for poly in geometry["coordinates"] for ring in poly]


def test_geojson_in_4548_is_stored_in_wgs84_within_a_metre(demo_dir):
    before = _task_counts()
    out = reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    fixture = redline_features()
    assert (out.feature_count, out.source_crs, out.family, out.kind) == (len(fixture), "EPSG:4548", "Polygon", "redline")
    layers = _rows("SELECT id, name, kind, geometry_type, feature_count, source_file, source_crs, created_by "
                   "FROM ref_layers")
    assert len(layers) == 1
    lid, name, kind, gtype, count, source_file, source_crs, created_by = layers[0]
    assert (name, kind, gtype, count, source_file, source_crs) == (
        "生态保护红线", "redline", "Polygon", 3, "redline_4548.geojson", "EPSG:4548")
    assert created_by == f"{MANAGER_ACTOR.display_name}（{MANAGER_ACTOR.username}）"
    stored = _rows("SELECT position, name, geom_wkt, attrs FROM ref_features WHERE layer_id = :l ORDER BY position",
                   l=lid)
    assert [r[0] for r in stored] == [1, 2, 3]
    for (pos, fname, wkt, attrs), feat in zip(stored, fixture, strict=True):
        assert fname == feat["properties"]["名称"]
        attrs = json.loads(attrs) if isinstance(attrs, str) else attrs
        assert attrs == {"编码": feat["properties"]["编码"]}
        assert _max_error_m(wkt, _rings(feat["geometry"])) < 1.0, pos
    assert _task_counts() == before  # never mixed with the task data


def test_gbk_shapefile_names_and_lines(demo_dir, tmp_path):
    path = gbk_rivers_zip(tmp_path / "fx")
    out = reflayers.add_layer(MANAGER_ACTOR, path, name="河流")
    assert (out.feature_count, out.family, out.kind, out.source_crs) == (2, "LineString", "river", "EPSG:4548")
    stored = _rows("SELECT f.name, f.geom_wkt FROM ref_features f JOIN ref_layers l ON l.id = f.layer_id "
                   "WHERE l.name = '河流' ORDER BY f.position")
    assert [r[0] for r in stored] == list(RIVERS)
    for (_n, wkt), coords in zip(stored, RIVERS.values(), strict=True):
        assert _max_error_m(wkt, [coords]) < 1.0


def test_outside_the_region_is_refused_in_chinese_and_nothing_written(demo_dir, tmp_path):
    # the fixture moved to Beijing (lon/lat, EPSG:4326): far outside 景德镇市
    far = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "北京某红线"},
         "geometry": {"type": "Polygon", "coordinates": [[[116.3, 39.9], [116.4, 39.9], [116.4, 40.0], [116.3, 39.9]]]}}]}
    p = tmp_path / "far.geojson"
    p.write_text(json.dumps(far, ensure_ascii=False), encoding="utf-8")
    audit_before = _rows("SELECT count(*) FROM audit_log")[0][0]
    with pytest.raises(ImportFailed) as exc:
        reflayers.add_layer(MANAGER_ACTOR, p, name="生态保护红线")
    assert "位置在景德镇市范围之外" in exc.value.report.text()
    assert "未写入任何数据" in exc.value.report.text()
    assert _ref_counts() == (0, 0)
    assert _rows("SELECT count(*) FROM audit_log")[0][0] == audit_before


@pytest.mark.parametrize(("payload", "reason"), [
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"名称": "点"},
                                                 "geometry": {"type": "Point", "coordinates": [117.2, 29.3]}}]},
     "参考图层只能是面或线"),
    ({"type": "FeatureCollection", "features": []}, "图层没有要素"),
    ("not json at all", "无法读取文件"),
])
def test_bad_files_are_refused_with_a_reason(demo_dir, tmp_path, payload, reason):
    p = tmp_path / "bad.geojson"
    p.write_text(payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        reflayers.add_layer(MANAGER_ACTOR, p, name="坏图层")
    assert reason in exc.value.report.text()
    assert _ref_counts() == (0, 0)


def test_a_bad_feature_among_good_ones_writes_nothing(demo_dir, tmp_path):
    """All-or-nothing: two good features and one with an infinite coordinate → nothing stored."""
    fc = json.loads(REDLINE.read_text(encoding="utf-8"))
    fc["features"][2]["geometry"] = {"type": "LineString", "coordinates": [[540000.0, 3260000.0], [541000.0, 3261000.0]]}
    p = tmp_path / "mixed.geojson"
    p.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        reflayers.add_layer(MANAGER_ACTOR, p, name="混合")
    assert "同一参考图层中既有面又有线" in exc.value.report.text()
    assert _ref_counts() == (0, 0)


def test_duplicate_name_and_bad_style_are_refused(demo_dir):
    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    with pytest.raises(ImportFailed) as exc:
        reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    # the typed name is named as the form names it, not as a column of the file (user trial)
    assert exc.value.report.text().splitlines()[1] == (
        "  - 图层名称，值“生态保护红线”：已有同名的参考图层。请换一个名称，或先在“已有参考图层”中删除原图层"
        "（命令行：onemap layer remove）")
    with pytest.raises(ImportFailed) as exc:
        reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="  ")
    assert exc.value.report.text().splitlines()[1] == "  - 图层名称：没有填写图层名称。请填写名称，如 生态保护红线"
    with pytest.raises(ImportFailed) as exc:
        reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="另一个", style="color=green")
    assert "应为 #RRGGBB 形式" in exc.value.report.text()
    assert _ref_counts() == (1, 3)


def test_style_defaults_by_name_and_overrides(demo_dir, tmp_path):
    reflayers.add_layer(MANAGER_ACTOR, gbk_rivers_zip(tmp_path / "a"), name="主要道路", style="weight=4,color=#112233")
    style = _rows("SELECT kind, style FROM ref_layers")[0]
    st = json.loads(style[1]) if isinstance(style[1], str) else style[1]
    assert style[0] == "road"
    assert (st["color"], st["weight"], st["fill_color"]) == ("#112233", 4.0, "#BDBDBD")


def test_a_filler_may_not_add_or_remove_and_the_refusal_is_audited(demo_dir):
    filler = Actor("t-filler", "填报员", FILLER, "乐平市生态环境局", "360281")
    with pytest.raises(services.ServiceError) as exc:
        reflayers.add_layer(filler, REDLINE, name="生态保护红线")
    assert "不能导入数据" in str(exc.value)
    assert _ref_counts() == (0, 0)
    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    with pytest.raises(services.ServiceError):
        reflayers.remove_layer(filler, "生态保护红线")
    assert _ref_counts() == (1, 3)
    denied = _rows("SELECT username, action FROM audit_log WHERE username = 't-filler' ORDER BY id")
    assert denied == [("t-filler", "拒绝操作"), ("t-filler", "拒绝操作")]


def test_add_and_remove_are_audited(demo_dir):
    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    n = reflayers.remove_layer(MANAGER_ACTOR, "生态保护红线")
    assert n == 3 and _ref_counts() == (0, 0)
    rows = _rows("SELECT username, action, object_type, object_id, summary FROM audit_log "
                 "WHERE object_type = '参考图层' ORDER BY id")
    assert [r[:4] for r in rows] == [("t-manager", "导入", "参考图层", "生态保护红线"),
                                     ("t-manager", "删除", "参考图层", "生态保护红线")]
    assert "3 个要素" in rows[0][4] and "EPSG:4548" in rows[0][4]
    with pytest.raises(services.ServiceError) as exc:
        reflayers.remove_layer(MANAGER_ACTOR, "生态保护红线")
    assert "没有名为“生态保护红线”的参考图层" in str(exc.value)


def test_command_line_add_list_remove(demo_dir, capsys):
    assert main(["layer", "add", str(REDLINE), "--name", "生态保护红线", "--dry-run"]) == 0
    assert "预览（未写入）" in capsys.readouterr().out and _ref_counts() == (0, 0)
    assert main(["layer", "add", str(REDLINE), "--name", "生态保护红线"]) == 0
    assert "3 个要素，原坐标系 EPSG:4548" in capsys.readouterr().out
    assert main(["layer", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and listed[0].startswith("生态保护红线\t生态保护红线\t面\t3 个要素\tredline_4548.geojson")
    assert main(["layer", "add", str(REDLINE), "--name", "x", "--kind", "不存在"]) == 1
    assert "未知的参考图层类别" in capsys.readouterr().err
    assert main(["layer", "remove", "生态保护红线"]) == 0
    assert "已删除参考图层“生态保护红线”（3 个要素）" in capsys.readouterr().out
    assert _ref_counts() == (0, 0)


def test_no_crs_needs_one_named(demo_dir, tmp_path):
    fc = json.loads(REDLINE.read_text(encoding="utf-8"))
    fc.pop("crs")  # a GeoJSON without crs member is read as WGS84 by GDAL: metres then are out of range
    p = tmp_path / "nocrs.geojson"
    p.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportFailed) as exc:
        reflayers.add_layer(MANAGER_ACTOR, p, name="生态保护红线")
    assert "坐标超出经纬度范围" in exc.value.report.text()
    assert _ref_counts() == (0, 0)


def test_geod_sanity():
    """The 1 m bound above is meaningful: 1e-5° of longitude here is about a metre."""
    d = GEOD.inv(117.2, 29.3, 117.2 + 1e-5, 29.3)[2]
    assert 0.9 < d < 1.0 and math.isfinite(d)


def test_map_script_escapes_names_and_classes_each_feature(demo_dir):
    """The drawn layer: one row per stored feature, names escaped (the fixture's second name
    carries <b>…</b>), the layer's CSS class and its pane; the legend names the layer."""
    import folium

    from layers.reference import prepare_layer, reference_groups, reference_legend_html

    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线<i>")
    row = reflayers.layers().iloc[0]
    layer = prepare_layer(row["id"], row["name"], row["kind"], row["style"], row["geometry_type"],
                          reflayers.layer_features(int(row["id"])))
    assert [r[0] for r in layer.rows] == [
        f["properties"]["名称"].replace("<", "&lt;").replace(">", "&gt;") for f in redline_features()]
    m = folium.Map(tiles=None)
    for fg in reference_groups([layer]):
        fg.add_to(m)
    page = m.get_root().render()
    assert "<b>昌江</b>" not in page and "生态保护红线<i>" not in page
    assert f'"onemap-ref-{row["id"]}"' in page and 'createPane("onemapRef")' in page
    legend = reference_legend_html([layer])
    assert "生态保护红线&lt;i&gt;（3）" in legend and "<i>" not in legend


@pytest.mark.parametrize(("suffix", "driver", "crs"), [(".gpkg", "GPKG", "EPSG:4548"), (".kml", "KML", "EPSG:4326")])
def test_geopackage_and_kml_are_read_the_same_way(demo_dir, tmp_path, suffix, driver, crs):
    """The fixture written out as GeoPackage (keeps EPSG:4548) and KML (WGS84 by definition)
    by geopandas: the same three features, each within a metre of pyproj's transform."""
    import geopandas as gpd

    src = gpd.read_file(REDLINE)
    out = tmp_path / f"红线{suffix}"
    src.to_crs(crs).to_file(out, driver=driver)
    done = reflayers.add_layer(MANAGER_ACTOR, out, name="生态保护红线")
    assert (done.feature_count, done.source_crs) == (3, crs)
    stored = _rows("SELECT name, geom_wkt FROM ref_features ORDER BY position")
    for (fname, wkt), feat in zip(stored, redline_features(), strict=True):
        assert fname == feat["properties"]["名称"]
        assert _max_error_m(wkt, _rings(feat["geometry"])) < 1.0
