"""The monthly-meeting deck (python-pptx, 16:9, Chinese): title, 全市总览, 各区县情况,
逾期问题清单, 重点区域 (the largest hot spot). Maps are rendered on the server; tables are
native PowerPoint tables that continue on following slides and never overflow."""

from __future__ import annotations

from dataclasses import dataclass
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
from onemap.kinds import site_kinds

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 16:9, 13.333 × 7.5 in exactly
FONT = "Noto Sans CJK SC"  # PowerPoint/WPS fall back to a system CJK font when it is absent
DEFAULT_SEQUENCE = ("全市总览", "各区县情况", "逾期问题清单", "重点区域")
ROWS_PER_SLIDE = 8


@dataclass
class DeckData:
    region: Region
    tasks: pd.DataFrame  # task frame of the data date
    sites: gpd.GeoDataFrame
    summary: pd.DataFrame  # site roll-up (worst state)
    as_of: date
    illustrative: bool
    sample: bool


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


def _notice(slide, data: DeckData) -> None:
    parts = [f"数据截至 {cn_date(data.as_of)}"]
    if data.illustrative:
        parts.append("点位为示意位置")
    if data.sample:
        parts.append("任务进展为示例数据")
    box = slide.shapes.add_textbox(Inches(0.5), HEIGHT - Inches(0.45), WIDTH - Inches(1.0), Inches(0.35))
    p = box.text_frame.paragraphs[0]
    p.text = "　".join(parts)
    p.runs[0].font.size, p.runs[0].font.name = Pt(11), FONT
    p.runs[0].font.color.rgb = RGBColor(0x66, 0x66, 0x66)


def _figures(slide, lines: list[tuple[str, str]], left, top, width, value_pt: int = 32) -> None:
    box = slide.shapes.add_textbox(left, top, width, Inches(5.0))
    tf = box.text_frame
    tf.word_wrap = True
    for i, (label, value) in enumerate(lines):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        r1 = p.add_run()
        r1.text = f"{label}　"
        r1.font.size, r1.font.name = Pt(20), FONT
        r2 = p.add_run()
        r2.text = value
        r2.font.size, r2.font.bold, r2.font.name = Pt(value_pt), True, FONT
        p.space_after = Pt(10)


def _table(prs, title: str, headers: list[str], rows: list[list[str]], widths_in: list[float], data: DeckData) -> int:
    """Native tables, ROWS_PER_SLIDE rows per slide, continued (续) on following slides."""
    pages = max(1, (len(rows) + ROWS_PER_SLIDE - 1) // ROWS_PER_SLIDE)
    for page in range(pages):
        slide = prs.slides.add_slide(prs.slide_layouts[6])
        _title(slide, title + ("" if page == 0 else "（续）"), f"第 {page + 1}/{pages} 页，共 {len(rows)} 项")
        chunk = rows[page * ROWS_PER_SLIDE:(page + 1) * ROWS_PER_SLIDE]
        row_h = Inches(0.62)
        shape = slide.shapes.add_table(len(chunk) + 1, len(headers), Inches(0.5), Inches(1.35),
                                       Inches(sum(widths_in)), row_h * (len(chunk) + 1))
        table = shape.table
        for j, w in enumerate(widths_in):
            table.columns[j].width = Inches(w)
        for i in range(len(chunk) + 1):
            table.rows[i].height = row_h
        for j, h in enumerate(headers):
            _cell(table.cell(0, j), h, bold=True)
        for i, r in enumerate(chunk, start=1):
            for j, v in enumerate(r):
                _cell(table.cell(i, j), v)
        _notice(slide, data)
    return pages


def _cell(cell, text: str, bold: bool = False) -> None:
    cell.text = str(text)
    for p in cell.text_frame.paragraphs:
        for r in p.runs:
            r.font.size, r.font.bold, r.font.name = Pt(13), bold, FONT
    cell.margin_left = cell.margin_right = Inches(0.05)


def _picture(slide, png: bytes, left, top, height) -> None:
    import io

    slide.shapes.add_picture(io.BytesIO(png), left, top, height=height)


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
    """A saved map view's centre and zoom → the lon/lat box a ~900 px wide map shows."""
    if not view.get("center"):
        return None
    lat, lon = view["center"]
    deg = 360.0 / 2 ** float(view.get("zoom", 10)) * 900 / 256  # degrees of longitude across the map
    half_lon, half_lat = deg / 2, deg / 2 * 0.6
    return lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat


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
        rows = [[clip(r["ref"], 18), clip(r["title"], 44), clip(deadline_words(r), 22), clip("、".join(r["units"]), 30),
                 r["status"] + ("·" + r["flag"] if r["flag"] else "")] for _, r in tasks.sort_values("deadline").iterrows()]
        _table(prs, title, ["编号", "问题/任务", "整改时限", "责任单位", "状态"], rows, [2.3, 4.6, 2.0, 2.3, 1.1], data)
        return
    if view.get("page") == "overview":
        names = {p.code: p.name for p in data.region.places.all()}
        table = ov.by_place(tasks, names, data.sites.groupby("county_code").size().to_dict())
        s = prs.slides.add_slide(prs.slide_layouts[6])
        _title(s, title, "按责任单位所属区县统计的逾期问题/任务")
        png = render_map(data.region.counties(), county_values=dict(zip(table["code"], table["逾期"], strict=True)),
                         value_label="逾期", data_date=data.as_of)
        _picture(s, png, Inches(0.3), Inches(1.3), Inches(5.5))
        _figures(s, [(r["地区"], f"逾期 {r['逾期']}") for _, r in table.head(6).iterrows()],
                 Inches(9.6), Inches(1.5), Inches(3.4), value_pt=24)
        _notice(s, data)
        _table(prs, "区县排名", ["地区", "逾期", "未销号", "点位数"],
               [[r["地区"], str(r["逾期"]), str(r["未销号"]), str(r["点位数"])] for _, r in table.iterrows()],
               [4.0, 2.0, 2.0, 2.0], data)
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
    png = render_map(data.region.counties(), sites=sites, site_state=summary["worst"].to_dict(), kind_markers=markers,
                     extent_lonlat=extent, data_date=data.as_of, illustrative=data.illustrative)
    _picture(s, png, Inches(0.3), Inches(1.3), Inches(5.5))
    _figures(s, lines, Inches(9.6), Inches(1.5), Inches(3.4))
    _notice(s, data)


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
    prs.save(path)
    return Path(path)


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

