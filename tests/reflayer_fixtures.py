"""Fixtures of reference layers, written for the tests (provenance: hand-made by the test
author; names are real places of 景德镇市, positions are illustrative, not surveyed).

- tests/fixtures/reflayers/redline_4548.geojson: three 生态保护红线 patches (two Polygons, one
  MultiPolygon), coordinates in CGCS2000 / 3-degree Gauss-Krüger CM 117°E (EPSG:4548), named
  in the file's `crs` member; one name carries markup (<b>…</b>) to prove it is escaped.
- `gbk_rivers_zip`: two river lines 昌江 and 南河 in EPSG:4548, as a zipped Shapefile whose
  .dbf is GBK-encoded with no .cpg (as Chinese GIS departments send them)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString

FIXTURES = Path(__file__).parent / "fixtures" / "reflayers"
REDLINE = FIXTURES / "redline_4548.geojson"
# river vertices in EPSG:4548 (easting, northing), metres
RIVERS = {
    "昌江": [(512000.0, 3258000.0), (515500.0, 3252000.0), (518200.0, 3246500.0), (521000.0, 3241000.0)],
    "南河": [(503000.0, 3249000.0), (508000.0, 3248200.0), (514000.0, 3247100.0)],
}


def redline_features() -> list[dict]:
    """The fixture's features as plain JSON (names and projected coordinates), read directly."""
    return json.loads(REDLINE.read_text(encoding="utf-8"))["features"]


def gbk_rivers_zip(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "rivers.shp"
    gdf = gpd.GeoDataFrame({"NAME": list(RIVERS)}, geometry=[LineString(c) for c in RIVERS.values()],
                           crs="EPSG:4548")
    gdf.to_file(shp, driver="ESRI Shapefile", encoding="GBK")
    raw = shp.with_suffix(".dbf").read_bytes()
    assert "昌江".encode("gbk") in raw, "the .dbf must hold GBK bytes"
    out = folder / "河流.zip"
    with zipfile.ZipFile(out, "w") as zf:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):  # no .cpg: the reader must find GBK itself
            zf.write(shp.with_suffix(suffix), f"rivers{suffix}")
    return out
