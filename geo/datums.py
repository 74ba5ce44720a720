"""Old Chinese datums — 北京54 (Beijing 1954, EPSG:4214, Krassowsky 1940 ellipsoid) and 西安80
(Xian 1980, EPSG:4610, IAG 1975 ellipsoid) — and their 3°/6° Gauss-Krüger zones
(EPSG:2401–2442, 21413–21423 / 2327–2390 …), and the bureau's 七参数 that take them to WGS84.

Why this module exists: PROJ's database holds no transformation from 西安80 to WGS84 and, for
北京54, only parameter sets for a few oil basins (Tarim, Ordos, offshore). Anywhere else pyproj
falls back to a "ballpark" null transformation: the latitude and longitude are kept as they
are, so a point lands as far off as the datums differ — tens of metres up to more than a
hundred (`expected_shift_text`). The import therefore refuses such a layer unless the
bureau's 7 parameters are configured (`SevenParams`), and then applies exactly those.

Convention: **position vector** (EPSG method 9606, the convention of PROJ's `+towgs84` and
of Chinese survey practice written as ΔX ΔY ΔZ εX εY εZ m):

    [X Y Z]_WGS84 = [dx dy dz] + (1 + ds·1e-6) · R · [X Y Z]_old,
    R = [[1, -rz, ry], [rz, 1, -rx], [-ry, rx, 1]]   (rx, ry, rz in radians, small angles)

with X Y Z the geocentric coordinates on each datum's ellipsoid, rotations given in
arc-seconds, scale in ppm. Parameters published in the **coordinate frame** convention
(EPSG 9607, e.g. ArcGIS "Coordinate_Frame") have the rotations' signs reversed;
`SevenParams.parse(..., convention="coordinate_frame")` turns them into position vector.
The parameters are applied with pyproj as a BoundCRS (source CRS + Helmert to WGS84), so
the source CRS keeps its EPSG identity. The bureau's parameters are usually to CGCS2000;
CGCS2000 and WGS84 agree to well under a metre, so the target is taken as WGS84 (the store's
CRS) without a further shift.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

from pyproj import CRS, Geod, Transformer
from pyproj.transformer import AreaOfInterest, TransformerGroup

DATUMS = {"北京54": ("beijing1954", 4214, "Beijing 1954"), "西安80": ("xian1980", 4610, "Xian 1980")}
ALIASES = {"北京54": "北京54", "北京1954": "北京54", "beijing54": "北京54", "beijing1954": "北京54", "4214": "北京54",
           "西安80": "西安80", "西安1980": "西安80", "xian80": "西安80", "xian1980": "西安80", "4610": "西安80"}
POSITION_VECTOR, COORDINATE_FRAME = "position_vector", "coordinate_frame"
CONVENTIONS = {POSITION_VECTOR: "位置矢量（EPSG 9606，PROJ +towgs84）", COORDINATE_FRAME: "坐标框架（EPSG 9607）"}
DATUM_ATTR = "坐标转换"  # the attribute each imported site / reference feature records the 七参数 in
ARCSEC = math.pi / (180 * 3600)
LIMITS = {"平移": 1000.0, "旋转": 60.0, "尺度": 100.0}  # |m|, |arc-second|, |ppm|: beyond these a typo


class DatumError(ValueError):
    """A refusal in Chinese (bad parameters, or an old-datum layer without them)."""


def datum_name(text: str) -> str:
    """'西安80', 'Xian 1980', 'EPSG:4610' … → '西安80' (DatumError otherwise)."""
    key = re.sub(r"[\s_\-]|epsg:", "", (text or "").strip().lower())
    if key in ALIASES:
        return ALIASES[key]
    raise DatumError(f"未知的坐标系基准“{text}”：可设置七参数的基准为 北京54、西安80")


def old_datum(crs: CRS | None) -> str | None:
    """'北京54' / '西安80' when the CRS (geographic or projected, from EPSG or from a .prj's
    WKT such as GCS_Beijing_1954 / D_Xian_1980) is on one of the old datums, else None."""
    if crs is None:
        return None
    crs = CRS(crs)
    if crs.is_bound:
        crs = crs.source_crs
    geo = crs.geodetic_crs
    names = [crs.name or "", geo.name if geo else ""]
    if geo is not None and geo.datum is not None:
        names.append(geo.datum.name or "")
    flat = " ".join(re.sub(r"[^a-z0-9]", "", n.lower()) for n in names)
    for zh, (key, _epsg, _en) in DATUMS.items():
        if key in flat:
            return zh
    return None


@dataclass(frozen=True)
class SevenParams:
    """Bursa-Wolf parameters to WGS84 in the position-vector convention (see the module)."""

    dx: float  # m
    dy: float
    dz: float
    rx: float  # arc-seconds
    ry: float
    rz: float
    ds: float  # ppm

    @classmethod
    def parse(cls, text: str, convention: str = POSITION_VECTOR) -> SevenParams:
        """'dx,dy,dz,rx,ry,rz,ds' (commas, Chinese commas or spaces) → parameters, converted to
        position vector when given in the coordinate-frame convention."""
        if convention not in CONVENTIONS:
            raise DatumError(f"未知的旋转约定“{convention}”：请选择 position_vector（位置矢量）或 coordinate_frame（坐标框架）")
        parts = [p for p in re.split(r"[,，、;；\s]+", (text or "").strip()) if p]
        if len(parts) != 7:
            raise DatumError(f"七参数应为 7 个数（ΔX,ΔY,ΔZ 米；εX,εY,εZ 角秒；尺度 ppm），用逗号分隔；收到 {len(parts)} 个")
        values = []
        for label, p in zip(("ΔX", "ΔY", "ΔZ", "εX", "εY", "εZ", "尺度"), parts, strict=True):
            try:
                v = float(p)
            except ValueError:
                raise DatumError(f"七参数中的 {label}“{p}”不是数字") from None
            if not math.isfinite(v):
                raise DatumError(f"七参数中的 {label}“{p}”不是有限的数")
            values.append(v)
        checks = (("平移", values[0:3], "米"), ("旋转", values[3:6], "角秒"), ("尺度", values[6:7], "ppm"))
        for what, vs, unit in checks:
            if any(abs(v) > LIMITS[what] for v in vs):
                raise DatumError(f"七参数的{what}量超出合理范围（绝对值不超过 {LIMITS[what]:g} {unit}）：请核对单位"
                                 "（平移为米，旋转为角秒而非弧度，尺度为 ppm）")
        if convention == COORDINATE_FRAME:
            values[3:6] = [-v for v in values[3:6]]
        return cls(*values)

    def text(self) -> str:
        return ",".join(f"{v:g}" for v in asdict(self).values())

    def describe(self) -> str:
        return (f"ΔX={self.dx:g} m, ΔY={self.dy:g} m, ΔZ={self.dz:g} m, εX={self.rx:g}″, εY={self.ry:g}″, "
                f"εZ={self.rz:g}″, 尺度={self.ds:g} ppm（位置矢量）")

    def bound(self, crs: CRS) -> CRS:
        """The CRS with this Helmert to WGS84 attached (a BoundCRS; its source keeps its EPSG)."""
        deg = {"type": "AngularUnit", "name": "arc-second", "conversion_factor": ARCSEC}
        ppm = {"type": "ScaleUnit", "name": "parts per million", "conversion_factor": 1e-6}
        rows = (("X-axis translation", 8605, "metre", self.dx), ("Y-axis translation", 8606, "metre", self.dy),
                ("Z-axis translation", 8607, "metre", self.dz), ("X-axis rotation", 8608, deg, self.rx),
                ("Y-axis rotation", 8609, deg, self.ry), ("Z-axis rotation", 8610, deg, self.rz),
                ("Scale difference", 8611, ppm, self.ds))
        src = CRS(crs)
        return CRS.from_json_dict({
            "type": "BoundCRS", "source_crs": src.to_json_dict(), "target_crs": CRS.from_epsg(4326).to_json_dict(),
            "transformation": {
                "name": f"{old_datum(src) or src.name} 七参数",
                "method": {"name": "Position Vector transformation (geog2D domain)",
                           "id": {"authority": "EPSG", "code": 9606}},
                "parameters": [{"name": n, "value": v, "unit": u, "id": {"authority": "EPSG", "code": c}}
                               for n, c, u, v in rows]}})


def accurate_operation(crs: CRS, bbox: tuple[float, float, float, float]) -> str | None:
    """The description of an operation to WGS84 with a known accuracy that applies to the
    region (lon/lat box), or None when PROJ has only the ballpark one there."""
    group = TransformerGroup(CRS(crs), CRS.from_epsg(4326), always_xy=True,
                             area_of_interest=AreaOfInterest(*bbox))
    for t in group.transformers:
        if t.accuracy is not None and t.accuracy >= 0 and "ballpark" not in t.description.lower():
            return f"{t.description}（精度约 {t.accuracy:g} 米）"
    return None


def expected_shift(datum: str, lon: float, lat: float) -> tuple[float, float] | None:
    """(least, most) metres between the ballpark result and the EPSG parameter sets published
    for this datum, evaluated at (lon, lat); None when EPSG holds none (西安80)."""
    epsg = DATUMS[datum][1]
    geod = Geod(ellps="WGS84")
    shifts = []
    for t in TransformerGroup(epsg, 4326, always_xy=True).transformers:
        if t.accuracy is None or t.accuracy < 0 or "ballpark" in t.description.lower():
            continue
        x, y = t.transform(lon, lat)
        shifts.append(geod.inv(lon, lat, x, y)[2])
    return (min(shifts), max(shifts)) if shifts else None


def expected_shift_text(datum: str, lon: float, lat: float) -> str:
    """The expected error of the null transformation in words (see `expected_shift`)."""
    b54 = expected_shift("北京54", lon, lat)
    measured = f"北京54 按 EPSG 所载各地区七参数在本市中心计算为 {b54[0]:.0f}–{b54[1]:.0f} 米" if b54 else ""
    if datum == "北京54":
        return f"预计偏差数十米至百米以上（{measured}）"
    return ("预计偏差数十米至百米量级（EPSG 未收录西安80 到 WGS84 的参数；西安80 与北京54 同为参心坐标系，"
            f"与地心坐标系相差同一量级，{measured}）")


def refusal(datum: str, label: str, lon: float, lat: float) -> tuple[str, str]:
    """(problem, remedy) for an old-datum layer without 七参数, in Chinese."""
    en = DATUMS[datum][2]
    problem = (f"坐标系 {label} 属于{datum}（{en}）基准：没有适用于本地区的精确转换，"
               f"按“粗略”零转换会把经纬度原样当作 WGS84，{expected_shift_text(datum, lon, lat)}，因此未导入")
    remedy = (f"请向测绘主管部门索取本市{datum}到 CGCS2000 的七参数（ΔX,ΔY,ΔZ 米；εX,εY,εZ 角秒；尺度 ppm），"
              f"由业务管理员在“数据管理 → 坐标转换参数”中设置（或 onemap datum set {datum} --towgs84 "
              "ΔX,ΔY,ΔZ,εX,εY,εZ,尺度），然后重新导入")
    return problem, remedy


def transform_point(params: SevenParams, crs: CRS, x: float, y: float) -> tuple[float, float]:
    """One point of `crs` to WGS84 lon/lat with the parameters (for previews and checks)."""
    t = Transformer.from_crs(params.bound(crs), 4326, always_xy=True)
    return t.transform(x, y)


def bound_note(crs: CRS | None) -> str | None:
    """For a CRS with 七参数 attached (`SevenParams.bound`): what was applied, in words, to be
    recorded with the imported features; None for any other CRS."""
    if crs is None or not CRS(crs).is_bound:
        return None
    crs = CRS(crs)
    values = [p["value"] for p in crs.to_json_dict()["transformation"]["parameters"]]
    if len(values) != 7:
        return None
    p = SevenParams(*values)
    return f"{old_datum(crs) or crs.source_crs.name} → WGS84（CGCS2000）七参数：{p.describe()}"
