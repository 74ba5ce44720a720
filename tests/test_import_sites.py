"""Site import: each bad input writes nothing and is reported per row in Chinese."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as hs
from pyproj import Transformer
from shapely.geometry import Point, Polygon

from ingest.report import ImportFailed
from onemap import services
from tests.conftest import MANAGER_ACTOR, db_counts

NANHE = (117.2010, 29.3230)  # a point in 珠山区


def write_csv(path: Path, rows: list[dict], encoding="utf-8") -> Path:
    pd.DataFrame(rows).to_csv(path, index=False, encoding=encoding)
    return path


def fails(path, **kw):
    before = db_counts()
    with pytest.raises(ImportFailed) as exc:
        services.import_file(MANAGER_ACTOR, path, **kw)
    assert db_counts() == before, "a failed import must not write anything"
    return exc.value.report


def test_csv_with_degrees(data_dir, tmp_path):
    f = write_csv(tmp_path / "s.csv", [
        {"名称": "甲断面", "类型": "监测断面", "经度": NANHE[0], "纬度": NANHE[1], "控制级别": "国控", "目标水质": "III"},
        {"名称": "乙水源", "类型": "饮用水水源地", "经度": 117.2080, "纬度": 29.3790, "服务人口": "12000"},
    ])
    out = services.import_file(MANAGER_ACTOR, f)
    assert out.counts == {"新增": 2, "变更": 0, "不变": 0}
    from store.db import reader
    from store.queries import sites_frame

    with reader() as s:
        sites = sites_frame(s)
    a = sites[sites["name"] == "甲断面"].iloc[0]
    assert a["county_code"] == "360203" and a["attrs"] == {"control_level": "国控", "target_class": "Ⅲ类"}
    assert a["source_crs"] == "EPSG:4326"
    assert sites[sites["name"] == "乙水源"].iloc[0]["attrs"]["population"] == 12000
    # same file again: unchanged; edited: changed
    assert services.import_file(MANAGER_ACTOR, f).counts == {"新增": 0, "变更": 0, "不变": 2}
    f2 = write_csv(tmp_path / "s2.csv", [{"名称": "甲断面", "类型": "监测断面", "经度": NANHE[0] + 0.001, "纬度": NANHE[1]}])
    assert services.import_file(MANAGER_ACTOR, f2, dry_run=True).counts == {"新增": 0, "变更": 1, "不变": 0}
    assert db_counts()["sites"] == 2


def test_gbk_csv(data_dir, tmp_path):
    f = write_csv(tmp_path / "g.csv", [{"名称": "丙断面", "类型": "监测断面", "lon": NANHE[0], "lat": NANHE[1]}], "gbk")
    assert services.import_file(MANAGER_ACTOR, f).counts["新增"] == 1


def test_swapped_lat_lon_is_a_row_error(data_dir, tmp_path):
    f = write_csv(tmp_path / "s.csv", [
        {"名称": "好", "类型": "监测断面", "经度": NANHE[0], "纬度": NANHE[1]},
        {"名称": "反", "类型": "监测断面", "经度": NANHE[1], "纬度": NANHE[0]},
    ])
    r = fails(f)
    assert [(e.row, e.problem) for e in r.errors] == [(3, "经度和纬度填反了")]


def test_outside_region_needs_allow_outside(data_dir, tmp_path):
    f = write_csv(tmp_path / "s.csv", [{"名称": "上游断面", "类型": "监测断面", "经度": 118.2, "纬度": 29.6}])
    r = fails(f)
    assert r.errors[0].row == 2 and "范围之外" in r.errors[0].problem and "--allow-outside" in r.errors[0].fix
    out = services.import_file(MANAGER_ACTOR, f, allow_outside=True)
    assert out.counts["新增"] == 1


def test_projected_table_needs_crs(data_dir, tmp_path):
    t = Transformer.from_crs(4326, 4548, always_xy=True)
    x, y = t.transform(*NANHE)
    f = write_csv(tmp_path / "p.csv", [{"名称": "投影点", "类型": "监测断面", "x": round(x, 3), "y": round(y, 3)}])
    r = fails(f)
    assert "没有指定坐标系" in r.errors[0].problem and "EPSG:4534" in r.errors[0].fix
    services.import_file(MANAGER_ACTOR, f, crs="EPSG:4548")
    from store.db import reader
    from store.queries import sites_frame

    with reader() as s:
        g = sites_frame(s).iloc[0]
    assert g.geometry.x == pytest.approx(NANHE[0], abs=1e-6) and g.geometry.y == pytest.approx(NANHE[1], abs=1e-6)
    assert g["source_crs"] == "EPSG:4548"


def test_zone_prefixed_gauss_kruger_hint(data_dir, tmp_path):
    t = Transformer.from_crs(4326, 4527, always_xy=True)
    x, y = t.transform(*NANHE)
    f = write_csv(tmp_path / "p.csv", [{"名称": "带号点", "类型": "监测断面", "X": x, "Y": y}])
    assert "EPSG:4527" in fails(f).errors[0].fix
    assert services.import_file(MANAGER_ACTOR, f, crs="EPSG:4527").counts["新增"] == 1


def test_bad_rows_report_every_problem(data_dir, tmp_path):
    f = write_csv(tmp_path / "bad.csv", [
        {"编号": "A1", "名称": "", "类型": "监测断面", "经度": NANHE[0], "纬度": NANHE[1], "控制级别": "国控"},
        {"编号": "A1", "名称": "二", "类型": "湖泊", "经度": NANHE[0], "纬度": NANHE[1], "控制级别": "国控"},
        {"编号": "A3", "名称": "三", "类型": "监测断面", "经度": "abc", "纬度": NANHE[1], "控制级别": "国控"},
    ])
    r = fails(f)
    # every problem at once (issue 19): the unreadable coordinate, and the other rows' own problems
    assert sorted((e.row, e.column) for e in r.errors) == [(2, "名称"), (3, "类型"), (3, "编号"), (4, "经度")]
    f = write_csv(tmp_path / "bad2.csv", [
        {"编号": "A1", "名称": "", "类型": "监测断面", "经度": NANHE[0], "纬度": NANHE[1], "控制级别": "国控"},
        {"编号": "A1", "名称": "二", "类型": "湖泊", "经度": NANHE[0], "纬度": NANHE[1], "控制级别": "国控"},
        {"编号": "A3", "名称": "三", "类型": "监测断面", "经度": NANHE[0], "纬度": NANHE[1], "控制级别": "部控"},
    ])
    r = fails(f)
    got = [(e.row, e.column, e.problem) for e in r.errors]
    assert (2, "名称", "名称为空") in got
    assert (3, "类型", "未知的点位类型") in got
    assert (3, "编号", "编号与第2行重复") in got
    assert (4, "控制级别", "“控制级别”不是可选值") in got
    assert "导入失败" in r.text() and "第4行" in r.text()


def test_county_column_must_agree(data_dir, tmp_path):
    f = write_csv(tmp_path / "c.csv", [{"名称": "甲", "类型": "监测断面", "区县": "乐平市", "经度": NANHE[0], "纬度": NANHE[1]}])
    assert "与所填区县不一致" in fails(f).errors[0].problem


def _shapefile_zip(tmp_path: Path, *, cpg: bool, prj: bool, encoding="gbk") -> Path:
    gdf = gpd.GeoDataFrame({"名称": ["南河河口断面", "湖田桥"], "类型": ["监测断面", "监测断面"]},
                           geometry=[Point(*NANHE), Point(117.23, 29.27)], crs="EPSG:4490")
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    pyogrio.write_dataframe(gdf, shp_dir / "sections.shp", encoding=encoding)
    z = tmp_path / "sections.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in shp_dir.iterdir():
            if (p.suffix == ".cpg" and not cpg) or (p.suffix == ".prj" and not prj):
                continue
            zf.write(p, p.name)
    return z


def test_zipped_shapefile_gbk_without_cpg(data_dir, tmp_path):
    z = _shapefile_zip(tmp_path, cpg=False, prj=True)
    assert services.import_file(MANAGER_ACTOR, z).counts["新增"] == 2
    from store.db import reader
    from store.queries import sites_frame

    with reader() as s:
        sites = sites_frame(s)
    assert sorted(sites["name"]) == ["南河河口断面", "湖田桥"]
    assert set(sites["source_crs"]) == {"EPSG:4490"}


def test_one_row_out_of_range_is_that_row_not_the_whole_file(data_dir, tmp_path):
    """A lon/lat table with one mistyped row (a user trial): the row is reported with its number
    and value, with every other problem of the file at once — not the whole file read as
    projected metres, naming a good row's value."""
    f = write_csv(tmp_path / "m.csv", [
        {"名称": "测试点A", "类型": "矿山修复点", "经度": 117.2, "纬度": 29.0},
        {"名称": "测试点B", "类型": "矿山修复点", "经度": 200, "纬度": 95},
        {"名称": "", "类型": "矿山修复点", "经度": 117.21, "纬度": 29.01},
    ])
    r = fails(f)
    assert [(e.row, e.value, e.problem) for e in r.errors if e.row == 3] == [
        (3, "200.0, 95.0", "坐标超出经纬度范围（经度 ±180°，纬度 ±90°）")]
    assert not any("投影坐标" in e.problem for e in r.errors)
    assert any(e.row == 4 and "名称" in f"{e.column}{e.problem}" for e in r.errors), r.errors  # reported with it


@given(rows=hs.lists(hs.booleans(), min_size=1, max_size=12))
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_rows_out_of_range_are_named_when_most_are_degrees(data_dir, tmp_path, rows):
    """Any mix: while at least half the rows are in degrees, exactly the rows beyond ±180° are
    errors (numbered as in the file: header = row 1); otherwise the file asks for its CRS."""
    t = Transformer.from_crs(4326, 4548, always_xy=True)
    px, py = t.transform(*NANHE)
    data = [{"名称": f"点{i}", "类型": "监测断面", "经度": px if metres else NANHE[0] + i / 1000,
             "纬度": py if metres else NANHE[1]} for i, metres in enumerate(rows)]
    f = write_csv(tmp_path / "h.csv", data)
    if not any(rows):
        out = services.import_file(MANAGER_ACTOR, f, dry_run=True)
        assert out.counts["新增"] + out.counts["变更"] + out.counts["不变"] == len(rows)
        return
    r = fails(f)
    if 2 * rows.count(False) >= len(rows):
        assert sorted(e.row for e in r.errors) == [i + 2 for i, metres in enumerate(rows) if metres]
        assert {e.problem for e in r.errors} == {"坐标超出经纬度范围（经度 ±180°，纬度 ±90°）"}
    else:
        assert [e.problem for e in r.errors] == ["坐标是投影坐标（米），但没有指定坐标系"]
        assert "坐标系（文件未带时）" in r.errors[0].fix and "EPSG:4534" in r.errors[0].fix


def test_zipped_shapefile_with_cpg(data_dir, tmp_path):
    z = _shapefile_zip(tmp_path, cpg=True, prj=True, encoding="UTF-8")
    assert services.import_file(MANAGER_ACTOR, z).counts["新增"] == 2


def test_shapefile_without_prj_is_refused_unless_crs_named(data_dir, tmp_path):
    z = _shapefile_zip(tmp_path, cpg=False, prj=False)
    r = fails(z)
    assert "没有坐标系" in r.errors[0].problem and "--crs" in r.errors[0].fix
    assert services.import_file(MANAGER_ACTOR, z, crs="EPSG:4490").counts["新增"] == 2


def test_geojson_invalid_polygon_repaired(data_dir, tmp_path):
    bow = Polygon([(117.10, 29.00), (117.12, 29.02), (117.12, 29.00), (117.10, 29.02), (117.10, 29.00)])
    gdf = gpd.GeoDataFrame({"名称": ["自交园区"], "类型": ["工业园区"]}, geometry=[bow], crs="EPSG:4326")
    f = tmp_path / "p.geojson"
    gdf.to_file(f, driver="GeoJSON")
    out = services.import_file(MANAGER_ACTOR, f)
    assert out.counts["新增"] == 1
    assert out.report.warnings and "已自动修复" in out.report.warnings[0].problem


def test_geometry_type_not_allowed_for_kind(data_dir, tmp_path):
    gdf = gpd.GeoDataFrame({"名称": ["面断面"], "类型": ["监测断面"]},
                           geometry=[Point(*NANHE).buffer(0.01)], crs="EPSG:4326")
    f = tmp_path / "x.geojson"
    gdf.to_file(f, driver="GeoJSON")
    assert "监测断面不能是面" in fails(f).errors[0].problem


def test_kml_and_gpkg_and_xlsx(data_dir, tmp_path):
    gdf = gpd.GeoDataFrame({"Name": ["矿点甲"]}, geometry=[Point(117.13, 28.83)], crs="EPSG:4326")
    kml = tmp_path / "m.kml"
    pyogrio.write_dataframe(gdf, kml, driver="KML")
    assert services.import_file(MANAGER_ACTOR, kml, kind="矿山修复点").counts["新增"] == 1
    gp = tmp_path / "m.gpkg"
    gdf2 = gpd.GeoDataFrame({"名称": ["园区乙"], "类型": ["工业园区"]},
                            geometry=[Point(117.17, 28.99)], crs="EPSG:4490")
    gdf2.to_file(gp, layer="parks", driver="GPKG")
    assert services.import_file(MANAGER_ACTOR, gp).counts["新增"] == 1
    x = tmp_path / "w.xlsx"
    pd.DataFrame([{"名称": "水源丙", "经度": 117.3, "纬度": 29.02}]).to_excel(x, index=False)
    assert services.import_file(MANAGER_ACTOR, x, kind="饮用水水源地").counts["新增"] == 1
    assert db_counts()["sites"] == 3


def test_unknown_kind_option_and_missing_columns(data_dir, tmp_path):
    f = write_csv(tmp_path / "s.csv", [{"名称": "甲", "经度": NANHE[0], "纬度": NANHE[1]}])
    assert "没有类型列" in fails(f).errors[0].problem
    assert "未知的点位类型" in fails(f, kind="湖泊").errors[0].problem
    f = write_csv(tmp_path / "n.csv", [{"名称": "甲", "类型": "监测断面", "东经": 1, "北纬": 2}])
    assert "没有找到坐标列" in fails(f).errors[0].problem


def test_unsupported_and_corrupt_files(data_dir, tmp_path):
    f = tmp_path / "a.dwg"
    f.write_bytes(b"x")
    assert "不支持的文件类型" in fails(f).errors[0].problem
    z = tmp_path / "broken.zip"
    z.write_bytes(b"not a zip")
    assert "无法读取" in fails(z).errors[0].problem
    j = tmp_path / "broken.geojson"
    j.write_text(json.dumps({"type": "FeatureCollection"})[:-5])
    (err,) = fails(j).errors
    assert (err.row, err.value) == ("", "broken.geojson") and err.problem.startswith("无法读取文件")


def test_multilayer_geopackage(data_dir, tmp_path):
    gp = tmp_path / "multi.gpkg"
    gpd.GeoDataFrame({"名称": ["断面甲"]}, geometry=[Point(*NANHE)], crs=4326).to_file(gp, layer="监测断面")
    gpd.GeoDataFrame({"名称": ["矿点乙"]}, geometry=[Point(117.13, 28.83)], crs=4490).to_file(gp, layer="矿山修复点")
    out = services.import_file(MANAGER_ACTOR, gp)
    assert out.counts["新增"] == 2
    assert sorted(p.record.kind for p in out.preview) == ["监测断面", "矿山修复点"]
    other = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"名称": ["a"]}, geometry=[Point(*NANHE)], crs=4326).to_file(other, layer="layer_a")
    gpd.GeoDataFrame({"名称": ["b"]}, geometry=[Point(*NANHE)], crs=4326).to_file(other, layer="layer_b")
    assert "--layer" in fails(other, kind="监测断面").errors[0].fix
    assert "没有这个图层" in fails(other, kind="监测断面", layer="layer_c").errors[0].problem
    assert services.import_file(MANAGER_ACTOR, other, kind="监测断面", layer="layer_b").counts["新增"] == 1


def _all_sites() -> list[tuple]:
    """Every site row as stored (a plain read, not the import's own report)."""
    from sqlalchemy import select

    from store import models as m
    from store.db import reader

    with reader() as s:
        return [(x.id, x.kind, x.name, x.geom_wkt, x.county_code, x.updated_at)
                for x in s.scalars(select(m.Site).order_by(m.Site.id))]


@pytest.mark.parametrize("fail_at", [1, 3, 4], ids=["first_row", "middle_row", "last_row"])
def test_failure_during_the_write_rolls_back_every_row(data_dir, tmp_path, monkeypatch, fail_at):
    """All or nothing, exercised where it matters: the file is valid, the write starts,
    and a failure at row `fail_at` (disk full, lost connection…) leaves the store as it was
    — the rows already added in that transaction included, and existing sites unchanged."""
    from store import repo

    services.import_file(MANAGER_ACTOR, write_csv(tmp_path / "first.csv", [
        {"名称": "老点位", "类型": "监测断面", "经度": NANHE[0], "纬度": NANHE[1]}]))
    before = _all_sites()
    assert [r[2] for r in before] == ["老点位"]
    f = write_csv(tmp_path / "sites.csv", [
        {"名称": "老点位", "类型": "监测断面", "经度": NANHE[0] + 0.001, "纬度": NANHE[1]},  # changed position
        {"名称": "甲", "类型": "监测断面", "经度": NANHE[0] + 0.01, "纬度": NANHE[1]},
        {"名称": "乙", "类型": "监测断面", "经度": NANHE[0] + 0.02, "纬度": NANHE[1]},
        {"名称": "丙", "类型": "监测断面", "经度": NANHE[0] + 0.03, "纬度": NANHE[1]},
    ])
    real, real_write, calls, writing = repo._site_values, repo.write_sites, [], []

    def failing(record):  # fails at the fail_at-th row written (the preview reads rows too: not counted)
        if writing:
            calls.append(record.name)
            if len(calls) == fail_at:
                raise OSError("磁盘已满")
        return real(record)

    def write_sites(s, previews):
        writing.append(True)
        return real_write(s, previews)

    monkeypatch.setattr(repo, "_site_values", failing)
    monkeypatch.setattr(repo, "write_sites", write_sites)
    with pytest.raises(OSError, match="磁盘已满"):
        services.import_file(MANAGER_ACTOR, f)
    assert len(calls) == fail_at  # the write did start and got that far
    assert _all_sites() == before
    monkeypatch.setattr(repo, "_site_values", real)
    monkeypatch.setattr(repo, "write_sites", real_write)
    out = services.import_file(MANAGER_ACTOR, f)  # the same file, written whole once nothing fails
    assert out.counts == {"新增": 3, "变更": 1, "不变": 0}
    assert sorted(r[2] for r in _all_sites()) == sorted(["老点位", "甲", "乙", "丙"])


def test_every_row_error_of_a_table_is_reported_at_once(demo_dir, tmp_path):
    """Issue 19: a swapped row hid an out-of-region row. Unreadable, swapped and far rows are
    reported together, each by its row number and the file's own coordinate columns; nothing
    is written."""
    from ingest.report import ImportFailed
    from onemap import services
    from tests.conftest import MANAGER_ACTOR, db_counts

    f = tmp_path / "点位.csv"
    f.write_text("编号,类型,名称,区县,经度,纬度\n"
                 "A1,监测断面,甲,珠山区,29.31,117.21\n"
                 "A2,监测断面,乙,珠山区,120.5,35.0\n"
                 "A3,监测断面,丙,珠山区,abc,29\n"
                 "A4,监测断面,丁,珠山区,117.21,29.31\n", encoding="utf-8")
    before = db_counts()
    with pytest.raises(ImportFailed) as e:
        services.import_file(MANAGER_ACTOR, f)
    got = sorted((p.row, p.column, p.problem) for p in e.value.report.errors)
    assert got == [(2, "经度/纬度", "经度和纬度填反了"), (3, "经度/纬度", "位置在景德镇市范围之外"),
                   (4, "经度", "坐标缺失或不是数字")]
    assert db_counts() == before


def test_the_same_sites_from_another_file_are_unchanged(data_dir, tmp_path):
    """Issue 19: the sites of a CSV imported again as an XLSX were reported 变更 13 because the
    file's name (their source, no 来源 column) differed."""
    import pandas as pd

    rows = [{"编号": "S1", "名称": "一号断面", "类型": "监测断面", "经度": NANHE[0], "纬度": NANHE[1]},
            {"编号": "S2", "名称": "二号断面", "类型": "监测断面", "经度": NANHE[0] + 0.01, "纬度": NANHE[1]}]
    first = write_csv(tmp_path / "断面.csv", rows)
    assert services.import_file(MANAGER_ACTOR, first).counts == {"新增": 2, "变更": 0, "不变": 0}
    again = tmp_path / "断面（另存）.xlsx"
    pd.DataFrame(rows).to_excel(again, index=False)
    assert services.import_file(MANAGER_ACTOR, again, dry_run=True).counts == {"新增": 0, "变更": 0, "不变": 2}
    rows[1]["名称"] = "二号断面（改）"
    moved = write_csv(tmp_path / "断面2.csv", [rows[0], {**rows[1], "编号": "S2"}])
    assert services.import_file(MANAGER_ACTOR, moved, dry_run=True).counts == {"新增": 0, "变更": 1, "不变": 1}
