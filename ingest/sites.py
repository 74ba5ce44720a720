"""Site layers from the files a GIS officer has: GeoJSON, zipped Shapefile (GBK .dbf
without .cpg included), GeoPackage, KML, CSV/XLSX with coordinate columns.

Validation is complete before anything is written: the result carries either the
records or a row-level report. Coordinates are transformed to WGS84 and the source
CRS is recorded.
"""

from __future__ import annotations

import io
import logging
import math
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from domain.sites import SiteRecord  # noqa: F401 - re-exported: the importers' record type
from geo.crs import crs_label, guess_projected, metric_crs_for, parse_crs
from geo.datums import DATUM_ATTR, SevenParams, bound_note
from geo.region import Region
from ingest.datum_check import apply_datum
from ingest.report import Report
from onemap import settings
from onemap.kinds import SiteKind, kind_by_any, kind_names

OUTSIDE_MARGIN_M = 20_000
COORD_DECIMALS = 7  # ≈ 1 cm
MAX_ID = 64  # the store's column sizes: longer text is refused per row, never cut
MAX_NAME = 200
MAX_TEXT = 2000  # any other attribute
MAX_ZIP_ENTRIES = 1000
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024  # a zip bomb stops here, before anything is inflated

log = logging.getLogger(__name__)

NAME_COLS = ("名称", "name", "站点名称", "断面名称", "点位名称", "水源地名称", "园区名称", "矿山名称", "Name", "NAME", "MC")
KIND_COLS = ("类型", "kind", "类别", "对象类型", "点位类型", "KIND")
ID_COLS = ("编号", "id", "点位编号", "ID", "code", "代码")
ALIAS_COLS = ("别名", "aliases", "曾用名")
SOURCE_COLS = ("来源", "source", "数据来源")
ILLUSTRATIVE_COLS = ("示意位置", "illustrative")
COUNTY_COLS = ("区县", "county", "县区", "所属区县", "county_code", "区县代码")
SKIP_COLS = ("geometry", "source_crs", "Description", "description")
COORD_PAIRS = (("经度", "纬度"), ("lon", "lat"), ("lng", "lat"), ("longitude", "latitude"), ("x", "y"),
               ("X", "Y"), ("X坐标", "Y坐标"), ("东坐标", "北坐标"), ("Lon", "Lat"), ("LON", "LAT"))
TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")
VECTOR_SUFFIXES = (".geojson", ".json", ".zip", ".shp", ".gpkg", ".kml", ".kmz")


@dataclass
class SiteImport:
    records: list[SiteRecord]
    report: Report
    source_crs: str = ""


# ----------------------------------------------------------------------------- reading
def _dbf_encoding(dbf: Path) -> str | None:
    """Shapefiles from Chinese GIS departments often carry GBK text and no .cpg.
    Read the raw record bytes: valid UTF-8 → None (default), else GBK (cp936)."""
    raw = dbf.read_bytes()
    if len(raw) < 32:
        return None
    header_len = int.from_bytes(raw[8:10], "little")
    body = raw[header_len:]
    if all(b < 0x80 for b in body):
        return None
    try:
        body.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    try:
        body.rstrip(b"\x1a").decode("gb18030")
        return "GB18030"
    except UnicodeDecodeError:
        return "GB18030"


def _read_shapefile(shp: Path, report: Report) -> gpd.GeoDataFrame | None:
    stem = shp.with_suffix("")
    siblings = {p.suffix.lower(): p for p in shp.parent.iterdir() if p.with_suffix("").name.lower() == stem.name.lower()}
    for needed in (".dbf", ".shx"):
        if needed not in siblings:
            report.error("", "", shp.name, f"Shapefile 缺少 {needed} 文件",
                         "请把 .shp、.shx、.dbf、.prj（及 .cpg）一起打包成 zip 上传")
            return None
    kwargs = {}
    if ".cpg" not in siblings:
        enc = _dbf_encoding(siblings[".dbf"])
        if enc:
            kwargs["encoding"] = enc
    return pyogrio.read_dataframe(shp, **kwargs)


def read_vector(path: Path, report: Report, layer: str | None = None) -> gpd.GeoDataFrame | None:
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            with tempfile.TemporaryDirectory() as tmp:
                with zipfile.ZipFile(path) as zf:
                    if not _zip_within_limits(zf, path, report):
                        return None
                    for info in zf.infolist():
                        name = info.filename
                        if info.flag_bits & 0x800 == 0:
                            # zip from Windows tools: names in the local code page
                            try:
                                name = info.filename.encode("cp437").decode("gbk")
                            except (UnicodeEncodeError, UnicodeDecodeError):
                                name = info.filename
                        if name.endswith("/"):
                            continue
                        if ".." in Path(name).parts or Path(name).is_absolute():
                            report.error("", "", name, "zip 包中的文件路径试图跳出所在文件夹",
                                         "该文件可能被篡改，请重新打包后导入")
                            return None
                        target = Path(tmp) / Path(name).name
                        target.write_bytes(zf.read(info))
                shps = sorted(Path(tmp).glob("*.shp")) + sorted(Path(tmp).glob("*.SHP"))
                if not shps:
                    inner = [p for p in Path(tmp).iterdir() if p.suffix.lower() in VECTOR_SUFFIXES]
                    if inner:
                        return read_vector(inner[0], report, layer)
                    report.error("", "", path.name, "zip 包中没有 .shp 文件", "请确认打包了 Shapefile 的全部文件")
                    return None
                if len(shps) > 1:
                    report.error("", "", ", ".join(p.name for p in shps), "zip 包中有多个 Shapefile",
                                 "一次导入一个图层：每个 Shapefile 单独打包")
                    return None
                gdf = _read_shapefile(shps[0], report)
                return None if gdf is None else gdf.copy()
        if suffix == ".shp":
            return _read_shapefile(path, report)
        if suffix == ".kmz":
            with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as zf:
                if not _zip_within_limits(zf, path, report):
                    return None
                kml = next((n for n in zf.namelist() if n.lower().endswith(".kml")), None)
                if kml is None:
                    report.error("", "", path.name, "KMZ 中没有 KML 文件", "请导出为 KML 或 KMZ")
                    return None
                target = Path(tmp) / "doc.kml"
                target.write_bytes(zf.read(kml))
                gdf = pyogrio.read_dataframe(target)
                return gdf.set_crs("EPSG:4326", allow_override=True)
        if suffix == ".kml":
            gdf = pyogrio.read_dataframe(path)
            return gdf.set_crs("EPSG:4326", allow_override=True)  # KML is WGS84 by definition
        if suffix in (".geojson", ".json"):
            return _read_geojson(path, report)
        return pyogrio.read_dataframe(path, layer=layer) if layer else pyogrio.read_dataframe(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, zipfile.BadZipFile, OSError) as exc:
        log.info("cannot read %s: %s", path.name, exc)  # the library's words (and paths) stay in the log
        report.error("", "", path.name, "无法读取文件：不是可识别的图层文件，或文件已损坏", "请确认文件完整、格式与扩展名一致")
        return None
    except RuntimeError as exc:  # encrypted zip entries and the like
        log.info("cannot read %s: %s", path.name, exc)
        report.error("", "", path.name, "无法读取文件：压缩包已加密或损坏", "如文件加密，请解密后重新打包导入")
        return None
    except Exception:  # noqa: BLE001 - any reader failure is a refusal in Chinese, logged in full
        log.exception("reading %s", path.name)
        report.error("", "", path.name, "无法读取文件：格式无法识别", "请确认文件完整、格式与扩展名一致")
        return None


def _zip_within_limits(zf: zipfile.ZipFile, path: Path, report: Report) -> bool:
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        report.error("", "", path.name, f"zip 包中文件过多（{len(infos)} 个，上限 {MAX_ZIP_ENTRIES}）",
                     "一次导入一个图层：只打包该图层的文件")
        return False
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        report.error("", "", path.name, f"zip 包解压后过大（约 {total / 2**20:.0f} MB，上限 "
                     f"{MAX_UNZIPPED_BYTES / 2**20:.0f} MB）", "请只打包需要导入的图层，或分批导入")
        return False
    return True


def _read_geojson(path: Path, report: Report) -> gpd.GeoDataFrame:
    """GeoJSON is UTF-8 by definition, but files saved by Chinese tools are often GBK:
    such a file is read as GBK (GB18030) with a warning instead of failing."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # raises UnicodeDecodeError → reported by the caller
        report.warn("", "", path.name, "文件不是 UTF-8 编码，已按 GBK 读取", "请核对名称等文字是否正确")
        with tempfile.TemporaryDirectory() as tmp:
            utf8 = Path(tmp) / "layer.geojson"
            utf8.write_text(text, encoding="utf-8")
            return pyogrio.read_dataframe(utf8)
    return pyogrio.read_dataframe(path)


def read_table(path: Path, report: Report) -> pd.DataFrame | None:
    """CSV (UTF-8 or GBK), XLSX or XLS (python-calamine) as text cells, within the limits
    (settings.limits: file size, inflated size, rows). A title row above the header (as in
    the ledger export) is skipped: the header is the first of the top rows with the
    most filled cells. `df.attrs["header_row"]` is its 1-based spreadsheet row."""
    if not _table_within_limits(path, report):
        return None
    try:
        if path.suffix.lower() == ".csv":
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                report.error("", "", path.name, "CSV 编码无法识别", "请另存为 UTF-8 或 GBK 编码")
                return None
            grid = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, header=None)
        elif path.suffix.lower() == ".xls":  # the old Excel format, read by calamine (Rust, no macros run)
            grid = pd.read_excel(path, dtype=str, keep_default_na=False, header=None, engine="calamine")
        else:
            grid = pd.read_excel(path, dtype=str, keep_default_na=False, header=None)
    except Exception as exc:  # noqa: BLE001 - any parse failure is reported, not raised
        log.info("cannot read table %s: %s", path.name, exc)
        report.error("", "", path.name, "无法读取表格：不是有效的 CSV、XLSX 或 XLS 文件，或文件已损坏",
                     "请确认是有效的 CSV、XLSX 或 XLS 文件（加密的表格请先取消密码）")
        return None
    rows = settings.limits().ledger_rows
    if len(grid) > rows + 10:  # a title row and the header above the data
        report.error("", "", path.name, f"表格行数过多（{len(grid)} 行，上限 {rows} 行）",
                     "请分批导入（上限可由 ONEMAP_LIMIT_LEDGER_ROWS 调整）")
        return None
    if grid.empty:
        return pd.DataFrame()
    filled = [int((grid.iloc[i].astype(str).str.strip() != "").sum()) for i in range(min(10, len(grid)))]
    h = filled.index(max(filled))
    header = [str(c).strip() or f"列{j + 1}" for j, c in enumerate(grid.iloc[h])]
    df = grid.iloc[h + 1:].reset_index(drop=True)
    df.columns = header
    df = df.loc[:, [c for c in df.columns if not (c.startswith("列") and (df[c].astype(str).str.strip() == "").all())]]
    df.attrs["header_row"] = h + 1
    return df


def _table_within_limits(path: Path, report: Report) -> bool:
    lim = settings.limits()
    size = path.stat().st_size
    if size > lim.upload_bytes:
        report.error("", "", path.name, f"文件过大（{size / 2**20:.0f} MB，上限 {lim.upload_bytes / 2**20:.0f} MB）",
                     "请分批导入（上限可由 ONEMAP_LIMIT_UPLOAD_BYTES 调整）")
        return False
    if path.suffix.lower() == ".xlsx" and zipfile.is_zipfile(path):  # an .xlsx is a zip: a bomb stops here
        try:
            with zipfile.ZipFile(path) as zf:
                total = sum(i.file_size for i in zf.infolist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return True  # reported as unreadable by the reader
        if total > lim.sheet_unzipped_bytes:
            report.error("", "", path.name, f"表格解压后过大（{total / 2**20:.0f} MB，上限 "
                         f"{lim.sheet_unzipped_bytes / 2**20:.0f} MB），未读取", "请确认文件来源，或分批导入")
            return False
    return True


def _find_col(columns, candidates) -> str | None:
    lower = {str(c).strip().lower(): c for c in columns}
    for cand in candidates:
        if cand.lower() in lower:
            return lower[cand.lower()]
    return None


def _to_float(v) -> float | None:
    try:
        f = float(str(v).strip())
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def table_to_gdf(df: pd.DataFrame, report: Report, crs: CRS | None, x_col: str | None, y_col: str | None,
                 region: Region) -> gpd.GeoDataFrame | None:
    """Coordinate columns → points. Degrees are read as WGS84/CGCS2000; projected
    coordinates need the CRS named; swapped lat/lon is a per-row error."""
    if x_col and y_col:
        missing = [c for c in (x_col, y_col) if c not in df.columns]
        if missing:
            report.error("", "、".join(missing), "", "指定的坐标列不存在", f"表格中的列：{'、'.join(map(str, df.columns))}")
            return None
        pair = (x_col, y_col)
    else:
        pair = next(((x, y) for x, y in COORD_PAIRS if _find_col(df.columns, [x]) and _find_col(df.columns, [y])), None)
        if pair is None:
            report.error("", "", "、".join(map(str, df.columns)), "没有找到坐标列",
                         "点位表请使用“经度/纬度”“lon/lat”或“x/y”列名（或导入时指定坐标列）；"
                         "任务台账需要“编号”和“问题/任务”列")
            return None
        pair = (_find_col(df.columns, [pair[0]]), _find_col(df.columns, [pair[1]]))
    attrs = dict(df.attrs)
    df = df.reset_index(drop=True)  # the index is the row's position: rows left out keep their numbers
    df.attrs.update(attrs)
    xs, ys = [], []
    bad_rows: set[int] = set()
    first = df.attrs.get("header_row", 1) + 1
    for i, (xv, yv) in enumerate(zip(df[pair[0]], df[pair[1]], strict=True)):
        row = i + first
        x, y = _to_float(xv), _to_float(yv)
        if x is None or y is None:
            col = pair[0] if x is None else pair[1]
            report.error(row, str(col), xv if x is None else yv, "坐标缺失或不是数字", "请填写十进制数字坐标，如 117.2135")
            bad_rows.add(i)
        xs.append(x)
        ys.append(y)
    good = [i for i in range(len(xs)) if i not in bad_rows]
    if not good:
        return None
    # values that fit in ±180 are degrees (a latitude above 90 is a swapped pair, reported per row)
    in_degrees = {i for i in good if abs(xs[i]) <= 180 and abs(ys[i]) <= 180}
    degrees = len(in_degrees) == len(good)
    if crs is None:
        if 2 * len(in_degrees) < len(good):  # mostly metres: the file is projected, its CRS unnamed
            first_m = next(i for i in good if i not in in_degrees)
            hint = guess_projected(xs[first_m], ys[first_m])
            report.error("", f"{pair[0]}/{pair[1]}", f"{xs[first_m]}, {ys[first_m]}",
                         "坐标是投影坐标（米），但没有指定坐标系",
                         f"请在“坐标系（文件未带时）”中选择坐标系（命令行：--crs）{'，可能是 ' + hint if hint else ''}")
            return None
        # mostly degrees: a lon/lat table, and each row outside ±180° is its own mistake (one bad
        # row used to have the whole file read as projected, naming a good row's value)
        for i in good:
            if i not in in_degrees:
                report.error(i + first, f"{pair[0]}/{pair[1]}", f"{xs[i]}, {ys[i]}",
                             "坐标超出经纬度范围（经度 ±180°，纬度 ±90°）",
                             "请检查该行坐标；整个文件为投影坐标（米）时，请在导入时选择坐标系")
                bad_rows.add(i)
        good = [i for i in good if i not in bad_rows]
        crs = CRS.from_epsg(4326)
    elif crs.is_geographic and not degrees:
        report.error("", f"{pair[0]}/{pair[1]}", f"{xs[good[0]]}, {ys[good[0]]}", f"指定的坐标系 {crs_label(crs)} 是经纬度，但坐标值不是度数",
                     "投影坐标请指定高斯-克吕格投影坐标系，如 EPSG:4548 或 EPSG:4527")
        return None
    if crs.is_geographic:
        minx, miny, maxx, maxy = region.bbox
        for i in good:
            x, y = xs[i], ys[i]
            inside = minx - 1 <= x <= maxx + 1 and miny - 1 <= y <= maxy + 1
            swapped_inside = minx - 1 <= y <= maxx + 1 and miny - 1 <= x <= maxy + 1
            if not inside and swapped_inside:
                report.error(i + first, f"{pair[0]}/{pair[1]}", f"{x}, {y}", "经度和纬度填反了",
                             f"请交换两列：经度应在 {minx:.1f}–{maxx:.1f} 之间，纬度在 {miny:.1f}–{maxy:.1f} 之间")
                bad_rows.add(i)
            elif abs(y) > 90 and abs(x) <= 90:
                report.error(i + first, f"{pair[0]}/{pair[1]}", f"{x}, {y}", "纬度超出 ±90°，经纬度可能填反", "请检查坐标列")
                bad_rows.add(i)
    # the rows whose coordinates could be read go on to the other checks (a swapped row must not
    # hide an out-of-region one: every problem of the file is reported at once); nothing is
    # written while the report has an error
    good = [i for i in good if i not in bad_rows]
    if not good:
        return None
    rest = df.drop(columns=list(pair)).iloc[good]
    gdf = gpd.GeoDataFrame(rest, geometry=gpd.points_from_xy([xs[i] for i in good], [ys[i] for i in good]), crs=crs)
    gdf.attrs["header_row"] = df.attrs.get("header_row", 1)
    gdf.attrs["coord_cols"] = f"{pair[0]}/{pair[1]}"
    return gdf


# ----------------------------------------------------------------------------- validation
_FAMILY = {"Point": "Point", "MultiPoint": "Point", "LineString": "LineString", "MultiLineString": "LineString",
           "Polygon": "Polygon", "MultiPolygon": "Polygon"}
_FAMILY_CN = {"Point": "点", "LineString": "线", "Polygon": "面"}


def coordinate_problem(geom: BaseGeometry, geographic: bool) -> tuple[str, str, str] | None:
    """(value, problem, fix) when a geometry's coordinates are not numbers, or not longitudes and
    latitudes in a geographic CRS; None when they are sound (site and reference-layer imports)."""
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        return "NaN/Infinity", "坐标不是有效数值", "请检查坐标，每个坐标都应是有限的数字"
    if geographic and not ((np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all()):
        x, y = coords[0]
        return (f"{x}, {y}", "坐标超出经纬度范围（经度 ±180°，纬度 ±90°）",
                "请检查坐标与坐标系：投影坐标（米）请指定高斯-克吕格坐标系")
    return None


def repair_geometry(geom: BaseGeometry) -> BaseGeometry | None:
    """An invalid geometry made valid in its own family (a polygon stays a polygon), or None
    when that cannot be done safely."""
    family = _FAMILY.get(geom.geom_type)
    repaired = shapely.make_valid(geom)
    if repaired.geom_type == "GeometryCollection":
        parts = [g for g in repaired.geoms if _FAMILY.get(g.geom_type) == family]
        repaired = shapely.union_all(parts) if parts else repaired
    return None if repaired.is_empty or _FAMILY.get(repaired.geom_type) != family else repaired


def _split_aliases(v) -> list[str]:
    return [a.strip() for a in re.split(r"[、;；,，|/]", str(v or "")) if a.strip()]


def _coerce_attr(kind: SiteKind, header: str, value, report: Report, row) -> tuple[str, object] | None:
    attr = kind.attribute(header)
    s = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    if len(s) > MAX_TEXT:
        report.error(row, header, s[:20] + "…", f"内容过长（{len(s)} 字，上限 {MAX_TEXT} 字）", "请精简该列内容")
        return None
    if attr is None:
        return (header, s) if s else None
    if not s:
        return None
    if attr.type == "integer":
        f = _to_float(s.replace(",", ""))
        if f is None or f != int(f):
            report.error(row, header, s, f"“{attr.label}”应为整数", "请填写整数，如 12000")
            return None
        return attr.key, int(f)
    if attr.type == "number":
        f = _to_float(s.replace(",", ""))
        if f is None:
            report.error(row, header, s, f"“{attr.label}”应为数字", "请填写数字，如 35.5")
            return None
        return attr.key, f
    if attr.type == "choice":
        roman = {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ", "V": "Ⅴ"}
        core = s.removesuffix("类")
        core = ("劣" + roman.get(core[1:], core[1:])) if core.startswith("劣") else roman.get(core, core)
        match = next((c for c in attr.choices if s == c or core == c.removesuffix("类")), None)
        if match is None:
            report.error(row, header, s, f"“{attr.label}”不是可选值", f"可选值：{'、'.join(attr.choices)}")
            return None
        return attr.key, match
    return attr.key, s


def _is_present(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip() != ""


def validate_sites(gdf: gpd.GeoDataFrame, report: Report, region: Region, *, kind: str | None,
                   allow_outside: bool, source: str, row_offset: int, row_is_table: bool,
                   row_prefix: str = "") -> list[SiteRecord]:
    fixed_kind = kind_by_any(kind) if kind else None
    if kind and fixed_kind is None:
        report.error("", "类型", kind, "未知的点位类型", f"可用类型：{'、'.join(kind_names())}")
        return []
    cols = list(gdf.columns)
    name_col = _find_col(cols, NAME_COLS)
    kind_col = _find_col(cols, KIND_COLS)
    id_col = _find_col(cols, ID_COLS)
    alias_col = _find_col(cols, ALIAS_COLS)
    source_col = _find_col(cols, SOURCE_COLS)
    ill_col = _find_col(cols, ILLUSTRATIVE_COLS)
    county_col = _find_col(cols, COUNTY_COLS)
    if name_col is None:
        report.error("", "名称", "", "没有名称列", "请提供“名称”列（或 name）")
        return []
    if fixed_kind is None and kind_col is None:
        report.error("", "类型", "", "没有类型列，也没有指定类型",
                     f"请增加“类型”列，或导入时指定类型（--kind），可用类型：{'、'.join(kind_names())}")
        return []
    special = {c for c in (name_col, kind_col, id_col, alias_col, source_col, ill_col, county_col) if c}
    geographic = gdf.crs is not None and CRS(gdf.crs).is_geographic
    datum_note = bound_note(gdf.crs)  # the 七参数 applied, kept with each site
    where = gdf.attrs.get("coord_cols", "geometry")  # a table's own coordinate columns, named as the user wrote them
    counties = region.counties()
    union = counties.geometry.union_all()
    metric = metric_crs_for((region.bbox[0] + region.bbox[2]) / 2)
    region_m = gpd.GeoSeries([union], crs=4326).to_crs(metric).iloc[0]
    geoms_m = gdf.geometry.to_crs(metric) if len(gdf) else gdf.geometry
    # whole-column transforms and the county lookup, done once (not per row)
    wgs_all = gdf.geometry.to_crs(4326) if len(gdf) else gdf.geometry
    county_all = _counties_of(wgs_all, counties)
    records: list[SiteRecord] = []
    seen_ids: dict[str, int | str] = {}
    seen_names: dict[tuple[str, str], int | str] = {}
    for i, (idx, r) in enumerate(gdf.iterrows()):
        # a table's rows keep their numbers when some were left out for unreadable coordinates
        row: int | str = int(idx) + row_offset if row_is_table else f"{row_prefix}第{i + 1}个要素"
        before = len(report.errors)
        name = str(r[name_col]).strip() if _is_present(r[name_col]) else ""
        if not name:
            report.error(row, str(name_col), "", "名称为空", "每个点位都需要名称")
        elif len(name) > MAX_NAME:
            report.error(row, str(name_col), name[:20] + "…", f"名称过长（{len(name)} 字，上限 {MAX_NAME} 字）",
                         "请缩短名称，较长的说明可放在其他属性列")
        k = fixed_kind
        if k is None:
            kv = r[kind_col]
            k = kind_by_any(str(kv) if _is_present(kv) else "")
            if k is None:
                report.error(row, str(kind_col), kv, "未知的点位类型", f"可用类型：{'、'.join(kind_names())}")
        geom = r.geometry
        if not isinstance(geom, BaseGeometry) or geom.is_empty:
            report.error(row, where, "", "没有几何（坐标）", "请补充坐标或几何图形")
            continue
        bad = coordinate_problem(geom, geographic)
        if bad:
            report.error(row, where, *bad)
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            repaired = repair_geometry(geom)
            if repaired is None:
                report.error(row, where, reason, "几何图形无效且无法安全修复", "请在 GIS 软件中修复（如 QGIS“修复几何”）后重新导入")
                continue
            report.warn(row, where, reason, "几何图形无效，已自动修复")
            geom = repaired
            fixed = gpd.GeoSeries([geom], crs=gdf.crs)
            geoms_m.iloc[i] = fixed.to_crs(metric).iloc[0]
            wgs_all.iloc[i] = fixed.to_crs(4326).iloc[0]
            county_all[i] = _counties_of(gpd.GeoSeries([wgs_all.iloc[i]], crs=4326), counties)[0]
        family = _FAMILY.get(geom.geom_type)
        if k is not None and family not in k.geometry:
            allowed = "、".join(_FAMILY_CN[g] for g in k.geometry)
            report.error(row, where, geom.geom_type, f"{k.name}不能是{_FAMILY_CN.get(family, geom.geom_type)}",
                         f"{k.name}允许的几何类型：{allowed}")
        gm = geoms_m.iloc[i]
        # far from the region's Gauss-Krüger zone the projection gives no finite coordinates
        dist = gm.distance(region_m) if np.isfinite(shapely.get_coordinates(gm)).all() else math.inf
        if dist > OUTSIDE_MARGIN_M and not allow_outside:
            far = f"距{region.name}边界约 {dist / 1000:.0f} 公里" if math.isfinite(dist) else f"远离{region.name}"
            report.error(row, where, far, f"位置在{region.name}范围之外",
                         "请检查坐标与坐标系；确属市外点位（如上游断面）请使用“允许市外点位”（--allow-outside）")
        sid = str(r[id_col]).strip() if id_col and _is_present(r[id_col]) else ""
        if len(sid) > MAX_ID:
            report.error(row, str(id_col), sid[:20] + "…", f"编号过长（{len(sid)} 个字符，上限 {MAX_ID}）", "请使用较短的编号")
            sid = ""
        if sid:
            if sid in seen_ids:
                report.error(row, str(id_col), sid, f"编号与{_where(seen_ids[sid])}重复", "同一文件中编号必须唯一")
            seen_ids[sid] = row
        if k is not None and name:
            key = (k.name, name)
            if key in seen_names:
                report.error(row, str(name_col), name, f"同类型点位名称与{_where(seen_names[key])}重复", "请合并或改名")
            seen_names[key] = row
        attrs: dict = {}
        if k is not None:
            for c in cols:
                if c in special or c in SKIP_COLS or c == gdf.geometry.name:
                    continue
                kv = _coerce_attr(k, str(c), r[c], report, row)
                if kv:
                    attrs[kv[0]] = kv[1]
        if len(report.errors) > before or k is None:
            continue
        if datum_note:
            attrs[DATUM_ATTR] = datum_note
        wgs = shapely.set_precision(wgs_all.iloc[i], 10 ** -COORD_DECIMALS)
        county = county_all[i]
        if county_col and _is_present(r[county_col]):
            stated = str(r[county_col]).strip()
            place = region.places.place_of_text(stated) or region.places.by_code(stated)
            if place is not None and place.level == "county" and county and place.code != county:
                found = region.places.by_code(county)
                report.error(row, str(county_col), stated, f"坐标落在{found.name if found else county}，与所填区县不一致",
                             "请核对坐标或区县")
                continue
        ill = str(r[ill_col]).strip().lower() in ("1", "true", "是", "yes", "y") if ill_col and _is_present(r[ill_col]) else False
        records.append(SiteRecord(
            id=sid, kind=k.name, name=name, geometry=wgs, county_code=county,
            aliases=_split_aliases(r[alias_col]) if alias_col and _is_present(r[alias_col]) else [],
            attrs=attrs, source_crs=crs_label(gdf.crs) or "EPSG:4326",
            source=str(r[source_col]).strip() if source_col and _is_present(r[source_col]) else source,
            source_from_file=not (source_col and _is_present(r[source_col])),
            illustrative=ill, row=row,
        ))
    return records


def _counties_of(wgs: gpd.GeoSeries, counties: gpd.GeoDataFrame) -> list[str | None]:
    """The county (adcode) holding each geometry's representative point, in one spatial join."""
    if not len(wgs):
        return []
    pts = gpd.GeoDataFrame(geometry=wgs.representative_point().values, crs=4326)
    joined = gpd.sjoin(pts, counties[["adcode", "geometry"]], how="left", predicate="within")
    first = joined[~joined.index.duplicated(keep="first")]["adcode"]
    return [None if pd.isna(v) else str(v) for v in first.reindex(range(len(wgs)))]


def _where(row) -> str:
    return f"第{row}行" if isinstance(row, int) else str(row)


def read_sites(path: Path, region: Region, *, kind: str | None = None, crs: str | None = None,
               allow_outside: bool = False, x_col: str | None = None, y_col: str | None = None,
               layer: str | None = None, source: str | None = None,
               datums: dict[str, SevenParams] | None = None) -> SiteImport:
    """Read and fully validate a site layer. Nothing is written here. `datums`: the region's
    七参数 by old datum (北京54/西安80, geo.datums); a layer in one without them is refused."""
    path = Path(path)
    report = Report()
    suffix = path.suffix.lower()
    try:
        user_crs = parse_crs(crs) if crs else None
    except ValueError as exc:
        report.error("", "坐标系", crs, str(exc), "")
        return SiteImport([], report)
    src = source or path.name
    if suffix in TABLE_SUFFIXES:
        df = read_table(path, report)
        if df is None:
            return SiteImport([], report)
        if df.empty:
            report.error("", "", path.name, "表格没有数据行", "请检查文件内容")
            return SiteImport([], report)
        gdf = table_to_gdf(df, report, user_crs, x_col, y_col, region)
        if gdf is None:
            return SiteImport([], report)
        gdf = apply_datum(gdf, datums, region, report)
        if gdf is None:
            return SiteImport([], report)
        recs = validate_sites(gdf, report, region, kind=kind, allow_outside=allow_outside, source=src,
                              row_offset=df.attrs.get("header_row", 1) + 1, row_is_table=True)
    elif suffix in VECTOR_SUFFIXES:
        layers = _layers_to_read(path, layer, kind, report)
        if layers is None:
            return SiteImport([], report)
        recs, crs_seen = [], []
        for layer_name, layer_kind in layers:
            gdf = read_vector(path, report, layer_name)
            if gdf is None:
                return SiteImport([], report)
            prefix = f"图层“{layer_name}”" if len(layers) > 1 else ""
            if gdf.empty:
                if len(layers) == 1:
                    report.error("", "", path.name, "图层没有要素", "请检查文件内容")
                continue
            if gdf.crs is None:
                if user_crs is None:
                    report.error("", "坐标系", path.name, f"{prefix}文件没有坐标系信息（如 Shapefile 缺少 .prj）",
                                 "请补充 .prj 文件，或导入时指定坐标系（--crs EPSG:4490 / EPSG:4548 等）")
                    return SiteImport([], report)
                gdf = gdf.set_crs(user_crs)
            elif user_crs is not None and not CRS(gdf.crs).equals(user_crs):
                report.error("", "坐标系", crs_label(gdf.crs), f"文件自带坐标系与指定的 {crs_label(user_crs)} 不一致",
                             "文件已有坐标系时无需指定；如确需更改，请先在 GIS 软件中修正 .prj")
                return SiteImport([], report)
            gdf = apply_datum(gdf, datums, region, report, prefix)
            if gdf is None:
                return SiteImport([], report)
            crs_seen.append(crs_label(gdf.crs))
            recs += validate_sites(gdf, report, region, kind=layer_kind, allow_outside=allow_outside, source=src,
                                   row_offset=1, row_is_table=False, row_prefix=prefix)
        if not recs and report.ok:
            report.error("", "", path.name, "文件中没有要素", "请检查文件内容")
        return SiteImport(recs if report.ok else [], report, "、".join(dict.fromkeys(crs_seen)))
    else:
        report.error("", "", path.name, f"不支持的文件类型“{suffix}”",
                     "点位图层支持 GeoJSON、zip 打包的 Shapefile、GeoPackage、KML/KMZ、CSV、XLSX")
        return SiteImport([], report)
    return SiteImport(recs if report.ok else [], report, crs_label(gdf.crs))


def _layers_to_read(path: Path, layer: str | None, kind: str | None,
                    report: Report) -> list[tuple[str | None, str | None]] | None:
    """Which layers of a file to read, with the kind each stands for. A GeoPackage
    with several layers is read whole when every layer is named after a site kind
    (as in the export); otherwise the user picks one with --layer."""
    if path.suffix.lower() != ".gpkg":
        return [(layer, kind)]
    try:
        spatial = [str(n) for n, g in pyogrio.list_layers(path) if g is not None]
    except Exception as exc:  # noqa: BLE001 - unreadable file is reported
        log.info("cannot list layers of %s: %s", path.name, exc)
        report.error("", "", path.name, "无法读取文件：不是可识别的 GeoPackage，或文件已损坏", "请确认文件完整、格式与扩展名一致")
        return None
    if layer:
        if layer not in spatial:
            report.error("", "图层", layer, "文件中没有这个图层", f"可用图层：{'、'.join(spatial)}")
            return None
        return [(layer, kind or (layer if kind_by_any(layer) else None))]
    if len(spatial) <= 1:
        name = spatial[0] if spatial else None
        return [(name, kind or (name if name and kind_by_any(name) else None))]
    if all(kind_by_any(n) for n in spatial):
        return [(n, n) for n in spatial]
    report.error("", "图层", "、".join(spatial), "文件中有多个图层", "请用 --layer 指定要导入的图层")
    return None
