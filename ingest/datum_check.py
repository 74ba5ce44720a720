"""The old-datum rule every site and reference-layer import applies once it knows the
layer's CRS (geo.datums): a layer in 北京54 / 西安80 gets the region's configured 七参数
attached, or — when none are configured and PROJ has no accurate operation for the region —
is refused with the expected error and what to do. Never silent: an applied set of
parameters is named in the report's notes."""

from __future__ import annotations

import geopandas as gpd

from geo.crs import crs_label
from geo.datums import SevenParams, accurate_operation, old_datum, refusal
from geo.region import Region
from ingest.report import Report


def apply_datum(gdf: gpd.GeoDataFrame, datums: dict[str, SevenParams] | None, region: Region,
                report: Report, prefix: str = "") -> gpd.GeoDataFrame | None:
    """The layer ready to transform (its CRS bound to the parameters when old-datum), or None
    with the refusal in the report."""
    datum = old_datum(gdf.crs)
    if datum is None:
        return gdf
    label = crs_label(gdf.crs)
    params = (datums or {}).get(datum)
    if params is not None:
        report.warn("", "坐标系", label, f"{prefix}{datum}坐标已按本区域设置的七参数转换为 WGS84：{params.describe()}")
        return gdf.set_crs(params.bound(gdf.crs), allow_override=True)
    exact = accurate_operation(gdf.crs, tuple(region.bbox))
    if exact:
        report.warn("", "坐标系", label, f"{prefix}{datum}坐标按 EPSG 转换“{exact}”转换为 WGS84",
                    "如本单位有更精确的七参数，请在“数据管理 → 坐标转换参数”中设置后重新导入")
        return gdf
    lon, lat = (region.bbox[0] + region.bbox[2]) / 2, (region.bbox[1] + region.bbox[3]) / 2
    problem, remedy = refusal(datum, label, lon, lat)
    report.error("", "坐标系", label, prefix + problem, remedy)
    return None
