"""The exported files opened and read cell by cell / line by line (issue 18: mutation
survivors in exports/). Every expected value is written out by hand from the small
fixture below, never taken from the function that writes the file."""

from __future__ import annotations

import math
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime

import gpxpy
import pandas as pd
import pytest
from openpyxl import load_workbook

from exports.field import (
    GCJ02,
    WGS84,
    Stop,
    StopTask,
    Trip,
    checklist_pdf,
    checklist_xlsx,
    file_stem,
    gpx_text,
    kml_text,
    verify_text,
)
from exports.ledger_xlsx import write_ledger_xlsx
from onemap import meetings

BASE = (117.2036, 29.2930)


def _trip(illustrative: bool = False) -> Trip:
    open_task = StopTask("清单（一）", "矿山修复滞后", "整改中", "逾期", "2024年底", "乐平市委、市政府", "核实逾期原因",
                         [("1", "覆土复绿", "2023年底前", "乐平市政府", "已销号"),
                          ("2", "补植乔灌草", "2024年9月底前", "乐平市林业局", "整改中")])
    plain = StopTask("清单（二）", "扬尘治理", "未启动", "", "2026年底", "乐平市住建局", "核实整改进展与措施落实情况", [])
    closed = StopTask("清单（三）", "旧矿坑", "已销号", "", "2023年底", "乐平市政府", "回头看：核实有无反弹", [])
    stops = [
        Stop(1, 1, "S1", "宝山煤矿", "矿山修复点", "乐平市", 117.1234567, 28.9876543, datetime(2026, 11, 24, 9, 5),
             datetime(2026, 11, 24, 9, 50), [open_task, closed]),
        Stop(2, 2, "S2", "南河河口", "监测断面", "乐平市", 117.3, 29.0, None, None, [plain]),
    ]
    return Trip("乐平市现场核查", date(2026, 11, 24), "市生态环境局", BASE, stops, 86.6, illustrative)


def test_checklist_xlsx_cell_by_cell(tmp_path):
    wb = load_workbook(checklist_xlsx(_trip(), tmp_path / "c.xlsx"))
    assert wb.sheetnames == ["现场检查表"]
    ws = wb["现场检查表"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "乐平市现场核查　2026年11月24日"
    assert rows[1][0] == "起终点：市生态环境局　总里程约 87 公里　坐标：WGS84"
    assert all(v is None for v in rows[2])
    assert rows[3] == ["序号", "日程", "点位", "类型", "区县", "经度", "纬度", "预计到达", "未销号任务与措施", "整改时限",
                       "责任单位", "核查要点", "已销号任务（回头看）", "检查发现", "照片编号", "检查人签字"]
    assert rows[4] == [1, "第1天", "宝山煤矿", "矿山修复点", "乐平市", 117.123457, 28.987654, "09:05",
                       "清单（一）（整改中·逾期）矿山修复滞后\n  2. 补植乔灌草", "2024年底", "乐平市委、市政府",
                       "清单（一）：核实逾期原因\n清单（三）：回头看：核实有无反弹", "清单（三）（已销号）旧矿坑",
                       None, None, None]
    assert rows[5] == [2, "第2天", "南河河口", "监测断面", "乐平市", 117.3, 29.0, None,
                       "清单（二）（未启动）扬尘治理", "2026年底", "乐平市住建局", "清单（二）：核实整改进展与措施落实情况",
                       None, None, None, None]
    assert len(rows) == 6
    # what the printed sheet looks like: a bold title and header, wrapped cells, column widths
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert all(c.font.b for c in ws[4])
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for r in ws.iter_rows(min_row=5) for c in r)
    assert not ws["A4"].alignment.wrap_text
    widths = [6, 8, 22, 12, 10, 11, 11, 9, 60, 22, 26, 36, 30, 30, 10, 12]
    assert [ws.column_dimensions[chr(ord("A") + i)].width for i in range(16)] == widths


def test_checklist_xlsx_names_illustrative_positions(tmp_path):
    ws = load_workbook(checklist_xlsx(_trip(illustrative=True), tmp_path / "c.xlsx")).active
    assert ws["A2"].value == "起终点：市生态环境局　总里程约 87 公里　坐标：WGS84　（点位为示意位置）"


@pytest.mark.parametrize(("status", "flag", "want"), [
    ("申请销号", "逾期", "核实整改是否到位、佐证材料是否属实，提出能否销号的意见"),
    ("已销号", "", "回头看：核实有无反弹"),
    ("长期坚持", "逾期", "核实长效机制是否落实"),
    ("整改中", "逾期", "核实逾期原因、当前进度和完成时间"),
    ("退回", "逾期", "核实逾期原因、当前进度和完成时间"),
    ("退回", "", "核实退回意见是否已整改"),
    ("整改中", "临期", "核实整改进展与措施落实情况"),
    ("未启动", "", "核实整改进展与措施落实情况"),
], ids=[f"verify{i}" for i in range(8)])
def test_verify_text(status, flag, want):
    assert verify_text(status, flag) == want


def test_file_stem_edge_cases():
    t = _trip()
    t.title = "  ._ "
    assert file_stem(t) == "现场检查_2026-11-24"
    t.title = "._核查 a.b_."
    assert file_stem(t) == "核查_a.b_2026-11-24"


def test_gpx_text_exactly(tmp_path):
    g = gpxpy.parse(gpx_text(_trip(), WGS84))
    assert g.name == "乐平市现场核查（WGS84）"
    assert g.description == "坐标系：WGS84（GPS 原始坐标，奥维互动地图、Google Earth、GIS 软件直接使用）"
    assert [(w.name, w.description, w.symbol, w.longitude, w.latitude) for w in g.waypoints] == [
        ("01 宝山煤矿", "矿山修复点｜乐平市｜清单（一） 整改中；清单（三） 已销号", "Flag", 117.1234567, 28.9876543),
        ("02 南河河口", "监测断面｜乐平市｜清单（二） 未启动", "Flag", 117.3, 29.0)]
    assert len(g.routes) == 1
    r = g.routes[0]
    assert r.name == "乐平市现场核查 检查路线" and r.description == g.description
    assert [(p.name, p.longitude, p.latitude) for p in r.points] == [
        ("起点 市生态环境局", 117.2036, 29.293), ("01 宝山煤矿", 117.1234567, 28.9876543),
        ("02 南河河口", 117.3, 29.0), ("终点 市生态环境局", 117.2036, 29.293)]


def test_gpx_gcj02_moves_base_and_stops_alike():
    w, g = gpxpy.parse(gpx_text(_trip(), WGS84)), gpxpy.parse(gpx_text(_trip(), GCJ02))
    assert g.name == "乐平市现场核查（GCJ-02）"
    assert g.description == "坐标系：GCJ-02（已加偏，供高德/腾讯等国内导航软件使用；不要再导入 GIS 软件）"
    for a, b in zip(w.routes[0].points, g.routes[0].points, strict=True):
        # a few hundred metres east and south in this part of Jiangxi, never in place
        assert 0.003 < b.longitude - a.longitude < 0.008 and -0.004 < b.latitude - a.latitude < -0.001
    assert (g.routes[0].points[0].longitude, g.routes[0].points[0].latitude) == (
        g.routes[0].points[-1].longitude, g.routes[0].points[-1].latitude)


KML = "{http://www.opengis.net/kml/2.2}"


def test_kml_text_exactly():
    doc = ET.fromstring(kml_text(_trip(), WGS84)).find(f"{KML}Document")
    assert doc.findtext(f"{KML}name") == "乐平市现场核查（WGS84）"
    assert doc.findtext(f"{KML}description") == "坐标系：WGS84（GPS 原始坐标，奥维互动地图、Google Earth、GIS 软件直接使用）"
    folder = doc.find(f"{KML}Folder")
    assert folder.findtext(f"{KML}name") == "检查点位"
    marks = folder.findall(f"{KML}Placemark")
    assert [(p.findtext(f"{KML}name"), p.findtext(f"{KML}description"), p.findtext(f".//{KML}coordinates"))
            for p in marks] == [
        ("01 宝山煤矿", "矿山修复点，乐平市。清单（一）（整改中）：核实逾期原因；清单（三）（已销号）：回头看：核实有无反弹",
         "117.1234567,28.9876543,0.0"),
        ("02 南河河口", "监测断面，乐平市。清单（二）（未启动）：核实整改进展与措施落实情况", "117.3,29.0,0.0")]
    line = next(p for p in doc.findall(f"{KML}Placemark") if p.find(f"{KML}LineString") is not None)
    assert line.findtext(f"{KML}name") == "检查路线"
    assert line.findtext(f".//{KML}coordinates").split() == [
        "117.2036,29.293,0.0", "117.1234567,28.9876543,0.0", "117.3,29.0,0.0", "117.2036,29.293,0.0"]
    style_id = line.findtext(f"{KML}styleUrl").lstrip("#")
    style = next(s for s in doc.iter(f"{KML}Style") if s.get("id") == style_id).find(f"{KML}LineStyle")
    assert (style.findtext(f"{KML}width"), style.findtext(f"{KML}color")) == ("4", "ff0000ff")  # red, aabbggrr


def test_kml_gcj02_label():
    doc = ET.fromstring(kml_text(_trip(), GCJ02)).find(f"{KML}Document")
    assert doc.findtext(f"{KML}name") == "乐平市现场核查（GCJ-02）"
    x, y, _ = doc.find(f"{KML}Folder/{KML}Placemark").findtext(f".//{KML}coordinates").split(",")
    assert float(x) != 117.1234567 and float(y) != 28.9876543


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_checklist_pdf_text(tmp_path):
    pdf = checklist_pdf(_trip(illustrative=True), tmp_path / "c.pdf")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    # pdftotext drops spaces (the ideographic one too): compared without any
    lines = ["".join(ln.split()) for ln in text.splitlines() if ln.strip()]
    want = [
        "乐平市现场核查",
        "日期：2026年11月24日　起终点：市生态环境局　共2个点位，约87公里　（点位为示意位置）",
        "检查人员：＿＿＿＿＿＿＿＿＿＿＿＿　　带队负责人：＿＿＿＿＿＿＿＿",
        "1.宝山煤矿（矿山修复点，乐平市）　第1天09:05到达",
        "坐标（WGS84）：117.123457,28.987654",
        "·清单（一）（整改中·逾期）矿山修复滞后",
        "时限：2024年底　责任单位：乐平市委、市政府",
        "1.覆土复绿（2023年底前；乐平市政府；已销号）",
        "2.补植乔灌草（2024年9月底前；乐平市林业局）",
        "核查要点：核实逾期原因",
        "·清单（三）（已销号）旧矿坑",
        "时限：2023年底　责任单位：乐平市政府",
        "核查要点：回头看：核实有无反弹",
        "检查发现：",
        "＿" * 45, "＿" * 45, "＿" * 45,
        "照片编号：＿＿＿＿＿＿＿＿　　检查人签字：＿＿＿＿＿＿＿＿",
        "2.南河河口（监测断面，乐平市）",
        "坐标（WGS84）：117.300000,29.000000",
        "·清单（二）（未启动）扬尘治理",
        "时限：2026年底　责任单位：乐平市住建局",
        "核查要点：核实整改进展与措施落实情况",
        "检查发现：",
        "＿" * 45, "＿" * 45, "＿" * 45,
        "照片编号：＿＿＿＿＿＿＿＿　　检查人签字：＿＿＿＿＿＿＿＿",
    ]
    assert lines == ["".join(w.split()) for w in want]


def _ledger_task(id_, uid, *, parent=None, position=0, level="problem", body="", title="", deadline=None,
                 inherited=False, **kw) -> dict:
    row = {"id": id_, "parent_id": parent, "uid": uid, "position": position, "level": level, "document": "测试文件",
           "body": body, "title": title, "target": "", "deadline_text": "", "deadline": deadline,
           "deadline_inherited": inherited, "ongoing": False, "units": [], "unit_places": [], "acceptance_text": "",
           "acceptance_units": [], "category": "水", "site_ids": [], "status": "未启动", "flag": None, "last_note": ""}
    return row | kw


def _ledger_frame() -> pd.DataFrame:
    return pd.DataFrame([
        # written out of order: the ledger follows position, each child right under its parent
        _ledger_task(2, "测试文件|main|2", position=2, level="task", title="宣传", units=["市生态环境局"],
                     unit_places=["景德镇市"], deadline_text="长期坚持", ongoing=True, flag="临期",
                     acceptance_units=["市委宣传部", "市生态环境局"], site_ids=["S9"]),
        _ledger_task(11, "测试文件|main|（一）/1", parent=1, position=1, level="measure", title="截污",
                     deadline_text="2026年底前", deadline=date(2026, 12, 31), inherited=True, status="整改中",
                     last_note="管网已开工"),
        _ledger_task(1, "测试文件|main|（一）", position=1, body="南河水质不稳定", title="南河",
                     deadline_text="2026年底前", deadline=date(2026, 12, 31), acceptance_text="市生态环境局牵头验收",
                     acceptance_units=["市生态环境局"], site_ids=["S1", "S2"], flag="逾期", target="Ⅲ类"),
        _ledger_task(12, "测试文件|main|（一）/2", parent=1, position=0, level="measure", title="巡查",
                     deadline_text="2025年6月底前", deadline=date(2025, 6, 30), inherited=False),
        _ledger_task(30, "测试文件|annex|（三）", position=5, level="other", title="附件问题"),
    ])


def test_ledger_xlsx_from_a_hand_built_frame(tmp_path):
    out = write_ledger_xlsx(_ledger_frame(), {"S1": "南河河口", "S2": "湖田桥"}, tmp_path / "l.xlsx",
                            as_of=date(2026, 11, 24), title="乐平市台账")
    assert out == tmp_path / "l.xlsx"
    wb = load_workbook(out)
    assert wb.sheetnames == ["台账"]
    ws = wb["台账"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0] == "乐平市台账（数据截至 2026年11月24日）"
    assert rows[1] == [None] * 17
    body = [r for r in rows[3:]]
    want = [
        ["测试文件", "（一）", None, "问题", "南河水质不稳定", "Ⅲ类", "2026年底前", "2026-12-31", None, None, None,
         "市生态环境局牵头验收", "水", "南河河口、湖田桥", "未启动", "逾期", None],
        ["测试文件", "（一）/2", "（一）", "措施", "巡查", None, "2025年6月底前", "2025-06-30", None, None, None,
         None, "水", None, "未启动", None, None],
        ["测试文件", "（一）/1", "（一）", "措施", "截污", None, None, None, None, None, None,
         None, "水", None, "整改中", None, "管网已开工"],
        ["测试文件", "2", None, "任务", "宣传", None, "长期坚持", None, "是", "市生态环境局", "景德镇市",
         "市委宣传部、市生态环境局", "水", "S9", "未启动", "临期", None],
        ["测试文件", "附件/（三）", None, "other", "附件问题", None, None, None, None, None, None,
         None, "水", None, "未启动", None, None],
    ]
    assert body == want
    # what the clerk sees on opening: bold, filled header; widths; frozen panes; wrapped rows
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    for c in ws[3]:
        assert c.font.b and c.fill.fill_type == "solid" and c.fill.fgColor.rgb == "00DDE7F0", c.coordinate
    widths = {"A": 12, "B": 12, "E": 60, "F": 36, "J": 30, "L": 20, "N": 24, "Q": 30}
    assert {k: ws.column_dimensions[k].width for k in widths} == widths
    assert ws.freeze_panes == "C4"
    assert all(c.alignment.wrap_text and c.alignment.vertical == "top" for r in ws.iter_rows(min_row=4) for c in r)
    assert not ws["A3"].alignment.wrap_text
    assert all(c.data_type == "s" for r in ws.iter_rows(min_row=4) for c in r if isinstance(c.value, str))


# --- the deck's layout arithmetic, worked out by hand -------------------------------------

def test_clip():
    from exports.deck import clip

    assert clip("南河  水质\n不稳定", 20) == "南河 水质 不稳定"
    assert clip("一二三四五", 5) == "一二三四五"
    assert clip("一二三四五六", 5) == "一二三四…"
    assert clip(None, 3) == ""


def test_text_width_and_wrapping():
    from exports.deck import lines_needed, row_height_pt, text_width_pt

    assert text_width_pt("中a", 10) == 15.5  # a CJK character is one em, a Latin one 0.55
    assert text_width_pt(chr(0x2E7F), 10) == 5.5 and text_width_pt(chr(0x2E80), 10) == 10
    # 1.5 in wide: 108 pt less two 0.08 in margins = 96.48 pt, eight 12 pt characters a line
    assert [lines_needed("一" * n, 1.5, 12) for n in (0, 1, 8, 9, 16, 17)] == [1, 1, 1, 2, 2, 3]
    # a cell narrower than one character: one character a line, never an empty first line
    assert lines_needed("一", 0.2, 12) == 1 and lines_needed("一一", 0.2, 12) == 2
    # two lines of 12 pt at 1.5 line height, plus 7.2 pt of margins and 4 pt to spare
    assert row_height_pt(["一" * 9, "a"], [1.5, 1.5], 12) == pytest.approx(2 * 18 + 7.2 + 4)


def test_rows_split_into_slides_by_height_and_count():
    from exports.deck import _pages

    small = ["一"]  # one 16 pt line: 35.2 pt
    big = ["一" * 30]  # 1 in wide: 60.48 pt usable, three 16 pt characters a line: 10 lines, 251.2 pt
    # the table has 403.2 pt below its title (1.35 in to 0.55 in above the bottom)
    assert [len(p) for p in _pages([small] * 17, [1.0], 0)] == [8, 8, 1]  # at most eight rows a slide
    assert _pages([big, big, small], [1.0], 0) == [[big], [big, small]]
    assert _pages([big, small, small, small, small], [1.0], 0) == [[big, small, small, small, small]]  # 392 pt
    assert _pages([big, small, small, small, small], [1.0], 20) == [[big, small, small, small], [small]]
    assert _pages([], [1.0], 0) == [[]]


def test_extent_of_a_saved_view():
    from pyproj import Transformer

    from exports.deck import _extent_of

    assert _extent_of({"bounds": [[29.0, 117.0], [29.5, 117.6]], "center": [1, 2]}) == (117.0, 29.0, 117.6, 29.5)
    assert _extent_of({}) is None and _extent_of({"zoom": 9}) is None
    # a view saved with centre and zoom only: a 900 x 640 px Web Mercator map around the centre
    to_m = Transformer.from_crs(4326, 3857, always_xy=True)
    to_deg = Transformer.from_crs(3857, 4326, always_xy=True)
    for view, zoom in (({"center": [29.3, 117.2], "zoom": 11}, 11), ({"center": [29.3, 117.2]}, 10)):
        x, y = to_m.transform(117.2, 29.3)
        m_per_px = 2 * math.pi * 6378137 / (256 * 2 ** zoom)
        west, south = to_deg.transform(x - 450 * m_per_px, y - 320 * m_per_px)
        east, north = to_deg.transform(x + 450 * m_per_px, y + 320 * m_per_px)
        assert _extent_of(view) == pytest.approx((west, south, east, north), abs=1e-9), view


MM = 72 / 25.4  # pt per mm
EM = 1.448  # Noto Sans CJK: a word's box is 1.448 × the font size


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_checklist_pdf_type_sizes_and_line_pitch(tmp_path):
    """What the printed sheet looks like: the type sizes (16 pt title, 10 pt heading lines,
    12 pt stop, 9 pt details) and the line pitch (6 mm heading and writing lines, 5 mm details)."""
    import re

    pdf = checklist_pdf(_trip(), tmp_path / "c.pdf")
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = []  # (text, top, height) of each line, in reading order
    for m in re.finditer(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', html, re.S):
        lines.append(("".join(re.findall(r">([^<]*)</word>", m.group(3))), float(m.group(1)), float(m.group(2))))

    def line(prefix: str, nth: int = 0) -> tuple[float, float]:
        found = [(top, bottom - top) for text, top, bottom in lines if text.startswith(prefix)]
        return found[nth]

    sizes = {p: round(line(p)[1] / EM) for p in ("乐平市现场核查", "日期", "检查人员", "1.宝山煤矿", "坐标", "·清单（一）",
                                                  "时限", "1.覆土复绿", "核查要点", "检查发现", "照片编号")}
    assert sizes == {"乐平市现场核查": 16, "日期": 10, "检查人员": 10, "1.宝山煤矿": 12, "坐标": 9, "·清单（一）": 9,
                     "时限": 9, "1.覆土复绿": 9, "核查要点": 9, "检查发现": 9, "照片编号": 9}
    pitch = [
        (line("日期"), line("检查人员"), 6),
        (line("坐标"), line("·清单（一）"), 5),
        (line("·清单（一）"), line("时限"), 5),
        (line("时限"), line("1.覆土复绿"), 5),
        (line("1.覆土复绿"), line("2.补植乔灌草"), 5),
        (line("2.补植乔灌草"), line("核查要点"), 5),
        (line("检查发现"), line("＿＿＿＿"), 6),
        (line("＿＿＿＿"), line("＿＿＿＿", 1), 6),
        (line("＿＿＿＿", 2), line("照片编号"), 6),
    ]
    for (a, _), (b, _), mm in pitch:
        assert b - a == pytest.approx(mm * MM, abs=0.05), (a, b, mm)


def test_hottest_extent_is_30_km_around_the_grid_cell_of_the_busiest_site():
    """The 重点区域 slide's box, computed a second way: the 500 m cell (of the grid laid over the
    region's box plus 5 km, in its GK zone) that holds the only site with open tasks, ±15 km."""
    import geopandas as gpd
    import numpy as np
    from pyproj import Transformer
    from shapely.geometry import Point

    from exports.deck import DeckData, hottest_extent
    from geo.crs import metric_crs_for
    from geo.region import load_region

    region = load_region("360200")
    sites = gpd.GeoDataFrame({"id": ["S1", "S2"], "county_code": ["360281", "360202"]},
                             geometry=[Point(117.2345, 29.0123), Point(117.6, 29.5)], crs="EPSG:4326")
    tasks = pd.DataFrame([
        {"id": 1, "parent_id": None, "archived": False, "status": "整改中", "flag": "逾期", "site_ids": ["S1"]},
        {"id": 2, "parent_id": None, "archived": False, "status": "已销号", "flag": None, "site_ids": ["S2"]},
    ])
    data = DeckData(region, tasks, sites, pd.DataFrame(), date(2026, 11, 24), False, False)
    (west, south, east, north), peak = hottest_extent(data)

    minlon, minlat, maxlon, maxlat = region.bbox
    crs = metric_crs_for((minlon + maxlon) / 2)
    fwd = Transformer.from_crs(4326, crs, always_xy=True)
    bx, by = fwd.transform([minlon, maxlon, minlon, maxlon], [minlat, minlat, maxlat, maxlat])
    minx, miny, maxy = min(bx) - 5000, min(by) - 5000, max(by) + 5000
    top = miny + np.ceil((maxy - miny) / 500) * 500
    sx, sy = fwd.transform(117.2345, 29.0123)
    cx = minx + (np.floor((sx - minx) / 500) + 0.5) * 500
    cy = top - (np.floor((top - sy) / 500) + 0.5) * 500
    back = Transformer.from_crs(crs, 4326, always_xy=True)
    want = (*back.transform(cx - 15000, cy - 15000), *back.transform(cx + 15000, cy + 15000))
    assert (west, south, east, north) == pytest.approx(want, abs=1e-9)
    assert peak > 0
    no_open = DeckData(region, tasks.assign(status="已销号"), sites, pd.DataFrame(), date(2026, 11, 24), False, False)
    assert hottest_extent(no_open) is None


def test_deck_titles_subtitles_figures_and_notices(demo_dir, tmp_path):
    """Every text of the default deck that is not a table cell, exactly; the figures from a
    plain loop over the store (tests/test_filters_property.Store)."""
    from pptx import Presentation
    from sqlalchemy import select

    from store import models as m
    from store.db import reader
    from tests.conftest import MANAGER_ACTOR
    from tests.test_filters_property import Store

    day = date(2026, 11, 23)
    prs = Presentation(str(meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "d.pptx", as_of=day, title="11月调度会")))
    texts = [[sh.text_frame.text for sh in s.shapes if sh.has_text_frame and sh.text_frame.text] for s in prs.slides]
    top = Store().top_level_on(day)
    with reader() as s:
        ongoing = {i for i, o in s.execute(select(m.Task.id, m.Task.ongoing)) if o}
    closable = [st for t, st, _f in top if t["id"] not in ongoing]
    rate = f"{sum(st == '已销号' for st in closable) / len(closable):.0%}"
    notice = "数据截至 2026年11月23日　点位为示意位置　任务进展为示例数据"
    assert texts[0] == ["11月调度会\n景德镇市生态环境局　数据截至 2026年11月23日", notice]
    assert texts[1] == [
        "全市总览\n点位按相关问题/任务的最差状态着色",
        "\n".join([f"问题/任务　{len(top)} 项", f"逾期　{sum(f == '逾期' for _t, _s, f in top)} 项",
                   f"临期　{sum(f == '临期' for _t, _s, f in top)} 项",
                   f"待核实销号　{sum(st == '申请销号' for _t, st, _f in top)} 项",
                   f"已销号　{sum(st == '已销号' for _t, st, _f in top)} 项", f"销号率　{rate}"]),
        notice]
    assert texts[2][0] == "各区县情况\n逾期问题/任务，按责任单位所属区县/管理区统计（一项任务涉及几个地区，就在几个地区各计一次）"
    assert texts[2][-1] == notice
    n_places = len(texts[2][1].split("\n"))
    assert texts[3][0] == f"区县排名\n第 1/1 页，共 {n_places} 项" and texts[3][-1] == notice
    ledger = [t for t in texts if t[0].startswith("逾期问题清单")]
    n_overdue = sum(f == "逾期" for _t, _s, f in top)
    for k, t in enumerate(ledger, start=1):
        head = "逾期问题清单" + ("" if k == 1 else "（续）")
        assert t[0] == f"{head}\n第 {k}/{len(ledger)} 页，共 {n_overdue} 项" and t[-1] == notice
    hot_at = next(i for i, t in enumerate(texts) if t[0].startswith("重点区域"))  # the 断面水质 slides follow it
    hot = texts[hot_at]
    assert hot[0] == "重点区域\n未销号任务（逾期加倍计）最集中的地区，半径约 15 公里" and hot[-1] == notice
    assert [ln.split("　")[0] for ln in hot[1].split("\n")] == ["区域内点位", "相关问题/任务", "其中逾期", "未销号"]
    # the maps: rendered at 9.3 x 5.75 in (7.4 for the places map), shown 5.75 in high, left of the figures
    from pptx.util import Inches

    for i, width_in in ((1, 9.3), (2, 7.4), (hot_at, 9.3)):
        slide = prs.slides[i]
        pic = next(sh for sh in slide.shapes if sh.shape_type == 13)
        assert (pic.left, pic.top, pic.height) == (Inches(0.3), Inches(1.3), Inches(5.75)), i
        assert abs(pic.width - Inches(width_in)) < Inches(0.02), (i, pic.width / 914400)
        figures = [sh for sh in slide.shapes if sh.has_text_frame and sh.left > Inches(5)]
        assert len(figures) == 1, i
        assert all(sh.left >= pic.left + pic.width for sh in figures), i
    # type: 30 pt bold titles, 14 pt grey subtitles, 11 pt grey notices, across the slide's width
    from exports.deck import FONT

    for i, slide in enumerate(prs.slides):
        if i == 0:
            continue
        boxes = [sh for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text]
        title, notice_box = boxes[0], boxes[-1]
        assert (title.left, title.top, title.width, title.height) == (
            Inches(0.5), Inches(0.3), prs.slide_width - Inches(1.0), Inches(0.9)), i
        head, sub = title.text_frame.paragraphs
        assert (head.runs[0].font.size.pt, head.runs[0].font.bold, head.runs[0].font.name) == (30, True, FONT), i
        assert (sub.runs[0].font.size.pt, str(sub.runs[0].font.color.rgb), sub.runs[0].font.name) == (
            14, "555555", FONT), i
        run = notice_box.text_frame.paragraphs[0].runs[0]
        assert (run.font.size.pt, str(run.font.color.rgb), run.font.name) == (11, "666666", FONT), i
        assert (notice_box.left, notice_box.top) == (Inches(0.5), prs.slide_height - Inches(0.45)), i
    # the figures beside the overview map: 20 pt labels, 32 pt bold values, 10 pt apart
    figures = next(sh for sh in prs.slides[1].shapes if sh.has_text_frame and sh.left > Inches(5))
    for p in figures.text_frame.paragraphs:
        label, value = p.runs
        assert (label.font.size.pt, value.font.size.pt, value.font.bold, p.space_after.pt) == (20, 32, True, 10)
    # beside the places map: 18/22 pt, spaced by the number of places
    beside = next(sh for sh in prs.slides[2].shapes if sh.has_text_frame and sh.left > Inches(5))
    space = max(2, min(10, 60 // n_places))
    for p in beside.text_frame.paragraphs:
        label, value = p.runs
        assert (label.font.size.pt, value.font.size.pt, p.space_after.pt) == (18, 22, space)


def test_deck_hot_spot_slide_without_open_tasks(tmp_path):
    import geopandas as gpd
    from pptx import Presentation
    from shapely.geometry import Point

    from exports.deck import DeckData, build_deck
    from geo.region import load_region

    sites = gpd.GeoDataFrame({"id": ["S1"], "county_code": ["360281"], "kind": ["监测断面"], "name": ["南河河口"],
                              "aliases": [[]]}, geometry=[Point(117.2345, 29.0123)], crs="EPSG:4326")
    tasks = pd.DataFrame([{"id": 1, "parent_id": None, "archived": False, "status": "已销号", "flag": None,
                           "site_ids": ["S1"], "units": [], "unit_place_codes": [], "ongoing": False}])
    data = DeckData(load_region("360200"), tasks, sites, pd.DataFrame({"worst": []}), date(2026, 11, 24), True, False)
    prs = Presentation(str(build_deck(data, tmp_path / "d.pptx", title="调度会", sequence=("重点区域",))))
    assert len(prs.slides) == 2
    texts = [sh.text_frame.text for sh in prs.slides[1].shapes if sh.has_text_frame and sh.text_frame.text]
    assert texts == ["重点区域\n未销号任务（逾期加倍计）最集中的地区，半径约 15 公里", "重点区域　无关联点位的未销号任务",
                     "数据截至 2026年11月24日　点位为示意位置"]
    assert not any(sh.shape_type == 13 for sh in prs.slides[1].shapes)  # no map of nothing
