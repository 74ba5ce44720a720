"""北京54 / 西安80 layers (issue 17): refused in Chinese without the region's 七参数, imported
with them — the position checked against a Helmert transform computed here by hand (numpy,
position-vector convention, EPSG 9606), never against pyproj's datum machinery. pyproj is
used only for the map projection (Gauss-Krüger on the datum's own ellipsoid, no datum shift)
to write the fixture's projected coordinates."""

from __future__ import annotations

import json
import math
import zipfile
from datetime import date

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as hs
from pyproj import CRS, Geod, Transformer
from shapely.geometry import Point
from sqlalchemy import select

from domain.actors import Actor
from domain.filtering import Filters
from geo.datums import DATUM_ATTR, DatumError, SevenParams, old_datum
from ingest.report import ImportFailed
from onemap import datums, features, reflayers, services
from onemap.cli import main
from store import models as m
from store.db import reader
from tests.conftest import MANAGER_ACTOR, db_counts, page_test

GEOD = Geod(ellps="WGS84")
ARCSEC = math.pi / 180 / 3600
ELLIPSOIDS = {"西安80": (6378140.0, 1 / 298.257), "北京54": (6378245.0, 1 / 298.3), "WGS84": (6378137.0, 1 / 298.257223563)}
# a bureau's parameter set (illustrative values of the usual size: ~100 m translations, arc-second rotations)
PV = (-12.4, 112.6, 52.3, 1.2, -0.8, 2.1, 3.5)
PV_TEXT = ",".join(map(str, PV))
CF_TEXT = ",".join(map(str, (*PV[:3], -PV[3], -PV[4], -PV[5], PV[6])))  # the same set, coordinate-frame rotations
CONTROL = (117.2134, 29.2925)  # a control point in 景德镇 (CGCS2000 ≈ WGS84 lon, lat; illustrative)


# ----------------------------------------------------------------------------- hand Helmert
def to_ecef(lon, lat, h, ell):
    a, f = ELLIPSOIDS[ell]
    e2 = f * (2 - f)
    lo, la = math.radians(lon), math.radians(lat)
    n = a / math.sqrt(1 - e2 * math.sin(la) ** 2)
    return np.array([(n + h) * math.cos(la) * math.cos(lo), (n + h) * math.cos(la) * math.sin(lo),
                     (n * (1 - e2) + h) * math.sin(la)])


def from_ecef(v, ell):
    a, f = ELLIPSOIDS[ell]
    e2 = f * (2 - f)
    x, y, z = v
    lon = math.atan2(y, x)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        n = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        h = p / math.cos(lat) - n
        lat = math.atan2(z, p * (1 - e2 * n / (n + h)))
    return math.degrees(lon), math.degrees(lat), h


def helmert_matrix(params, convention="pv"):
    dx, dy, dz, rx, ry, rz, ds = params
    rx, ry, rz = (r * ARCSEC for r in (rx, ry, rz))
    if convention == "cf":
        rx, ry, rz = -rx, -ry, -rz
    r = np.array([[1, -rz, ry], [rz, 1, -rx], [-ry, rx, 1]])
    return np.array([dx, dy, dz]), (1 + ds * 1e-6) * r


def old_to_wgs(lon, lat, datum, params, convention="pv"):
    t, r = helmert_matrix(params, convention)
    return from_ecef(t + r @ to_ecef(lon, lat, 0.0, datum), "WGS84")[:2]


def wgs_to_old(lon, lat, datum, params):
    """The control point's coordinates on the old datum: the inverse of the PV Helmert, then its
    latitude/longitude on that datum's ellipsoid (height as PROJ carries it: the source's h is 0)."""
    t, r = helmert_matrix(params)
    guess = np.linalg.solve(r, to_ecef(lon, lat, 0.0, "WGS84") - t)
    lo, la, _h = from_ecef(guess, datum)
    for _ in range(5):  # the point whose h=0 image lands on the control point (PROJ drops h)
        back = old_to_wgs(lo, la, datum, params)
        lo, la = lo + (lon - back[0]), la + (lat - back[1])
    return lo, la


def metres(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_hand_helmert_conventions_differ_and_the_sign_matters():
    lon, lat = wgs_to_old(*CONTROL, "西安80", PV)
    assert metres(old_to_wgs(lon, lat, "西安80", PV), CONTROL) < 1e-4
    # read as coordinate frame, the same numbers put the point tens of metres elsewhere: a sign mix-up
    # in the code would fail the 0.01 m checks below by far
    assert metres(old_to_wgs(lon, lat, "西安80", PV, "cf"), CONTROL) > 50
    assert metres((lon, lat), CONTROL) > 30  # the ballpark (lat/lon kept) would be this far off


# ----------------------------------------------------------------------------- fixtures
def _gk(epsg: int, lon: float, lat: float) -> tuple[float, float]:
    """Projection only (Gauss-Krüger on the datum's own ellipsoid): the base CRS → its projection."""
    crs = CRS.from_epsg(epsg)
    t = Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True)
    return t.transform(lon, lat)


def xian80_gk_shapefile(tmp_path, name="西安80断面") -> tuple:
    lon, lat = wgs_to_old(*CONTROL, "西安80", PV)
    x, y = _gk(2363, lon, lat)  # zone 39, eastings prefixed 39xxxxxx
    assert 39_000_000 < x < 40_000_000
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    gdf = gpd.GeoDataFrame({"名称": [name], "类型": ["监测断面"]}, geometry=[Point(x, y)], crs="EPSG:2363")
    gdf.to_file(folder / "sites.shp", encoding="utf-8")
    prj = (folder / "sites.prj").read_text()
    assert "Xian_1980" in prj and "AUTHORITY" not in prj  # a .prj as ArcGIS writes it: names, no EPSG code
    z = tmp_path / "xian80_sites.zip"
    with zipfile.ZipFile(z, "w") as f:
        for p in folder.iterdir():
            f.write(p, p.name)
    return z, (x, y)


def beijing54_geojson(tmp_path, name="北京54水源地") -> tuple:
    lon, lat = wgs_to_old(*CONTROL, "北京54", PV)
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4214"}},
           "features": [{"type": "Feature", "properties": {"名称": name, "类型": "饮用水水源地"},
                         "geometry": {"type": "Point", "coordinates": [lon, lat]}}]}
    p = tmp_path / "beijing54.geojson"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p, (lon, lat)


def xian80_reference(tmp_path) -> tuple:
    """A small 生态保护红线 square around the control point, in 西安80 GK CM 117°E (EPSG:2384)."""
    corners_wgs = [(CONTROL[0] + dx, CONTROL[1] + dy) for dx, dy in ((0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01))]
    ring = [_gk(2384, *wgs_to_old(lo, la, "西安80", PV)) for lo, la in corners_wgs]
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2384"}},
           "features": [{"type": "Feature", "properties": {"名称": "测试红线"},
                         "geometry": {"type": "Polygon", "coordinates": [[*map(list, ring), list(ring[0])]]}}]}
    p = tmp_path / "redline_xian80.geojson"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return p, corners_wgs


def _site(name):
    with reader() as s:
        return s.scalar(select(m.Site).where(m.Site.name == name))


# ----------------------------------------------------------------------------- refusals
def test_recognised_from_epsg_and_from_prj_names():
    for code, want in ((4214, "北京54"), (4610, "西安80"), (2363, "西安80"), (2384, "西安80"), (2327, "西安80"),
                       (2349, "西安80"), (2390, "西安80"), (2401, "北京54"), (2415, "北京54"), (2442, "北京54"),
                       (21413, "北京54"), (21423, "北京54"), (4490, None), (4548, None), (4326, None)):
        assert old_datum(CRS.from_epsg(code)) == want, code
        if code != 4326:
            assert old_datum(CRS(CRS.from_epsg(code).to_wkt("WKT1_ESRI"))) == want, code
    assert old_datum(CRS('GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,'
                         '298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]')) == "北京54"


def _refused(fn, datum):
    before = db_counts()
    with pytest.raises(ImportFailed) as exc:
        fn()
    text = " ".join(f"{p.problem} {p.fix}" for p in exc.value.report.errors)
    assert f"属于{datum}" in text and "七参数" in text and "米" in text and "未导入" in text
    assert "57–69 米" in text  # 北京54's EPSG parameter sets evaluated at 景德镇's centre (geo.datums)
    assert db_counts() == before  # nothing written
    return text


def test_refused_without_parameters_and_nothing_written(demo_dir, tmp_path):
    shp, _xy = xian80_gk_shapefile(tmp_path)
    gj, _ll = beijing54_geojson(tmp_path)
    ref, _c = xian80_reference(tmp_path)
    t1 = _refused(lambda: services.import_file(MANAGER_ACTOR, shp), "西安80")
    assert "EPSG:2363" in t1 or "Xian" in t1
    _refused(lambda: services.import_file(MANAGER_ACTOR, gj), "北京54")
    _refused(lambda: reflayers.add_layer(MANAGER_ACTOR, ref, name="测试红线"), "西安80")
    assert reflayers.layers().empty
    csv = tmp_path / "gk.csv"
    x, y = _gk(2384, *wgs_to_old(*CONTROL, "西安80", PV))
    csv.write_text(f"名称,类型,X,Y\n表格断面,监测断面,{x},{y}\n", encoding="utf-8")
    _refused(lambda: services.import_file(MANAGER_ACTOR, csv, crs="EPSG:2384", x_col="X", y_col="Y"), "西安80")


# ----------------------------------------------------------------------------- with parameters
@pytest.mark.parametrize("convention,text", [("position_vector", PV_TEXT), ("coordinate_frame", CF_TEXT)])
def test_with_parameters_the_control_point_lands_on_its_cgcs2000_position(demo_dir, tmp_path, convention, text):
    datums.set_params(MANAGER_ACTOR, "西安80", text, convention)
    datums.set_params(MANAGER_ACTOR, "北京54", text, convention)
    shp, _xy = xian80_gk_shapefile(tmp_path)
    gj, _ll = beijing54_geojson(tmp_path)
    out = services.import_file(MANAGER_ACTOR, shp)
    assert any("七参数" in w.problem for w in out.report.warnings)  # never silent
    services.import_file(MANAGER_ACTOR, gj)
    for name, datum, crs in (("西安80断面", "西安80", "EPSG:2363+七参数"), ("北京54水源地", "北京54", "EPSG:4214+七参数")):
        site = _site(name)
        got = shapely.from_wkt(site.geom_wkt)
        assert metres((got.x, got.y), CONTROL) < 0.01, name  # the known point, via the hand inverse
        lon, lat = wgs_to_old(*CONTROL, datum, PV)
        assert metres((got.x, got.y), old_to_wgs(lon, lat, datum, PV)) < 0.01  # = the hand forward Helmert
        assert site.source_crs == crs
        note = site.attrs[DATUM_ATTR]
        assert note.startswith(datum) and "ΔX=-12.4 m" in note and "εX=1.2″" in note and "尺度=3.5 ppm" in note
        # a desktop GIS reading the layer over the OGC API sees the same record
        served = features.site_features(services.active_region(), site.kind, Filters(as_of=date.today()))
        props = dict(zip(served["fid"], served["properties"], strict=True))[site.id]
        assert (props[DATUM_ATTR], props["来源坐标系"]) == (note, crs)
    with reader() as s:
        row = s.scalars(select(m.AuditEntry).where(m.AuditEntry.object_type == "点位图层")
                        .order_by(m.AuditEntry.id.desc())).first()
    assert row.after["source_crs"] == "EPSG:4214+七参数" and "ΔY=112.6 m" in row.after["坐标转换"][0]


def test_reference_layer_with_parameters(demo_dir, tmp_path):
    datums.set_params(MANAGER_ACTOR, "西安80", PV_TEXT)
    ref, corners = xian80_reference(tmp_path)
    out = reflayers.add_layer(MANAGER_ACTOR, ref, name="测试红线")
    assert out.source_crs == "EPSG:2384+七参数"
    f = reflayers.layer_features(int(reflayers.layers().iloc[0]["id"]))
    got = shapely.get_coordinates(f.geometry.iloc[0])
    for c in corners:
        assert min(metres(c, tuple(g)) for g in got) < 0.01
    assert "ΔZ=52.3 m" in f["attrs"].iloc[0][DATUM_ATTR]


# ----------------------------------------------------------------------------- parameters in
@pytest.mark.parametrize("text,words", [
    ("1,2,3,4,5,6", "7 个数"), ("1,2,3,4,5,6,7,8", "7 个数"), ("a,2,3,4,5,6,7", "不是数字"),
    ("1,2,3,4,5,6,nan", "有限"), ("5000,0,0,0,0,0,0", "平移量超出"), ("0,0,0,0.0001,0.00002,1.2,0", ""),
    ("0,0,0,120,0,0,0", "旋转量超出"), ("0,0,0,0,0,0,1000", "尺度量超出"), ("", "7 个数"),
])
def test_bad_parameters_are_refused_in_chinese_and_nothing_stored(data_dir, text, words, capsys):
    if not words:  # a valid set (tiny rotations) is accepted
        assert datums.set_params(MANAGER_ACTOR, "西安80", text).rz == 1.2
        return
    with pytest.raises(DatumError, match=words):
        datums.set_params(MANAGER_ACTOR, "西安80", text)
    assert "西安80" not in datums.configured()
    assert main(["datum", "set", "西安80", f"--towgs84={text}"]) == 1
    assert words in capsys.readouterr().err
    assert datums.configured() == {}


def test_cli_sets_and_lists_and_other_roles_are_refused(data_dir, capsys):
    assert main(["datum", "set", "xian 1980", f"--towgs84={CF_TEXT}", "--convention", "coordinate_frame"]) == 0
    assert datums.configured()["西安80"] == SevenParams(*PV)  # stored position vector
    assert main(["datum", "list"]) == 0
    out = capsys.readouterr().out
    assert "西安80\tΔX=-12.4 m" in out and "北京54\t未设置" in out
    assert main(["datum", "set", "东京", "--towgs84=1,2,3,4,5,6,7"]) == 1
    assert "未知的坐标系基准" in capsys.readouterr().err
    leader = Actor("t-leader", "领导（测试）", "领导", "市生态环境局")
    with pytest.raises(services.ServiceError, match="不能设置坐标转换七参数"):
        datums.set_params(leader, "北京54", PV_TEXT)
    assert "北京54" not in datums.configured()


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.floats(allow_nan=True, allow_infinity=True, width=32), min_size=0, max_size=9),
       hs.sampled_from([",", "，", " ", ";"]))
def test_parameter_parser_never_crashes(values, sep):
    text = sep.join(str(v) for v in values)
    try:
        p = SevenParams.parse(text)
    except DatumError as exc:
        assert str(exc)  # a Chinese reason, never a traceback
        return
    assert len(values) == 7 and p == SevenParams(*[float(v) for v in values])


# ----------------------------------------------------------------------------- the page
def test_page_refuses_then_imports_after_the_parameters_are_saved(demo_dir, tmp_path):
    shp, _xy = xian80_gk_shapefile(tmp_path, "页面西安80断面")
    at = page_test("data_view").run()
    at.file_uploader(key="layer_upload").set_value((shp.name, shp.read_bytes(), "application/zip"))
    at.run()
    at.button(key="layer_check").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "未写入任何数据" in errors and "属于西安80" in shown and "七参数" in shown
    assert _site("页面西安80断面") is None
    # a bad parameter set: refused in Chinese, the typed text kept
    at.text_input(key="datum_text").input("1,2,3").run()
    at.button(key="datum_save").click().run()
    assert "未保存：七参数应为 7 个数" in " ".join(e.value for e in at.error)
    assert at.text_input(key="datum_text").value == "1,2,3"
    assert "西安80" not in datums.configured()
    at.selectbox(key="datum_which").select("西安80")
    at.text_input(key="datum_text").input(PV_TEXT).run()
    at.button(key="datum_save").click().run()
    assert any("已保存西安80七参数：ΔX=-12.4 m" in s.value for s in at.success)
    assert datums.configured()["西安80"] == SevenParams(*PV)
    at.button(key="layer_check").click().run()
    at.button(key="layer_go").click().run()
    assert not at.exception
    assert any("已导入" in s.value for s in at.success)
    site = _site("页面西安80断面")
    got = shapely.from_wkt(site.geom_wkt)
    assert metres((got.x, got.y), CONTROL) < 0.01 and site.source_crs == "EPSG:2363+七参数"
