"""GeoPackage export of everything: one layer per site kind (WGS84), the region's
county boundaries, and attribute tables for documents, units, tasks, task↔unit and
task↔site links and status events. `ingest.restore` reads it back."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.region import Region
from onemap.kinds import kind_by_any, site_kinds

FORMAT_TAG = "eco-onemap-export/1"


def site_layer(sites: gpd.GeoDataFrame, kind_name: str, region: Region) -> gpd.GeoDataFrame:
    k = kind_by_any(kind_name)
    sel = sites[sites["kind"] == kind_name]
    counties = {c.code: c.name for c in region.places.counties}
    df = pd.DataFrame({
        "id": sel["id"], "name": sel["name"], "aliases": sel["aliases"].map("、".join),
        "county_code": sel["county_code"], "county": sel["county_code"].map(lambda c: counties.get(c, "")),
    })
    for a in (k.attributes if k else ()):
        df[a.label] = sel["attrs"].map(lambda d, key=a.key: d.get(key))
    known = {a.key for a in (k.attributes if k else ())}
    df["other_attrs"] = sel["attrs"].map(lambda d: json.dumps({x: v for x, v in d.items() if x not in known},
                                                              ensure_ascii=False))
    df["source_crs"] = sel["source_crs"]
    df["source"] = sel["source"]
    df["illustrative"] = sel["illustrative"].astype(bool)
    return gpd.GeoDataFrame(df, geometry=sel.geometry.values, crs="EPSG:4326")


def write_gpkg(path: Path, *, region: Region, sites: gpd.GeoDataFrame, tables: dict[str, pd.DataFrame]) -> Path:
    path = Path(path)
    if path.exists():
        path.unlink()
    for k in site_kinds():
        layer = site_layer(sites, k.name, region)
        pyogrio.write_dataframe(layer, path, layer=k.name, geometry_type="Unknown", promote_to_multi=False)
    counties = region.counties()[["adcode", "name", "geometry"]]
    pyogrio.write_dataframe(counties, path, layer="counties", promote_to_multi=True)
    for name, df in tables.items():
        pyogrio.write_dataframe(df, path, layer=name)
    meta = pd.DataFrame({"key": ["format", "region"], "value": [FORMAT_TAG, region.adcode]})
    pyogrio.write_dataframe(meta, path, layer="onemap_meta")
    return path
