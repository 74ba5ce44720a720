"""Reference layers (参考图层) from the bureau's files: polygons and lines such as
生态保护红线, 饮用水水源保护区, rivers and roads.

Read with the site importer's readers (ingest.sites.read_vector: GeoJSON in UTF-8 or GBK,
zipped Shapefile with a GBK .dbf and no .cpg, GeoPackage, KML/KMZ, zip limits) and the same
CRS rules (the file's CRS, else the one the user names; CGCS2000 geographic and Gauss-Krüger
zones), then checked whole before anything is written: every feature a finite, valid line
or polygon near the region. Coordinates are transformed to WGS84 and the source CRS kept."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo.crs import crs_label, metric_crs_for, parse_crs
from geo.datums import DATUM_ATTR, SevenParams, bound_note
from geo.region import Region
from ingest.datum_check import apply_datum
from ingest.report import Report
from ingest.sites import (
    _FAMILY,
    _FAMILY_CN,
    COORD_DECIMALS,
    MAX_NAME,
    MAX_TEXT,
    NAME_COLS,
    OUTSIDE_MARGIN_M,
    VECTOR_SUFFIXES,
    _find_col,
    _is_present,
    coordinate_problem,
    read_vector,
    repair_geometry,
)

MAX_FEATURES = 50_000
FAMILY, FAMILY_CN = _FAMILY, _FAMILY_CN  # the site importer's geometry families
REF_SUFFIXES = tuple(s for s in VECTOR_SUFFIXES)  # GeoJSON, zip/shp, GeoPackage, KML/KMZ
SKIP_ATTRS = ("geometry", "Description", "description")

log = logging.getLogger(__name__)


@dataclass
class RefFeatureRecord:
    position: int  # 1-based, the order in the file
    name: str
    attrs: dict
    geometry: BaseGeometry  # WGS84


@dataclass
class RefImport:
    features: list[RefFeatureRecord]
    report: Report
    source_crs: str = ""
    family: str = ""  # Polygon | LineString
    warnings: list = field(default_factory=list)


def read_reference(path: Path, region: Region, *, crs: str | None = None, layer: str | None = None,
                   datums: dict[str, SevenParams] | None = None) -> RefImport:
    """Read and fully validate a reference layer file. Nothing is written here. `datums`: the
    region's 七参数 by old datum (geo.datums); a layer in 北京54/西安80 without them is refused."""
    path = Path(path)
    report = Report()
    if path.suffix.lower() not in REF_SUFFIXES:
        report.error("", "", path.name, f"不支持的文件类型“{path.suffix}”",
                     "参考图层支持 GeoJSON、zip 打包的 Shapefile、GeoPackage、KML/KMZ")
        return RefImport([], report)
    try:
        user_crs = parse_crs(crs) if crs else None
    except ValueError as exc:
        report.error("", "坐标系", crs, str(exc), "")
        return RefImport([], report)
    if path.suffix.lower() == ".gpkg" and layer is None:
        layer = _single_layer(path, report)
        if not report.ok:
            return RefImport([], report)
    gdf = read_vector(path, report, layer)
    if gdf is None or not report.ok:
        return RefImport([], report)
    if gdf.empty:
        report.error("", "", path.name, "图层没有要素", "请检查文件内容")
        return RefImport([], report)
    if len(gdf) > MAX_FEATURES:
        report.error("", "", path.name, f"要素过多（{len(gdf)} 个，上限 {MAX_FEATURES} 个）", "请按范围或类别拆分后分别导入")
        return RefImport([], report)
    if gdf.crs is None:
        if user_crs is None:
            report.error("", "坐标系", path.name, "文件没有坐标系信息（如 Shapefile 缺少 .prj）",
                         "请补充 .prj 文件，或导入时指定坐标系（--crs EPSG:4490 / EPSG:4548 等）")
            return RefImport([], report)
        gdf = gdf.set_crs(user_crs)
    elif user_crs is not None and not CRS(gdf.crs).equals(user_crs):
        report.error("", "坐标系", crs_label(gdf.crs), f"文件自带坐标系与指定的 {crs_label(user_crs)} 不一致",
                     "文件已有坐标系时无需指定；如确需更改，请先在 GIS 软件中修正 .prj")
        return RefImport([], report)
    gdf = apply_datum(gdf, datums, region, report)
    if gdf is None:
        return RefImport([], report)
    features, family = _validate(gdf, report, region)
    if not report.ok:
        return RefImport([], report, crs_label(gdf.crs))
    return RefImport(features, report, crs_label(gdf.crs), family)


def _single_layer(path: Path, report: Report) -> str | None:
    try:
        spatial = [str(n) for n, g in pyogrio.list_layers(path) if g is not None]
    except Exception as exc:  # noqa: BLE001 - an unreadable file is reported
        log.info("cannot list layers of %s: %s", path.name, exc)
        report.error("", "", path.name, "无法读取文件：不是可识别的 GeoPackage，或文件已损坏", "请确认文件完整、格式与扩展名一致")
        return None
    if len(spatial) > 1:
        report.error("", "图层", "、".join(spatial), "文件中有多个图层", "请用 --layer 指定要导入的图层（每个图层单独导入）")
        return None
    return spatial[0] if spatial else None


def _validate(gdf: gpd.GeoDataFrame, report: Report, region: Region) -> tuple[list[RefFeatureRecord], str]:
    geographic = CRS(gdf.crs).is_geographic
    datum_note = bound_note(gdf.crs)  # the 七参数 applied, kept with each feature
    name_col = _find_col(list(gdf.columns), NAME_COLS)
    union = region.counties().geometry.union_all()
    metric = metric_crs_for((region.bbox[0] + region.bbox[2]) / 2)
    region_m = gpd.GeoSeries([union], crs=4326).to_crs(metric).iloc[0]
    # whole-column transforms, done once (a repaired geometry is transformed again on its own)
    finite = np.array([isinstance(g, BaseGeometry) and not g.is_empty
                       and bool(np.isfinite(shapely.get_coordinates(g)).all()) for g in gdf.geometry])
    safe = gdf.geometry.where(finite, None)
    all_m, all_wgs = safe.to_crs(metric), safe.to_crs(4326)
    families: dict[str, int] = {}
    out: list[RefFeatureRecord] = []
    for i, (_idx, r) in enumerate(gdf.iterrows(), start=1):
        where = f"第{i}个要素"
        before = len(report.errors)
        geom = r.geometry
        if not isinstance(geom, BaseGeometry) or geom.is_empty:
            report.error(where, "geometry", "", "没有几何（坐标）", "请补充几何图形或删除该要素")
            continue
        family = FAMILY.get(geom.geom_type)
        if family not in ("Polygon", "LineString"):
            report.error(where, "geometry", geom.geom_type,
                         f"参考图层只能是面或线，这是{FAMILY_CN.get(family, geom.geom_type)}",
                         "点状数据请用“导入点位图层”导入")
            continue
        bad = coordinate_problem(geom, geographic)
        if bad:
            report.error(where, "geometry", *bad)
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            repaired = repair_geometry(geom)
            if repaired is None:
                report.error(where, "geometry", reason, "几何图形无效且无法安全修复",
                             "请在 GIS 软件中修复（如 QGIS“修复几何”）后重新导入")
                continue
            report.warn(where, "geometry", reason, "几何图形无效，已自动修复")
            geom = repaired
            one = gpd.GeoSeries([geom], crs=gdf.crs)
            all_m.iloc[i - 1], all_wgs.iloc[i - 1] = one.to_crs(metric).iloc[0], one.to_crs(4326).iloc[0]
        families[family] = families.get(family, 0) + 1
        gm = all_m.iloc[i - 1]
        dist = gm.distance(region_m) if np.isfinite(shapely.get_coordinates(gm)).all() else math.inf
        if dist > OUTSIDE_MARGIN_M:
            far = f"距{region.name}边界约 {dist / 1000:.0f} 公里" if math.isfinite(dist) else f"远离{region.name}"
            report.error(where, "geometry", far, f"位置在{region.name}范围之外",
                         "请检查坐标与坐标系（如高斯-克吕格坐标系的带号），参考图层须与本市范围相交或相邻")
            continue
        name = str(r[name_col]).strip() if name_col and _is_present(r[name_col]) else ""
        if len(name) > MAX_NAME:
            report.error(where, str(name_col), name[:20] + "…", f"名称过长（{len(name)} 字，上限 {MAX_NAME} 字）",
                         "请缩短名称")
        attrs = {}
        for c in gdf.columns:
            if c == name_col or c == gdf.geometry.name or c in SKIP_ATTRS or not _is_present(r[c]):
                continue
            text = str(r[c]).strip()
            if len(text) > MAX_TEXT:
                report.error(where, str(c), text[:20] + "…", f"内容过长（{len(text)} 字，上限 {MAX_TEXT} 字）",
                             "请精简该列内容")
                continue
            attrs[str(c)] = text
        if len(report.errors) > before:
            continue
        if datum_note:
            attrs[DATUM_ATTR] = datum_note
        wgs = shapely.set_precision(all_wgs.iloc[i - 1], 10 ** -COORD_DECIMALS)
        out.append(RefFeatureRecord(i, name, attrs, wgs))
    if len(families) > 1:
        report.error("", "geometry", "、".join(f"{FAMILY_CN[f]} {n} 个" for f, n in families.items()),
                     "同一参考图层中既有面又有线", "请把面和线分成两个图层分别导入")
    return out, next(iter(families), "")
