"""Water-quality monitoring files as stations deliver them (断面水质): XLSX/XLS/CSV, one row
per section and sampling time, one column per factor. Units in the header (`氨氮(mg/L)`) or
in a units row under it; below-detection cells as `ND`, `未检出`, `<0.01`, `0.01L`.

Everything is checked before anything is returned: the result carries either the values or
a row-level report naming every bad row at once (unknown section, a site that is not a
section or water source, bad date, non-numeric or negative value, unit differing from the
standard's, the same section and time twice). Cells are read as text (ingest.sites.read_table),
so a formula is never evaluated and never stored: it is refused as a non-numeric value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from domain.water_quality import Factor, SampleValue, Standard, parse_value
from ingest.report import Report
from ingest.sites import TABLE_SUFFIXES, read_table

SITE_COLS = ("断面名称", "断面", "断面编号", "点位名称", "点位", "点位编号", "监测点位", "水源地名称", "水源地",
             "站点名称", "编号", "名称")
DATE_COLS = ("采样日期", "监测日期", "采样时间", "监测时间", "日期", "时间", "采样日期时间")
TIME_COLS = ("采样时刻", "时刻", "采样时间", "监测时间", "时间")  # beside a date column: the time of day
_CLOCK = re.compile(r"^\d{1,2}[:：]\d{2}([:：]\d{2})?$")
UNIT_ROW_MARKERS = ("", "单位", "计量单位", "—", "-", "/")
# units as stations write them, folded to the standard's (data/config/gb3838_2002.json)
UNIT_SYNONYMS = {
    "mg/L": ("mg/l", "毫克/升", "mg/dm3"),
    "个/L": ("个/l", "mpn/l", "cfu/l"),
    "无量纲": ("无量纲", "无单位", "—", "-", "/", "ph单位"),
    "℃": ("℃", "°c", "摄氏度", "度"),
}
NOT_ND = ("pH", "溶解氧", "水温")  # measured on site, never below detection
MAX_CELL = 32  # the store's value_text column
KINDS = ("section", "water_source")


@dataclass(frozen=True)
class SiteRef:
    id: str
    name: str
    kind: str  # site kind code
    source_type: str = ""  # 河流型 | 湖库型 | 地下水型 (water sources)


@dataclass
class WaterImport:
    records: list[SampleValue]
    report: Report
    rows: int = 0  # data rows (section × time) read
    factors: list[str] = field(default_factory=list)  # the factor columns found, in file order


_PAREN = re.compile(r"^(.*?)[(（]([^()（）]*)[)）]\s*$")


def _split_header(h: str, std: Standard) -> tuple[Factor | None, str | None]:
    """'氨氮(mg/L)' → (氨氮, 'mg/L'); '总磷(以P计)' → (总磷, None); unknown → (None, None)."""
    f = std.factor(h)
    if f is not None:
        return f, None
    m = _PAREN.match(h)
    if m:
        inner = std.factor(m.group(1))
        if inner is not None:  # '高锰酸盐指数(CODMn)': the brackets name the factor, not a unit
            return inner, (None if std.factor(m.group(2)) is inner else m.group(2).strip())
        outer, _ = _split_header(m.group(1), std) if m.group(1) != h else (None, None)
        if outer is not None:
            return outer, m.group(2).strip()
    return None, None


def _unit_ok(given: str, f: Factor) -> bool:
    g = "".join(given.split()).lower().replace("（", "(").replace("）", ")")
    return g == f.unit.lower() or g in UNIT_SYNONYMS.get(f.unit, ())


def parse_when(text: str) -> datetime | None:
    """'2026-01-12', '2026/1/12 10:30', '2026年1月12日', '2026-01' (the month: its 1st),
    '2026-01-12 00:00:00' (an Excel date read as text). None when it is no date."""
    s = str(text).strip().replace("年", "-").replace("月", "-").replace("日", " ").replace("/", "-")
    s = s.replace("T", " ").replace("：", ":").strip()
    s = re.sub(r"\s+", " ", s).rstrip("-").strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m", "%Y%m%d"):
        try:
            return datetime.strptime(s, fmt)
        except ValueError:
            continue
    return None


def _first(cols: list[str], names: tuple[str, ...]) -> str | None:
    return next((c for n in names for c in cols if c == n), None)


def read_water(path: Path, std: Standard, sites: dict[str, SiteRef], *, today: date | None = None) -> WaterImport:
    """Read and check a monitoring file. `sites`: every code, name and alias → its site."""
    path = Path(path)
    report = Report()
    out = WaterImport([], report)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        report.error("", "", path.name, f"不支持的文件类型“{path.suffix}”", "水质监测数据支持 XLSX、XLS、CSV")
        return out
    df = read_table(path, report)
    if df is None:
        return out
    if df.empty:
        report.error("", "", path.name, "表格是空的", "请在表头下方逐行填写监测数据（每行一个断面、一次采样）")
        return out
    header_row = df.attrs.get("header_row", 1)
    cols = list(df.columns)
    twice = sorted({c for c in cols if cols.count(c) > 1})
    if twice:
        report.error(header_row, "、".join(twice), "", "表头有重复的列名", "每列用不同的列名，每个项目只保留一列")
        return out
    site_cols = [c for c in SITE_COLS if c in cols]  # 断面编号 and 断面名称 may both be there
    site_col, date_col = (site_cols[0] if site_cols else None), _first(cols, DATE_COLS)
    time_col = next((c for c in TIME_COLS if c in cols and c != date_col), None)
    if site_col is None:
        report.error(header_row, "", "", "找不到断面名称列", f"请用以下列名之一：{'、'.join(SITE_COLS[:4])}")
    if date_col is None:
        report.error(header_row, "", "", "找不到采样日期列", f"请用以下列名之一：{'、'.join(DATE_COLS[:4])}")
    factor_cols: dict[str, tuple[Factor, str | None]] = {}
    seen_factor: dict[str, str] = {}
    for c in cols:
        if c in (*site_cols, date_col, time_col):
            continue
        f, unit = _split_header(c, std)
        if f is None:
            report.warn(header_row, c, "", "没有列名，未导入" if re.fullmatch(r"列\d+", c)
                        else "不是 GB 3838-2002 表1 的监测项目，未导入")
            continue
        if f.name in seen_factor:
            report.error(header_row, c, "", f"与“{seen_factor[f.name]}”列是同一监测项目（{f.name}）",
                         "每个项目只保留一列")
            continue
        seen_factor[f.name] = c
        factor_cols[c] = (f, unit)
    if not factor_cols:
        report.error(header_row, "", "", "没有识别出任何监测项目列",
                     "列名应为标准中的项目名称，如 pH、溶解氧、高锰酸盐指数、氨氮(mg/L)、总磷")
    if not report.ok:
        return out
    out.factors = [f.name for f, _ in factor_cols.values()]
    # a units row directly under the header: no section named, no value in any factor column
    first = df.iloc[0]
    start = 0
    if str(first[site_col]).strip() in UNIT_ROW_MARKERS and str(first[date_col]).strip() in UNIT_ROW_MARKERS + (
            "采样日期", "日期") and all(parse_value(first[c]) is None for c in factor_cols):
        start = 1
    for c, (f, head_unit) in factor_cols.items():
        row_unit = str(first[c]).strip() if start else ""
        if head_unit and row_unit and not (_unit_ok(row_unit, f) and _unit_ok(head_unit, f)) \
                and "".join(row_unit.split()).lower() != "".join(head_unit.split()).lower():
            report.error(header_row + 1, c, row_unit, f"单位与表头“{head_unit}”不一致", "请核对单位")
            continue
        unit, where = (head_unit, header_row) if head_unit else (row_unit, header_row + 1)
        if unit and not _unit_ok(unit, f):
            report.error(where, c, unit, f"单位与 GB 3838-2002 不一致（{f.name}应为 {f.unit}）",
                         f"请换算为 {f.unit} 后导入")
        elif not unit and f.unit not in ("无量纲",):
            report.warn(header_row, c, "", f"未注明单位，按标准单位 {f.unit} 导入")
    if not report.ok:
        return out
    today = today or date.today()
    seen_rows: dict[tuple[str, datetime], int] = {}
    for i in range(start, len(df)):
        row = df.iloc[i]
        n = header_row + 1 + i
        cells = {c: str(row[c]).strip() for c in cols}
        if not any(cells.values()):
            continue  # a blank line between blocks
        out.rows += 1
        ok = True
        named = [(c, cells[c]) for c in site_cols if cells[c]]
        found = {(sites.get(v) or sites.get(re.sub(r"\s+", "", v))) for _, v in named} - {None}
        site_col, name = named[0] if named else (site_cols[0], "")
        site = next(iter(found)) if len(found) == 1 else None
        if len(found) > 1:
            report.error(n, "、".join(c for c, _ in named), "、".join(v for _, v in named),
                         f"编号与名称指向不同的点位（{'、'.join(sorted(r.name for r in found))}）", "请核对断面编号和名称")
            ok = False
        elif not name:
            report.error(n, site_col, "", "没有填写断面名称", "请填写断面名称、编号或别名")
            ok = False
        elif site is None:
            report.error(n, site_col, name, "未知的断面或水源地", "请先在“点位”中导入该断面，或使用已有的名称、编号或别名")
            ok = False
        elif site.kind not in KINDS:
            report.error(n, site_col, name, "该点位不是监测断面或饮用水水源地", "水质数据只能导入断面和水源地")
            ok = False
        elif site.source_type == "地下水型":
            report.error(n, site_col, name, "地下水型水源地按 GB/T 14848 评价，不适用地表水标准",
                         "请只导入地表水断面和河流型、湖库型水源地")
            ok = False
        clock = cells[time_col] if time_col else ""
        when_text = cells[date_col] + (" " + clock if _CLOCK.match(clock) else "")
        when = parse_when(when_text) if cells[date_col] else None
        if clock and not _CLOCK.match(clock) and when is not None:  # a full date and time in the time column
            full = parse_when(clock)
            if full is None or full.date() != when.date():
                report.error(n, time_col, clock, "采样时间无法识别或与采样日期不符", "时间格式如 10:30，或与日期相同的 2026-01-12 10:30")
                ok = False
            else:
                when = full
        if not cells[date_col]:
            report.error(n, date_col, "", "没有填写采样日期", "格式如 2026-01-12 或 2026年1月12日")
            ok = False
        elif when is None:
            report.error(n, date_col, when_text, "无法识别的日期", "格式如 2026-01-12、2026/1/12 10:30 或 2026年1月12日")
            ok = False
        elif when.date() > today:
            report.error(n, date_col, when_text, "采样日期晚于今天", "请核对日期")
            ok = False
        elif when.year < 1990:
            report.error(n, date_col, when_text, "采样日期早于 1990 年", "请核对日期")
            ok = False
        if ok:
            key = (site.id, when)
            if key in seen_rows:
                report.error(n, site_col, name, f"与第{seen_rows[key]}行重复（同一断面、同一采样时间）",
                             "请删除重复行，或核对采样时间")
                ok = False
            else:
                seen_rows[key] = n
        values: list[SampleValue] = []
        for c, (f, _unit) in factor_cols.items():
            text = cells[c]
            if not text:
                continue
            if len(text) > MAX_CELL:
                report.error(n, c, text, f"内容过长（{len(text)} 字符）", "请只填写数值，如 0.52、ND 或 <0.01")
                ok = False
                continue
            m = parse_value(text)
            if m is None:
                report.error(n, c, text, "不是数值", "请填写数值；低于检出限填 ND、未检出、<检出限 或 检出限L")
                ok = False
                continue
            if m.nd and f.name in NOT_ND:
                report.error(n, c, text, f"{f.name}为现场测定项目，不应为未检出", "请填写实测值")
                ok = False
                continue
            if not m.nd and m.value < 0:
                report.error(n, c, text, "监测值不能为负数", "请核对数值")
                ok = False
                continue
            if f.name == "pH" and not 0 <= m.value <= 14:
                report.error(n, c, text, "pH 应在 0–14 之间", "请核对数值")
                ok = False
                continue
            if ok:
                values.append(SampleValue(site.id, when, f.name, text, None if m.nd else m.value, m.nd, m.dl, f.unit))
        if ok:
            if not values:
                report.error(n, "", name, "这一行没有任何监测值", "请填写监测值，或删除该行")
                continue
            out.records.extend(values)
    if out.rows == 0 and report.ok:
        report.error("", "", path.name, "表格中没有监测数据行", "请在表头下方逐行填写监测数据")
    if not report.ok:
        out.records = []
    return out

