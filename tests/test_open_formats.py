"""Standard formats out (issue 17): GeoParquet layers, the density COG and the CSV ledger,
read back with geopandas / rasterio / rio-cogeo / csv and compared with plain counts over the
store (tasks_frame rows and the task_sites table), never with the exporter's own helpers."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from pyproj import CRS
from rio_cogeo.cogeo import cog_validate
from sqlalchemy import select

from domain.actors import Actor
from domain.status import CLOSED, OPEN_STATUSES, OVERDUE
from onemap import reflayers, services, settings
from onemap.cli import main
from store import models as m
from store import queries
from store.db import reader
from tests.conftest import MANAGER_ACTOR
from tests.reflayer_fixtures import REDLINE, redline_features


def _store_facts(today: date):
    """Per site: (open, overdue, closed, tasks) top-level non-archived tasks linked, counted by
    a loop over the task rows and the task_sites table; per county: open top-level tasks."""
    with reader() as s:
        tasks = queries.tasks_frame(s, today, settings.due_soon_days(), places=services.active_region().places)
        links = s.execute(select(m.TaskSite.task_id, m.TaskSite.site_id)).all()
        sites = {x.id: (x.kind, shapely.from_wkt(x.geom_wkt)) for x in s.scalars(select(m.Site))}
    by_id = {int(r["id"]): r for _, r in tasks.iterrows()}
    per_site: dict[str, list[int]] = {sid: [0, 0, 0, 0] for sid in sites}
    for tid, sid in links:
        t = by_id.get(int(tid))
        if t is None or pd.notna(t["parent_id"]) or bool(t["archived"]):
            continue
        c = per_site[sid]
        c[0] += t["status"] in OPEN_STATUSES
        c[1] += t["flag"] == OVERDUE
        c[2] += t["status"] == CLOSED
        c[3] += 1
    per_county: dict[str, int] = {}
    for t in by_id.values():
        if pd.isna(t["parent_id"]) and not bool(t["archived"]) and t["status"] in OPEN_STATUSES:
            for code in set(t["unit_place_codes"]):
                per_county[code] = per_county.get(code, 0) + 1
    weight = 0.0  # the hot-spot weight: each open top-level task on a site, overdue twice
    for tid, _sid in links:
        t = by_id.get(int(tid))
        if t is not None and pd.isna(t["parent_id"]) and not bool(t["archived"]) and t["status"] in OPEN_STATUSES:
            weight += 2.0 if t["flag"] == OVERDUE else 1.0
    return sites, per_site, per_county, weight


def test_geoparquet_zip_holds_every_layer_with_store_values(demo_dir, tmp_path):
    reflayers.add_layer(MANAGER_ACTOR, REDLINE, name="生态保护红线")
    today = date.today()  # the export's date, read as the export reads it
    out = services.export(MANAGER_ACTOR, tmp_path / "layers.zip")
    sites, per_site, per_county, _w = _store_facts(today)
    with zipfile.ZipFile(out) as z:
        z.extractall(tmp_path / "x")
        names = sorted(z.namelist())
    kinds = sorted({k for k, _g in sites.values()})
    assert names == sorted([*(f"{k}.parquet" for k in kinds), "区县.parquet", "热点.parquet",
                            "参考图层_生态保护红线.parquet"])
    assert sum(per_site[s][0] for s in per_site) > 0  # the demo has open tasks on sites
    for k in kinds:
        g = gpd.read_parquet(tmp_path / "x" / f"{k}.parquet")
        assert g.crs == CRS("OGC:CRS84")
        expected = {sid for sid, (kind, _geom) in sites.items() if kind == k}
        assert set(g["id"]) == expected and len(g) == len(expected)
        for _, r in g.iterrows():
            assert r.geometry.equals_exact(sites[r["id"]][1], 1e-9)
            o, od, cl, n = per_site[r["id"]]
            assert (r["未销号"], r["逾期"], r["已销号"], r["任务数"]) == (o, od, cl, n), r["id"]
            assert r["截至日期"] == today.isoformat()
    counties = gpd.read_parquet(tmp_path / "x" / "区县.parquet")
    assert counties.crs == CRS("OGC:CRS84")
    region = services.active_region()
    assert sorted(counties["adcode"]) == sorted(c.code for c in region.places.counties)
    for _, r in counties.iterrows():
        assert r["未销号"] == per_county.get(r["adcode"], 0), r["name"]
    red = gpd.read_parquet(tmp_path / "x" / "参考图层_生态保护红线.parquet")
    assert red.crs == CRS("OGC:CRS84")
    assert list(red["name"]) == [f["properties"]["名称"] for f in redline_features()]
    hot = gpd.read_parquet(tmp_path / "x" / "热点.parquet")
    assert hot["value"].sum() == pytest.approx(_w)
    assert set(hot["class"]) <= {"", "hot99", "hot95", "hot90", "cold99", "cold95", "cold90"}
    with reader() as s:
        row = s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id.desc())).first()
    assert (row.action, row.object_type, row.object_id) == ("导出", "GeoParquet 图层包", "layers.zip")


def test_one_parquet_layer_from_the_cli_and_a_refusal_without_layer(demo_dir, tmp_path, capsys):
    assert main(["export", str(tmp_path / "a.parquet")]) == 1
    err = capsys.readouterr().err
    assert "GeoParquet 每个文件只含一个图层" in err and "矿山修复点" in err
    assert not (tmp_path / "a.parquet").exists()
    assert main(["export", str(tmp_path / "b.parquet"), "--layer", "不存在"]) == 1
    assert "没有图层“不存在”" in capsys.readouterr().err
    today = date.today()
    assert main(["export", str(tmp_path / "mine.parquet"), "--layer", "矿山修复点"]) == 0
    g = gpd.read_parquet(tmp_path / "mine.parquet")
    sites, per_site, _c, _w = _store_facts(today)
    assert sorted(g["id"]) == sorted(sid for sid, (k, _g) in sites.items() if k == "矿山修复点")
    assert [int(x) for x in g["逾期"]] == [per_site[i][1] for i in g["id"]]


def test_density_cog_is_valid_and_integrates_to_the_open_task_weight(demo_dir, tmp_path):
    today = date.today()
    assert main(["export", str(tmp_path / "density.tif")]) == 0
    path = tmp_path / "density.tif"
    valid, errors, _warnings = cog_validate(str(path), strict=True)
    assert valid and not errors
    _s, _p, _c, weight = _store_facts(today)
    region = services.active_region()
    with rasterio.open(path) as r:
        assert r.crs.to_epsg() == 4548  # CGCS2000 3-degree GK CM 117°E, 景德镇's zone
        assert (r.transform.a, r.transform.e, r.transform.b, r.transform.d) == (500.0, -500.0, 0.0, 0.0)
        assert r.block_shapes == [(128, 128)] and r.profile["tiled"]
        assert len(r.overviews(1)) >= 1
        assert r.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        values = r.read(1).astype(float)
        # the grid covers the region's box plus one bandwidth (5 km) on each side
        from pyproj import Transformer

        t = Transformer.from_crs(4326, 4548, always_xy=True)
        w, s_, e, n = region.bbox
        xs, ys = t.transform([w, e, w, e], [s_, s_, n, n])
        assert r.transform.c == pytest.approx(min(xs) - 5000.0)
        assert r.bounds.top >= max(ys) + 5000.0
    assert values.sum() * 0.25 == pytest.approx(weight, rel=1e-5)  # per km², 0.25 km² cells


def test_ledger_csv_is_bom_utf8_and_formula_safe(data_dir, tmp_path):
    from tests.test_formula_safety import SIMPLE, _store_with_hostile_names

    _store_with_hostile_names(tmp_path)
    out = services.export(MANAGER_ACTOR, tmp_path / "台账.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["来源文件", "编号", "上级编号", "层级", "问题/任务"]
    with reader() as s:
        n_tasks = sum(1 for t in s.scalars(select(m.Task)) if not t.archived)
        unit_names = [u.name for u in s.scalars(select(m.Unit))]  # as the importer normalised them
    assert len(rows) == 1 + n_tasks
    header = rows[0]
    units = [r[header.index("责任单位")] for r in rows[1:]]
    linked = [r[header.index("关联点位")] for r in rows[1:]]
    assert sorted(units) == sorted("'" + x for x in unit_names)  # each as stored, behind the apostrophe
    assert "'@SUM（A1）" in units
    assert sorted(linked) == sorted("'" + x for x in SIMPLE)
    for r in rows:
        for cell in r:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_export_refused_for_a_role_without_export_and_recorded(demo_dir, tmp_path):
    filler = Actor("t-filler", "填报（测试）", "填报", "乐平市生态环境局")
    with pytest.raises(services.ServiceError, match="不能导出"):
        services.export(filler, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    with reader() as s:
        row = s.scalars(select(m.AuditEntry).order_by(m.AuditEntry.id.desc())).first()
    assert (row.action, row.username) == ("拒绝操作", "t-filler")


def test_csv_safe_keeps_plain_text_and_numbers():
    from exports.cells import csv_safe

    assert [csv_safe(x) for x in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "景德镇", "", 3]] == \
        ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\t=1", "景德镇", "", 3]
    assert np.isnan(csv_safe(float("nan")))


def _audit_types() -> list[str]:
    with reader() as s:
        return [r.object_type for r in s.scalars(select(m.AuditEntry).where(m.AuditEntry.action == "导出")
                                                  .order_by(m.AuditEntry.id))]


def test_export_tab_offers_the_open_formats_and_audits_them(demo_dir):
    from tests.conftest import page_test

    at = page_test("data_view").run()
    for key, label, kind in (("csv", "下载 CSV 台账", "任务台账（CSV）"),
                             ("parquet", "下载 GeoParquet 图层包（zip）", "GeoParquet 图层包"),
                             ("cog", "下载任务密度面（COG）", "任务密度面（COG）")):
        at.button(key=f"exp_{key}").click().run()
        assert not at.exception
        labels = [b.proto.label for b in at.get("download_button")]
        assert label in labels
        assert _audit_types()[-1] == kind


def test_export_tab_density_without_open_tasks_says_why(data_dir):
    from tests.conftest import page_test

    at = page_test("data_view").run()
    at.button(key="exp_cog").click().run()
    assert not at.exception
    assert "没有关联点位的未销号任务，无法生成任务密度面" in " ".join(e.value for e in at.error)
    assert "下载任务密度面（COG）" not in [b.proto.label for b in at.get("download_button")]


def test_ledger_page_offers_its_view_as_csv(demo_dir):
    from tests.conftest import page_test

    at = page_test("ledger_view").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:2] == ["导出当前视图（XLSX 台账）", "导出当前视图（CSV 台账）"]
