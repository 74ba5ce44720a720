"""Coordinate reference systems met in Chinese government data.

* EPSG:4326 WGS84 and EPSG:4490 CGCS2000 (geographic; equal to well under a metre at map scale).
* 北京54 (EPSG:4214) and 西安80 (EPSG:4610) with their Gauss-Krüger zones: recognised and
  transformed only with the bureau's 七参数 (geo.datums), never by PROJ's ballpark.
* CGCS2000 3-degree Gauss-Krüger zones: EPSG:4534–4554 (CM 75°E…135°E, easting without
  zone prefix, e.g. 4548 = CM 117°E) and EPSG:4513–4533 (zones 25–45, easting prefixed
  with the zone number, e.g. 4527 = zone 39, eastings 39xxxxxx).
"""

from __future__ import annotations

from pyproj import CRS
from pyproj.exceptions import CRSError

GEOGRAPHIC_OK = {4326, 4490, 4214, 4610}


def parse_crs(text: str) -> CRS:
    """'EPSG:4548', '4548', 'epsg:4490' → CRS; Chinese error otherwise."""
    t = (text or "").strip().upper().replace("EPSG：", "EPSG:")
    if t.isdigit():
        t = f"EPSG:{t}"
    try:
        return CRS.from_user_input(t)
    except CRSError as exc:
        raise ValueError(f"无法识别坐标系“{text}”：请写成 EPSG:4326、EPSG:4490、EPSG:4548 这样的形式") from exc


def crs_label(crs: CRS | None) -> str:
    """'EPSG:4548'; a CRS with the bureau's 七参数 attached (geo.datums) is 'EPSG:2383+七参数'."""
    if crs is None:
        return ""
    crs = CRS(crs)
    if crs.is_bound:
        return f"{crs_label(crs.source_crs)}+七参数"
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


def gk_zone_epsg(lon: float, prefixed: bool = False) -> int:
    """The CGCS2000 3-degree Gauss-Krüger EPSG code for a longitude."""
    cm = 3 * round(lon / 3)
    cm = min(max(cm, 75), 135)
    return (4513 + (cm - 75) // 3) if prefixed else (4534 + (cm - 75) // 3)


def metric_crs_for(lon: float) -> CRS:
    """A projected CRS in metres suited to a region around `lon` (CGCS2000 GK, no prefix)."""
    return CRS.from_epsg(gk_zone_epsg(lon))


def guess_projected(x: float, y: float) -> str | None:
    """A hint for projected coordinates given without a CRS."""
    if 10_000_000 <= x < 100_000_000 and 1_000_000 < y < 10_000_000:
        zone = int(x // 1_000_000)
        if 25 <= zone <= 45:
            return f"EPSG:{4513 + zone - 25}（CGCS2000 3度带第{zone}带，东坐标带带号）"
    if 100_000 < x < 1_000_000 and 1_000_000 < y < 10_000_000:
        return "EPSG:4534–4554 中与中央经线对应的一个（CGCS2000 3度带，东坐标不带带号，如 EPSG:4548 = 117°E）"
    return None
