"""Taking an inspection trip to the field: GPX and KML (WGS84, and a GCJ-02 variant for
Chinese navigation apps, clearly labelled), and the paper checklist as XLSX and PDF
(Chinese font embedded: the Simplified Chinese face of Noto Sans CJK)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import gpxpy
import gpxpy.gpx
import prcoords
import simplekml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from domain.dates import cn_date
from exports.cells import text_only
from exports.fonts import cjk_sc_font

WGS84, GCJ02 = "WGS84", "GCJ-02"
CLOSED = "已销号"
DATUM_NOTE = {WGS84: "坐标系：WGS84（GPS 原始坐标，奥维互动地图、Google Earth、GIS 软件直接使用）",
              GCJ02: "坐标系：GCJ-02（已加偏，供高德/腾讯等国内导航软件使用；不要再导入 GIS 软件）"}


@dataclass
class StopTask:
    ref: str
    title: str
    status: str
    flag: str
    deadline: str
    units: str
    verify: str
    measures: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # number, text, deadline, units, status
    task_id: int | None = None

    @property
    def closed(self) -> bool:
        return self.status == CLOSED


@dataclass
class Stop:
    seq: int
    day: int
    site_id: str
    name: str
    kind: str
    county: str
    lon: float
    lat: float
    arrive: datetime | None
    depart: datetime | None
    tasks: list[StopTask] = field(default_factory=list)


@dataclass
class Trip:
    title: str
    day: date
    base_name: str
    base: tuple[float, float]  # lon, lat
    stops: list[Stop]
    distance_km: float
    illustrative: bool = False


def file_stem(trip: Trip) -> str:
    """File names carry the trip's title and date, so two trips of one day do not overwrite
    each other; characters that file systems refuse are replaced."""
    title = re.sub(r'[\\/:*?"<>|\s]+', "_", trip.title).strip("._") or "现场检查"
    return f"{title}_{trip.day.isoformat()}"


def verify_text(status: str, flag: str) -> str:
    """What to check on site, from the task's state."""
    if status == "申请销号":
        return "核实整改是否到位、佐证材料是否属实，提出能否销号的意见"
    if status == "已销号":
        return "回头看：核实有无反弹"
    if status == "长期坚持":
        return "核实长效机制是否落实"
    if flag == "逾期":
        return "核实逾期原因、当前进度和完成时间"
    if status == "退回":
        return "核实退回意见是否已整改"
    return "核实整改进展与措施落实情况"


def _xy(lon: float, lat: float, datum: str) -> tuple[float, float]:
    if datum == GCJ02:
        c = prcoords.wgs_gcj((lat, lon), check_china=False)
        return c.lon, c.lat
    return lon, lat


def gpx_text(trip: Trip, datum: str = WGS84) -> str:
    g = gpxpy.gpx.GPX()
    g.name = f"{trip.title}（{datum}）"
    g.description = DATUM_NOTE[datum]
    route = gpxpy.gpx.GPXRoute(name=f"{trip.title} 检查路线", description=DATUM_NOTE[datum])
    bx, by = _xy(*trip.base, datum)
    route.points.append(gpxpy.gpx.GPXRoutePoint(by, bx, name=f"起点 {trip.base_name}"))
    for s in trip.stops:
        x, y = _xy(s.lon, s.lat, datum)
        desc = f"{s.kind}｜{s.county}｜" + "；".join(f"{t.ref} {t.status}" for t in s.tasks)
        g.waypoints.append(gpxpy.gpx.GPXWaypoint(y, x, name=f"{s.seq:02d} {s.name}", description=desc,
                                                 symbol="Flag"))
        route.points.append(gpxpy.gpx.GPXRoutePoint(y, x, name=f"{s.seq:02d} {s.name}"))
    route.points.append(gpxpy.gpx.GPXRoutePoint(by, bx, name=f"终点 {trip.base_name}"))
    g.routes.append(route)
    return g.to_xml(version="1.1")


def kml_text(trip: Trip, datum: str = WGS84) -> str:
    k = simplekml.Kml(name=f"{trip.title}（{datum}）")
    k.document.description = DATUM_NOTE[datum]
    folder = k.newfolder(name="检查点位")
    coords = [_xy(*trip.base, datum)]
    for s in trip.stops:
        x, y = _xy(s.lon, s.lat, datum)
        p = folder.newpoint(name=f"{s.seq:02d} {s.name}", coords=[(x, y)])
        p.description = f"{s.kind}，{s.county}。" + "；".join(f"{t.ref}（{t.status}）：{t.verify}" for t in s.tasks)
        coords.append((x, y))
    coords.append(_xy(*trip.base, datum))
    line = k.newlinestring(name="检查路线", coords=coords)
    line.style.linestyle.width = 4
    line.style.linestyle.color = simplekml.Color.red
    return k.kml()


def checklist_xlsx(trip: Trip, path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "现场检查表"
    ws["A1"] = f"{trip.title}　{cn_date(trip.day)}"
    ws["A1"].font = Font(size=14, bold=True)
    ws["A2"] = (f"起终点：{trip.base_name}　总里程约 {trip.distance_km:.0f} 公里　坐标：WGS84"
                + ("　（点位为示意位置）" if trip.illustrative else ""))
    headers = ["序号", "日程", "点位", "类型", "区县", "经度", "纬度", "预计到达", "未销号任务与措施", "整改时限",
               "责任单位", "核查要点", "已销号任务（回头看）", "检查发现", "照片编号", "检查人签字"]
    ws.append([])
    ws.append(headers)
    for c in ws[4]:
        c.font = Font(bold=True)
    for s in trip.stops:
        open_tasks = [t for t in s.tasks if not t.closed]
        tasks = "\n".join(f"{t.ref}（{t.status}{'·' + t.flag if t.flag else ''}）{t.title}"
                          + "".join(f"\n  {n}. {x}" for n, x, _d, _u, st in t.measures if st != CLOSED)
                          for t in open_tasks)
        closed = "\n".join(f"{t.ref}（{t.status}）{t.title}" for t in s.tasks if t.closed)
        ws.append([s.seq, f"第{s.day}天", s.name, s.kind, s.county, round(s.lon, 6), round(s.lat, 6),
                   s.arrive.strftime("%H:%M") if s.arrive else "", tasks,
                   "\n".join(t.deadline for t in open_tasks), "\n".join(t.units for t in open_tasks),
                   "\n".join(f"{t.ref}：{t.verify}" for t in s.tasks), closed, "", "", ""])
    widths = [6, 8, 22, 12, 10, 11, 11, 9, 60, 22, 26, 36, 30, 30, 10, 12]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    for row in ws.iter_rows(min_row=5):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    text_only(ws)
    wb.save(path)
    return Path(path)


def _hanging(pdf, indent: float, label: str, text: str, h: float = 5) -> None:
    """A numbered line whose wrapped lines align with the text, not the number."""
    left = pdf.l_margin
    pdf.set_x(left + indent)
    w = pdf.get_string_width(label + " ") + 0.5
    pdf.cell(w, h, label)
    pdf.set_left_margin(left + indent + w)
    pdf.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_left_margin(left)
    pdf.set_x(left)


def checklist_pdf(trip: Trip, path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    font, face = cjk_sc_font()
    pdf.add_font("cjk", "", str(font), collection_font_number=face)
    pdf.set_title(trip.title)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 9, f"{trip.title}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    note = (f"日期：{cn_date(trip.day)}　起终点：{trip.base_name}　共 {len(trip.stops)} 个点位，约 {trip.distance_km:.0f} 公里"
            + ("　（点位为示意位置）" if trip.illustrative else ""))
    pdf.multi_cell(0, 6, note, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, "检查人员：＿＿＿＿＿＿＿＿＿＿＿＿　　带队负责人：＿＿＿＿＿＿＿＿", new_x="LMARGIN", new_y="NEXT")
    for s in trip.stops:
        pdf.ln(3)
        pdf.set_font("cjk", size=12)
        when = f"　第{s.day}天 {s.arrive:%H:%M} 到达" if s.arrive else ""
        pdf.multi_cell(0, 7, f"{s.seq}. {s.name}（{s.kind}，{s.county}）{when}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=9)
        pdf.multi_cell(0, 5, f"坐标（WGS84）：{s.lon:.6f}, {s.lat:.6f}", new_x="LMARGIN", new_y="NEXT")
        for t in s.tasks:
            _hanging(pdf, 0, "·", f"{t.ref}（{t.status}{'·' + t.flag if t.flag else ''}）{t.title}")
            _hanging(pdf, 4, "", f"时限：{t.deadline}　责任单位：{t.units}")
            for n, text, dl, units, st in t.measures:
                _hanging(pdf, 4, f"{n}.", f"{text}（{dl}；{units}{'；' + st if st == CLOSED else ''}）")
            _hanging(pdf, 4, "", f"核查要点：{t.verify}")
        pdf.multi_cell(0, 6, "检查发现：", new_x="LMARGIN", new_y="NEXT")
        for _ in range(3):
            pdf.cell(0, 6, "＿" * 45, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, "照片编号：＿＿＿＿＿＿＿＿　　检查人签字：＿＿＿＿＿＿＿＿", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return Path(path)
