"""GeoParquet (https://geoparquet.org, written by geopandas/pyarrow) for every layer a GIS
user works with, one file per layer, coordinates lon/lat in OGC:CRS84 (= WGS84):

* each site kind — the GeoPackage's columns (exports.gpkg.site_layer) plus the task state
  of each site as of the export date (domain.rollup.site_summary: 任务数, 未销号, 逾期, 临期,
  已销号, 状态 = its worst bucket, the map's colour);
* 区县 — the county boundaries with the overview's figures (domain.overview.by_place:
  未销号, 逾期, 点位数);
* 热点 — the overview's Getis-Ord Gi* cells (5 km squares, open tasks, an overdue one
  counting twice) with value, z and class (hot99 … cold90);
* 参考图层_<名称> — each reference layer's features, their attributes as JSON text.

Nothing here reads the store: onemap.services gathers the frames and names the file."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from domain import overview as ov
from domain.rollup import site_summary
from exports.gpkg import site_layer
from geo.region import Region
from onemap.kinds import site_kinds

CRS84 = "OGC:CRS84"
STATE_COLUMNS = {"tasks": "任务数", "open": "未销号", "overdue": "逾期", "due_soon": "临期", "closed": "已销号",
                 "worst": "状态"}
HOTSPOT_CELL_M = 5000.0


def site_layers(sites: gpd.GeoDataFrame, tasks: pd.DataFrame, region: Region, as_of: date) -> dict[str, gpd.GeoDataFrame]:
    summary = site_summary(tasks, list(sites["id"])).rename(columns=STATE_COLUMNS)
    out = {}
    for k in site_kinds():
        layer = site_layer(sites, k.name, region)
        state = summary.reindex(layer["id"]).reset_index(drop=True)
        layer = layer.reset_index(drop=True)
        for c in STATE_COLUMNS.values():
            layer[c] = state[c].to_numpy()
        layer["截至日期"] = as_of.isoformat()
        out[k.name] = layer.to_crs(CRS84)
    return out


def county_layer(region: Region, tasks: pd.DataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    counties = region.counties()[["adcode", "name", "geometry"]].reset_index(drop=True)
    names = {c.code: c.name for c in region.places.counties}
    figures = ov.by_place(tasks, names, sites.groupby("county_code").size().to_dict(),
                          list(counties["adcode"])).set_index("code")
    for c in ("未销号", "逾期", "点位数"):
        counties[c] = counties["adcode"].map(figures[c]).fillna(0).astype(int)
    return counties.to_crs(CRS84)


def hotspot_layer(region: Region, tasks: pd.DataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    from geo.hotspots import gi_star, grid_values, square_grid

    weights = ov.site_weights(tasks)
    s = sites.set_index("id")
    ids = [i for i in weights.index if i in s.index]
    if not ids:
        return None
    pts = s.loc[ids].geometry.representative_point()
    cells = square_grid(region.counties().geometry.union_all(), HOTSPOT_CELL_M)
    gi = gi_star(grid_values(cells, pts.x, pts.y, weights.reindex(ids).to_numpy()), cells)
    return gi[["value", "z", "class", "geometry"]].to_crs(CRS84)


def reference_layer(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    df = pd.DataFrame({"position": features["position"], "name": features["name"],
                       "attrs": features["attrs"].map(lambda d: json.dumps(d, ensure_ascii=False))})
    return gpd.GeoDataFrame(df, geometry=features.geometry.values, crs=features.crs).to_crs(CRS84)


def file_name(layer: str) -> str:
    """A layer's file name inside the zip (Chinese kept; path separators removed)."""
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in layer) + ".parquet"


def write_layer(frame: gpd.GeoDataFrame, path: Path) -> Path:
    frame.to_parquet(path, index=False, compression="zstd", write_covering_bbox=True)
    return Path(path)


def write_zip(layers: dict[str, gpd.GeoDataFrame], path: Path, tmp: Path) -> Path:
    """Every layer as its own GeoParquet file in one zip (stored, Parquet is compressed already)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, frame in layers.items():
            f = write_layer(frame, Path(tmp) / file_name(name))
            z.write(f, arcname=file_name(name))
    return Path(path)
