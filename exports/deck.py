"""The monthly-meeting deck (python-pptx, 16:9, Chinese): title, 全市总览, 各区县情况,
逾期问题清单, 重点区域 (the largest hot spot). Maps are rendered on the server; tables are
native PowerPoint tables that continue on following slides and never overflow."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from domain import overview as ov
from domain import status as st
from domain.dates import cn_date, deadline_words
from exports.static_map import render_map
from geo.hotspots import region_density
from geo.region import Region
from layers.classify import classify
from onemap.kinds import site_kinds

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 16:9, 13.333 × 7.5 in exactly
FONT = "Noto Sans CJK SC"  # PowerPoint/WPS fall back to a system CJK font when it is absent
DEFAULT_SEQUENCE = ("全市总览", "各区县情况", "逾期问题清单", "重点区域")
ROWS_PER_SLIDE = 8  # at most; fewer when the rows' wrapped text needs the height
LEDGER_WIDTHS_IN = [2.2, 4.3, 2.0, 2.5, 1.3]


@dataclass
class DeckData:
    region: Region
    tasks: pd.DataFrame  # task frame of the data date
    sites: gpd.GeoDataFrame
    summary: pd.DataFrame  # site roll-up (worst state)
    as_of: date
    illustrative: bool
    sample: bool
    basemap_credit: str = ""  # source and 审图号 of the basemap the slides' maps are drawn on
    # the bureau's own imagery by basemap id: (tiles folder, format, min zoom, max zoom, credit);
    # a saved view on one of them gets it beneath its map slide
    imagery: dict = field(default_factory=dict)
    # 断面水质 of the latest month at or before as_of (onemap.water.MonthSummary): its own slide
    water: object | None = None


def clip(text: str, n: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _title(slide, text: str, sub: str = "") -> None:
    box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), WIDTH - Inches(1.0), Inches(0.9))
    tf = box.text_frame
    tf.word_wrap = True
    p = tf.paragraphs[0]
    p.text = text
    p.runs[0].font.size, p.runs[0].font.bold, p.runs[0].font.name = Pt(30), True, FONT
    if sub:
        p2 = tf.add_paragraph()
        p2.text = sub
        p2.runs[0].font.size, p2.runs[0].font.name = Pt(14), FONT
        p2.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def _notice(slide, data: DeckData, water: bool = False) -> None:
    """water: a 断面水质 slide (says when its values are sample data)."""
    parts = [f"数据截至 {cn_date(data.as_of)}"]
    if data.illustrative:
        parts.append("点位为示意位置")
    if data.sample:
        parts.append("任务进展为示例数据")
    if water and data.water is not None and data.water.sample:
        parts.append("水质监测值为示例数据（非实测）")
    box = slide.shapes.add_textbox(Inches(0.5), HEIGHT - Inches(0.45), WIDTH - Inches(1.0), Inches(0.35))
    p = box.text_frame.paragraphs[0]
    p.text = "　".join(parts)
    p.runs[0].font.size, p.runs[0].font.name = Pt(11), FONT
    p.runs[0].font.color.rgb = RGBColor(0x66, 0x66, 0x66)


def _figures(slide, lines: list[tuple[str, str]], left, top, width, value_pt: int = 32, label_pt: int = 20,
             space_pt: int = 10) -> None:
    box = slide.shapes.add_textbox(left, top, width, Inches(5.6))
    tf = box.text_frame
    tf.word_wrap = True
    for i, (label, value) in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        r1 = p.add_run()
        r1.text = f"{label}　"
        r1.font.size, r1.font.name = Pt(label_pt), FONT
        r2 = p.add_run()
        r2.text = value
        r2.font.size, r2.font.bold, r2.font.name = Pt(value_pt), True, FONT
        p.space_after = Pt(space_pt)


TABLE_TOP, TABLE_BOTTOM = Inches(1.35), HEIGHT - Inches(0.55)
TABLE_PT = 16  # body text of tables: readable from the back of a meeting room
CELL_MARGIN_IN = 0.08  # left/right inner margin of a cell
CELL_PAD_PT = 7.2  # top + bottom inner margins (0.05 in each, PowerPoint's default)
LINE = 1.5  # line height / font size: Noto Sans CJK's ascent + descent is 1.45 em


def text_width_pt(text: str, size_pt: float) -> float:
    """Width of a line of text: CJK (and full-width) characters are one em, others about half."""
    return sum(size_pt if ord(ch) > 0x2E7F else size_pt * 0.55 for ch in str(text))


def lines_needed(text: str, width_in: float, size_pt: float) -> int:
    """Lines the text takes in a cell of this width (greedy wrap, character by character, as
    PowerPoint wraps Chinese)."""
    usable = width_in * 72 - 2 * CELL_MARGIN_IN * 72
    n, cur = 1, 0.0
    for ch in str(text):
        w = text_width_pt(ch, size_pt)
        if cur + w > usable and cur > 0:
            n, cur = n + 1, w
        else:
            cur += w
    return n


def row_height_pt(cells: list[str], widths_in: list[float], size_pt: float) -> float:
    return max(lines_needed(t, w, size_pt) for t, w in zip(cells, widths_in, strict=True)) * size_pt * LINE \
        + CELL_PAD_PT + 4


def _pages(rows: list[list[str]], widths_in: list[float], header_h: float) -> list[list[list[str]]]:
    """Rows split into slides by the height they need (at most ROWS_PER_SLIDE a slide)."""
    budget = (TABLE_BOTTOM - TABLE_TOP) / 12700 - header_h  # EMU → pt
    pages: list[list[list[str]]] = [[]]
    used = 0.0
    for r in rows:
        h = row_height_pt(r, widths_in, TABLE_PT)
        if pages[-1] and (used + h > budget or len(pages[-1]) >= ROWS_PER_SLIDE):
            pages.append([])
            used = 0.0
        pages[-1].append(r)
        used += h
    return pages


def _table(prs, title: str, headers: list[str], rows: list[list[str]], widths_in: list[float], data: DeckData,
           water: bool = False) -> int:
    """Native tables; each row as tall as its wrapped text needs, so no cell clips; rows
    continue (续) on following slides."""
    header_h = row_height_pt(headers, widths_in, TABLE_PT)
    pages = _pages(rows, widths_in, header_h)
    for page, chunk in enumerate(pages):
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        _title(slide, title + ("" if page == 0 else "（续）"), f"第 {page + 1}/{len(pages)} 页，共 {len(rows)} 项")
        heights = [header_h] + [row_height_pt(r, widths_in, TABLE_PT) for r in chunk]
        shape = slide.shapes.add_table(len(chunk) + 1, len(headers), Inches(0.5), TABLE_TOP,
                                       Inches(sum(widths_in)), Pt(sum(heights)))
        table = shape.table
        for j, w in enumerate(widths_in):
            table.columns[j].width = Inches(w)
        for i, h in enumerate(heights):
            table.rows[i].height = Pt(h)
        for j, h in enumerate(headers):
            _cell(table.cell(0, j), h, bold=True)
        for i, r in enumerate(chunk, start=1):
            for j, v in enumerate(r):
                _cell(table.cell(i, j), v)
        _notice(slide, data, water)
    return len(pages)


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = str(text)
    cell.text_frame.word_wrap = True
    for p in cell.text_frame.paragraphs:
        for r in p.runs:
            r.font.size, r.font.bold, r.font.name = Pt(TABLE_PT), bold, FONT
    cell.margin_left = cell.margin_right = Inches(CELL_MARGIN_IN)
    cell.margin_top = cell.margin_bottom = Pt(CELL_PAD_PT / 2)


def _picture(slide, png: bytes, left, top, height):
    import io

    return slide.shapes.add_picture(io.BytesIO(png), left, top, height=height)


def hottest_extent(data: DeckData, half_km: float = 15.0) -> tuple[tuple[float, float, float, float], float] | None:
    """The area around the density maximum of open tasks (lon/lat box) and its peak."""
    from pyproj import Transformer

    w = ov.site_weights(data.tasks)
    if w.empty:
        return None
    s = data.sites.set_index("id").loc[[i for i in w.index if i in set(data.sites["id"])]]
    pts = s.geometry.representative_point()
    d = region_density(pts.x, pts.y, w.reindex(s.index).to_numpy(), data.region.bbox, cell=500, bandwidth=5000)
    r, c = np.unravel_index(np.argmax(d.values), d.values.shape)
    x = d.transform.c + (c + 0.5) * d.cell
    y = d.transform.f - (r + 0.5) * d.cell
    t = Transformer.from_crs(d.crs, 4326, always_xy=True)
    west, south = t.transform(x - half_km * 1000, y - half_km * 1000)
    east, north = t.transform(x + half_km * 1000, y + half_km * 1000)
    return (west, south, east, north), float(d.values.max())


def _extent_of(view: dict) -> tuple[float, float, float, float] | None:
    """The lon/lat box a saved map view showed: the bounds saved with it ([[south, west],
    [north, east]], as Leaflet reports them). Views saved before bounds were recorded have only
    centre and zoom: their box is worked out from Web Mercator for a ~900 × 640 px map."""
    b = view.get("bounds")
    if b:
        (south, west), (north, east) = b
        return float(west), float(south), float(east), float(north)
    if not view.get("center"):
        return None
    lat, lon = (float(x) for x in view["center"])
    px_per_deg = 256 * 2 ** float(view.get("zoom", 10)) / 360.0
    half_lon = 450 / px_per_deg
    y = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))  # Mercator y, in "degrees"
    lat_of = lambda yy: math.degrees(2 * math.atan(math.exp(math.radians(yy))) - math.pi / 2)  # noqa: E731
    return lon - half_lon, lat_of(y - 320 / px_per_deg), lon + half_lon, lat_of(y + 320 / px_per_deg)


BUILTIN_VIEWS = {
    "全市总览": {"title": "全市总览", "page": "map", "params": {}},
    "各区县情况": {"title": "各区县情况", "page": "overview", "params": {}},
    "逾期问题清单": {"title": "逾期问题清单", "page": "ledger", "params": {"flag": "逾期"}},
    "重点区域": {"title": "重点区域", "page": "map", "params": {}, "hotspot": True},
}


def _view_slides(prs, data: DeckData, view: dict, markers: dict[str, str]) -> None:
    """One view (saved, or built in): the page it shows, with its filters applied."""
    from domain.filtering import filter_sites, filter_tasks, filters_from_params
    from domain.rollup import site_summary

    f = filters_from_params(view.get("params", {}), as_of=data.as_of)
    place_of_site = dict(zip(data.sites["id"], data.sites["county_code"], strict=True))
    tasks = filter_tasks(data.tasks, f, data.sites, place_of_site)
    title = view.get("title") or "视图"
    if view.get("page") == "ledger":
        rows = [[clip(r["ref"], 18), clip(r["title"], 60), clip(deadline_words(r), 22), clip("、".join(r["units"]), 60),
                 r["status"] + ("·" + r["flag"] if r["flag"] else "")] for _, r in tasks.sort_values("deadline").iterrows()]
        _table(prs, title, ["编号", "问题/任务", "整改时限", "责任单位", "状态"], rows, LEDGER_WIDTHS_IN, data)
        return
    if view.get("page") == "overview":
        _place_slides(prs, data, tasks, title)
        return
    sites = filter_sites(data.sites, f, tasks, place_of_site)
    summary = site_summary(tasks, list(data.sites["id"])) if f.task_filter_active else data.summary
    s = prs.slides.add_slide(prs.slide_layouts[6])
    top = ov.top_level(tasks)
    if view.get("hotspot"):
        _title(s, title, "未销号任务（逾期加倍计）最集中的地区，半径约 15 公里")
        hot = hottest_extent(data)
        if hot is None:
            _figures(s, [("重点区域", "无关联点位的未销号任务")], Inches(0.8), Inches(2.0), Inches(10))
            _notice(s, data)
            return
        extent = hot[0]
        sites = sites[sites.geometry.representative_point().within(shapely.box(*extent))]
        ids = set(sites["id"])
        top = top[top["site_ids"].map(lambda xs: bool(ids & set(xs)))]
        lines = [("区域内点位", f"{len(sites)} 个"), ("相关问题/任务", f"{len(top)} 项"),
                 ("其中逾期", f"{int((top['flag'] == st.OVERDUE).sum())} 项"),
                 ("未销号", f"{int(top['status'].isin(st.OPEN_STATUSES).sum())} 项")]
    else:
        _title(s, title, "点位按相关问题/任务的最差状态着色")
        extent = _extent_of(view)
        rate = ov.closing_rate(tasks)
        lines = [("问题/任务", f"{len(top)} 项"), ("逾期", f"{int((top['flag'] == st.OVERDUE).sum())} 项"),
                 ("临期", f"{int((top['flag'] == st.DUE_SOON).sum())} 项"),
                 ("待核实销号", f"{int((top['status'] == st.APPLIED).sum())} 项"),
                 ("已销号", f"{int((top['status'] == st.CLOSED).sum())} 项"),
                 ("销号率", "—" if rate is None else f"{rate:.0%}")]
        if f.task_filter_active or view.get("params"):
            lines.insert(0, ("点位", f"{len(sites)} 个"))
    credit, imagery = data.basemap_credit, None
    own = data.imagery.get((view.get("params") or {}).get("bm", ""))
    if own:
        from geo.tiles import mosaic

        box = extent or tuple(data.region.counties().total_bounds)
        imagery = mosaic(own[0], own[1], box, own[2], own[3])
        if imagery is not None:
            credit = own[4]
    png = render_map(data.region.counties(), sites=sites, site_state=summary["worst"].to_dict(), kind_markers=markers,
                     extent_lonlat=extent, data_date=data.as_of, illustrative=data.illustrative, size_in=(9.3, 5.75),
                     credit=credit, imagery=imagery)
    _picture(s, png, Inches(0.3), Inches(1.3), Inches(5.75))
    _figures(s, lines, Inches(9.75), Inches(1.5), Inches(3.4))
    _notice(s, data)


CITY_DEPTS = "市直部门"


def place_table(data: DeckData, tasks: pd.DataFrame) -> pd.DataFrame:
    """Every county and zone of the region (and the city's departments when they have tasks)."""
    places = data.region.places
    names = {p.code: p.name for p in places.all()}
    names[places.city.code] = CITY_DEPTS
    return ov.by_place(tasks, names, data.sites.groupby("county_code").size().to_dict(),
                       [p.code for p in places.local_places()])


def _place_slides(prs, data: DeckData, tasks: pd.DataFrame, title: str) -> None:
    """各区县情况: the choropleth of overdue tasks (counties and zones, the web map's classes),
    every place with its figure beside it; then the full ranking as a table."""
    table = place_table(data, tasks)
    local = [p.code for p in data.region.places.local_places()]
    values = {c: float(v) for c, v in zip(table["code"], table["逾期"], strict=True) if c in local}
    classes = classify(values.values())
    zones = [{"code": z["code"], "name": z["name"], "anchor": z.get("anchor")}
             for z in data.region.meta.get("zones", [])]
    s = prs.slides.add_slide(prs.slide_layouts[6])
    _title(s, title, "逾期问题/任务，按责任单位所属区县/管理区统计（一项任务涉及几个地区，就在几个地区各计一次）")
    png = render_map(data.region.counties(), county_values=values, value_label="逾期（项）", zones=zones,
                     classes=classes, data_date=data.as_of, size_in=(7.4, 5.75), legend_pt=16,
                     credit=data.basemap_credit)
    pic = _picture(s, png, Inches(0.3), Inches(1.3), Inches(5.75))
    # alt text: the legend in words (screen readers; and what the map's colours mean)
    pic._element.nvPicPr.cNvPr.set("descr", "逾期（项）分级：" + "；".join(f"{k.label} {k.color}" for k in classes.classes))
    lines = [(r["地区"], f"逾期 {r['逾期']}") for _, r in table.iterrows()]
    _figures(s, lines, Inches(8.0), Inches(1.4), Inches(5.0), value_pt=22, label_pt=18,
             space_pt=max(2, min(10, int(60 / max(1, len(lines))))))
    _notice(s, data)
    _table(prs, "区县排名", ["地区", "逾期", "未销号", "点位数"],
           [[r["地区"], str(r["逾期"]), str(r["未销号"]), str(r["点位数"])] for _, r in table.iterrows()],
           [4.0, 2.0, 2.0, 2.0], data)


def set_east_asian_typeface(prs, typeface: str = FONT) -> None:
    """Every run names the typeface for Latin and for East Asian text (`a:latin` and `a:ea`):
    with only `a:latin`, PowerPoint and WPS draw Chinese characters in another font."""
    from pptx.oxml.ns import qn

    for slide in prs.slides:
        for r in slide._element.iter(qn("a:r")):
            rpr = r.get_or_add_rPr()
            latin = rpr.find(qn("a:latin"))
            if latin is None:
                latin = rpr.get_or_add_latin()
                latin.set("typeface", typeface)
            ea = rpr.find(qn("a:ea"))
            if ea is None:
                ea = rpr.makeelement(qn("a:ea"), {})
                latin.addnext(ea)
            ea.set("typeface", latin.get("typeface") or typeface)


def build_deck(data: DeckData, path: Path, *, title: str, sequence=DEFAULT_SEQUENCE) -> Path:
    """`sequence`: built-in slide names (the default meeting) and/or saved views (dicts)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    markers = {k.name: k.marker for k in site_kinds()}

    s = prs.slides.add_slide(blank)
    box = s.shapes.add_textbox(Inches(0.8), Inches(2.4), WIDTH - Inches(1.6), Inches(2.5))
    tf = box.text_frame
    tf.word_wrap = True
    tf.paragraphs[0].text = title
    tf.paragraphs[0].runs[0].font.size, tf.paragraphs[0].runs[0].font.bold = Pt(40), True
    tf.paragraphs[0].runs[0].font.name = FONT
    p = tf.add_paragraph()
    p.text = f"{data.region.name}生态环境局　数据截至 {cn_date(data.as_of)}"
    p.runs[0].font.size, p.runs[0].font.name = Pt(20), FONT
    _notice(s, data)

    for item in sequence:
        _view_slides(prs, data, BUILTIN_VIEWS[item] if isinstance(item, str) else item, markers)
    if data.water is not None:
        _water_slides(prs, data)
    set_east_asian_typeface(prs)
    prs.save(path)
    return Path(path)


WATER_WIDTHS_IN = [2.3, 2.0, 3.3, 4.7]


def _water_slides(prs, data: DeckData) -> None:
    """断面水质: the month's and the year-to-date shares, then the non-compliant sections and
    sources with their factor and the unfinished tasks that answer them — or that none does."""
    w = data.water
    y, mo = w.month.split("-")
    when = f"{int(y)}年{int(mo)}月"
    s = prs.slides.add_slide(prs.slide_layouts[6])
    _title(s, f"断面水质（{when}）", f"GB 3838-2002 单因子评价；{int(y)}年累计为 1–{int(mo)} 月各月均值的平均")

    def share(x) -> str:
        return "—" if x.percent is None else f"{x.percent:.1f}%（{x.part}/{x.total}）"

    lines = [(label, f"{share(now)}　{int(y)}年累计 {share(ytd)}") for label, (now, ytd) in w.shares.items()]
    lines.append(("不达标点位", f"{len(w.rows)} 个" + (f"，其中 {len(w.unanswered)} 个无未销号的整改任务"
                                                    if w.unanswered else "")))
    _figures(s, lines, Inches(0.6), Inches(1.5), WIDTH - Inches(1.2), value_pt=26, label_pt=18)
    _notice(s, data, water=True)
    if w.rows:
        rows = [[r["点位"], f"{r['水质类别']}（目标{r['目标']}）", r["超标因子（倍数）"],
                 "；".join(r["tasks"]) or "⚠ 无未销号的关联整改任务"] for r in w.rows]
        _table(prs, f"{when}不达标的断面和水源地", ["点位", "类别（目标）", "超标因子（倍数）", "未销号的关联任务"],
               rows, WATER_WIDTHS_IN, data, water=True)


def shapes_inside(prs_path: Path) -> list[str]:
    """Shapes that extend beyond the slide (should be none)."""
    prs = Presentation(str(prs_path))
    out = []
    for i, slide in enumerate(prs.slides, start=1):
        for sh in slide.shapes:
            if sh.left < 0 or sh.top < 0 or sh.left + sh.width > prs.slide_width or \
                    sh.top + sh.height > prs.slide_height:
                out.append(f"第{i}页 {sh.name}")
    return out

