"""Inspection trips: solver, geodesic totals, day split, GPX/KML, GCJ-02, checklist."""

from datetime import date, datetime, time
from itertools import permutations

import gpxpy
import numpy as np
import pyogrio
import pytest
from pyproj import Geod

from exports.field import (
    GCJ02,
    WGS84,
    Stop,
    StopTask,
    Trip,
    checklist_pdf,
    checklist_xlsx,
    gpx_text,
    kml_text,
)
from geo.routing import distance_matrix, route_length, schedule, solve_order

BASE = (117.2036, 29.2930)
PTS = [BASE, (117.30, 29.40), (117.10, 29.10), (117.35, 29.05), (117.05, 29.35), (117.25, 28.95), (117.15, 29.45)]


def test_solver_finds_the_optimum_of_a_small_case():
    m = distance_matrix(PTS, road_factor=1.0)
    order = solve_order(m, start=0)
    best = min(route_length(m, list(p)) for p in permutations(range(1, len(PTS))))
    assert route_length(m, order) == pytest.approx(best, rel=1e-6)
    assert sorted(order) == list(range(1, len(PTS)))


def test_geodesic_distances_and_road_factor():
    m = distance_matrix([BASE, (117.30, 29.40)], road_factor=1.3)
    _a, _b, d = Geod(ellps="WGS84").inv(BASE[0], BASE[1], 117.30, 29.40)
    assert m[0, 1] == pytest.approx(d * 1.3) and m[1, 0] == m[0, 1]
    assert d == pytest.approx(15_109.61, abs=0.01)  # metres on the ellipsoid, not 0.15 "degrees"


def test_day_split_respects_working_hours():
    pts = [BASE] + [(117.0 + 0.07 * k, 28.9 + 0.05 * (k % 4)) for k in range(10)]
    m = distance_matrix(pts)
    order = solve_order(m)
    s = schedule(order, m, first_day=date(2026, 11, 24), speed_kmh=40, service_min=60)
    assert not s.unplaceable
    assert sorted(s.day_returns) == list(range(1, s.days + 1)) and s.days > 1  # split, days numbered 1…n
    assert [v.node for v in s.visits] == order
    for v in s.visits:
        day = date(2026, 11, 23 + v.day)
        assert v.arrive >= datetime.combine(day, time(8, 30))
        assert v.depart <= datetime.combine(day, time(17, 30))
    for day_no, back in s.day_returns.items():
        assert back <= datetime.combine(date(2026, 11, 23 + day_no), time(17, 30))
    assert s.distance_m == pytest.approx(
        sum(v.leg_m for v in s.visits) + sum(m[[v.node for v in s.visits if v.day == d][-1], 0] for d in s.day_returns))


def test_a_stop_that_never_fits_is_reported():
    m = distance_matrix([BASE, (119.5, 31.5)])
    s = schedule([1], m, first_day=date(2026, 11, 24), speed_kmh=30, service_min=60)
    assert s.unplaceable == [1] and s.visits == []


LONG = "，对采坑、边坡和渣堆进行削坡减载、覆土复绿，补植乔灌草并落实后期管护责任，确保治理成效经得起回头看"


@pytest.fixture()
def trip():
    stops = [Stop(i + 1, 1, f"S{i}", name, "矿山修复点", "乐平市", lon, lat, datetime(2026, 11, 24, 9 + i),
                  datetime(2026, 11, 24, 10 + i),
                  [StopTask("省督察整改清单（二十三）", "矿山开采生态环境问题突出", "整改中", "逾期", "2024年底", "乐平市委、市政府",
                            "核实逾期原因", [("1", "完成上冲坞片区矿山地质环境治理", "2023年底前", "乐平市委、市政府", "已销号"),
                                             ("2", "完成横路环境恢复治理" + LONG, "2024年9月底前", "乐平市委、市政府",
                                              "整改中")]),
                   StopTask("省督察整改清单（二十四）", "已销号的历史遗留矿山", "已销号", "", "2023年底", "乐平市政府",
                            "回头看：核实有无反弹", [])])
             for i, (name, lon, lat) in enumerate([("上冲坞煤矿", 117.36, 28.90), ("马鞍山煤矿", 117.375, 28.91),
                                                    ("宝山煤矿", 117.385, 28.895)])]
    return Trip("乐平市矿山现场核查", date(2026, 11, 24), "景德镇市生态环境局", BASE, stops, 123.4, True)


def test_gpx_parses_back_in_order(trip):
    g = gpxpy.parse(gpx_text(trip, WGS84))
    assert [w.name for w in g.waypoints] == ["01 上冲坞煤矿", "02 马鞍山煤矿", "03 宝山煤矿"]
    for w, s in zip(g.waypoints, trip.stops, strict=True):
        assert abs(w.longitude - s.lon) < 1e-6 and abs(w.latitude - s.lat) < 1e-6
    pts = g.routes[0].points
    assert [p.name for p in pts][1:-1] == [w.name for w in g.waypoints]
    assert "WGS84" in g.description


def test_kml_parses_back_with_gdal(trip, tmp_path):
    f = tmp_path / "trip.kml"
    f.write_text(kml_text(trip, WGS84), encoding="utf-8")
    layers = [name for name, _ in pyogrio.list_layers(f)]
    assert "检查点位" in layers  # the stops folder; the route line sits in the document layer
    pts = pyogrio.read_dataframe(f, layer="检查点位")
    assert list(pts["Name"]) == ["01 上冲坞煤矿", "02 马鞍山煤矿", "03 宝山煤矿"]
    assert np.allclose(pts.geometry.x, [s.lon for s in trip.stops], atol=1e-6)
    assert np.allclose(pts.geometry.y, [s.lat for s in trip.stops], atol=1e-6)
    route = pyogrio.read_dataframe(f, layer=layers[0])
    line = route.geometry.iloc[0]
    assert line.geom_type == "LineString" and len(line.coords) == 3 + 2  # base, stops, base


def test_gcj02_variant_is_offset_as_expected(trip):
    w = gpxpy.parse(gpx_text(trip, WGS84)).waypoints[0]
    g = gpxpy.parse(gpx_text(trip, GCJ02))
    assert "GCJ-02" in g.description and "不要再导入 GIS" in g.description
    dlon, dlat = g.waypoints[0].longitude - w.longitude, g.waypoints[0].latitude - w.latitude
    # the published GCJ-02 formula, written out independently below
    want_lon, want_lat = _wgs_to_gcj(w.longitude, w.latitude)
    assert (dlon, dlat) == (pytest.approx(want_lon - w.longitude, abs=2e-6),
                            pytest.approx(want_lat - w.latitude, abs=2e-6))
    assert dlon > 0.004 and dlat < -0.001  # a few hundred metres east and south here: not a no-op


def _wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    """The widely published WGS-84 → GCJ-02 algorithm (Krasovsky ellipsoid), as a second,
    independent computation for the test."""
    from math import cos, pi, sin, sqrt

    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x))
    dlat += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat += (20.0 * sin(y * pi) + 40.0 * sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * sin(y / 12.0 * pi) + 320.0 * sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x))
    dlon += (20.0 * sin(6.0 * x * pi) + 20.0 * sin(2.0 * x * pi)) * 2.0 / 3.0
    dlon += (20.0 * sin(x * pi) + 40.0 * sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * sin(x / 12.0 * pi) + 300.0 * sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1 - ee * sin(rad) ** 2
    dlat = dlat * 180.0 / ((a * (1 - ee)) / (magic * sqrt(magic)) * pi)
    dlon = dlon * 180.0 / (a / sqrt(magic) * cos(rad) * pi)
    return lon + dlon, lat + dlat


def test_checklist_xlsx_has_one_row_per_stop(trip, tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(checklist_xlsx(trip, tmp_path / "c.xlsx")).active
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] is not None]
    assert [r[2] for r in rows] == ["上冲坞煤矿", "马鞍山煤矿", "宝山煤矿"]  # one row per stop, in visiting order
    assert all("核实逾期原因" in r[11] for r in rows)
    assert [c.value for c in ws[4]][-3:] == ["检查发现", "照片编号", "检查人签字"]
    head = [c.value for c in ws[4]]
    open_col, closed_col = head.index("未销号任务与措施"), head.index("已销号任务（回头看）")
    for r in rows:
        # only the open task and its open measure; the closed task moves to its own column
        assert r[open_col] == ("省督察整改清单（二十三）（整改中·逾期）矿山开采生态环境问题突出\n"
                               f"  2. 完成横路环境恢复治理{LONG}")
        assert r[closed_col] == "省督察整改清单（二十四）（已销号）已销号的历史遗留矿山"
        assert r[head.index("整改时限")] == "2024年底" and r[head.index("责任单位")] == "乐平市委、市政府"


def test_files_are_named_by_trip_and_date(trip):
    from exports.field import file_stem

    assert file_stem(trip) == "乐平市矿山现场核查_2026-11-24"
    trip.title = 'A/B:C*?"<>| 核查'
    assert file_stem(trip) == "A_B_C_核查_2026-11-24"


def test_checklist_pdf_uses_the_simplified_chinese_face(trip, tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) not installed")
    pdf = checklist_pdf(trip, tmp_path / "c.pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "+NotoSansCJKSC " in fonts and "TC" not in fonts.split("+", 1)[1].split()[0]


def test_checklist_pdf_keeps_the_hanging_indent_of_measures(trip, tmp_path):
    import re
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    pdf = checklist_pdf(trip, tmp_path / "c.pdf")
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = []  # (xMin of the line, its text), first page
    for m in re.finditer(r'<line xMin="([\d.]+)"[^>]*>(.*?)</line>', html.split("</page>")[0], re.S):
        lines.append((float(m.group(1)), "".join(re.findall(r">([^<]*)</word>", m.group(2)))))
    k = next(i for i, (_x, t) in enumerate(lines) if t.startswith("2.完成横路"))
    number_x = lines[k][0]
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', html.split("</page>")[0])
    text_x = next(float(x) for x, w in words if w.startswith("完成横路"))
    cont_x = lines[k + 1][0]  # the measure wraps onto a second line
    assert lines[k + 1][1] and not lines[k + 1][1].startswith(("核查要点", "·"))
    assert abs(cont_x - text_x) < 0.5 and cont_x - number_x > 3


def test_checklist_pdf_renders_chinese(trip, tmp_path):
    import shutil
    import subprocess

    pdf = checklist_pdf(trip, tmp_path / "c.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile" in data  # the font is embedded
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 2  # three stops, each with a long wrapped measure: two pages
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "乐平市矿山现场核查" in text and "上冲坞煤矿" in text and "检查人签字" in text


def test_route_view_fits_the_stops_not_the_city():
    import math

    from geo.routing import fit_view

    lons, lats = [117.36, 117.375, 117.385, 117.30], [28.90, 28.91, 28.895, 28.95]
    (clat, clon), z = fit_view(lons, lats, 600, 380)
    assert (clat, clon) == pytest.approx(((28.895 + 28.95) / 2, (117.30 + 117.385) / 2))

    def px(zoom):  # extent in pixels at a zoom (Web Mercator, 256-px tiles)
        y = [math.log(math.tan(math.pi / 4 + math.radians(a) / 2)) for a in (min(lats), max(lats))]
        scale = 256 * 2 ** zoom
        return (max(lons) - min(lons)) / 360 * scale, (y[1] - y[0]) / (2 * math.pi) * scale

    w, h = px(z)
    assert w <= 600 and h <= 380  # fits
    w2, h2 = px(z + 1)
    assert w2 > 600 or h2 > 380  # and is the closest zoom that does
    assert z == 13  # 0.085° × 0.055° near 29°N: 495 × 366 px at 13


# A hand-made road network: 60 km/h, so 1 km = 1 minute; 60 minutes at each stop; 08:30–17:30.
KM = {(0, 1): 60, (0, 2): 60, (0, 3): 120, (0, 4): 30, (0, 5): 300, (1, 2): 30, (2, 3): 90, (3, 4): 100,
      (2, 5): 200, (5, 3): 200, (1, 3): 100, (1, 4): 80, (2, 4): 80, (1, 5): 250, (4, 5): 280}
HAND = np.zeros((6, 6))
for (a, b), km in KM.items():
    HAND[a, b] = HAND[b, a] = km * 1000
D1, D2 = date(2026, 11, 24), date(2026, 11, 25)


def _at(d, hh, mm):
    return datetime.combine(d, time(hh, mm))


def test_day_split_by_hand():
    s = schedule([1, 2, 3, 4], HAND, first_day=D1, speed_kmh=60, service_min=60)
    got = [(v.node, v.day, v.arrive, v.depart, v.leg_m) for v in s.visits]
    assert got == [
        (1, 1, _at(D1, 9, 30), _at(D1, 10, 30), 60_000),
        (2, 1, _at(D1, 11, 0), _at(D1, 12, 0), 30_000),
        (3, 1, _at(D1, 13, 30), _at(D1, 14, 30), 90_000),
        # 4 would end the day at 17:40 (16:10 + 60 + 30 back): day 2, driven from the base, not from 3
        (4, 2, _at(D2, 9, 0), _at(D2, 10, 0), 30_000),
    ]
    assert s.day_returns == {1: _at(D1, 16, 30), 2: _at(D2, 10, 30)}
    assert s.days == 2 and s.unplaceable == []
    assert s.distance_m == (60 + 30 + 90 + 120 + 30 + 30) * 1000
    assert s.drive_min == pytest.approx(360) and s.service_min == 240


def test_a_stop_too_far_for_any_day_does_not_end_the_day():
    """Stop 5 (300 km away) never fits; it is reported and day 1 goes on with 3 and 4."""
    s = schedule([1, 2, 5, 3, 4], HAND, first_day=D1, speed_kmh=60, service_min=60)
    assert s.unplaceable == [5]
    assert [(v.node, v.day, v.arrive) for v in s.visits] == [
        (1, 1, _at(D1, 9, 30)), (2, 1, _at(D1, 11, 0)), (3, 1, _at(D1, 13, 30)), (4, 2, _at(D2, 9, 0))]
    assert s.day_returns == {1: _at(D1, 16, 30), 2: _at(D2, 10, 30)}


def test_day_split_ends_elsewhere_and_starts_later():
    # a trip ending at stop 4 (not back at the base), days 09:00–17:00
    s = schedule([1, 2], HAND, start=0, end=4, first_day=D1, speed_kmh=60, service_min=30,
                 day_start=time(9, 0), day_end=time(17, 0))
    assert [(v.node, v.day, v.arrive, v.depart) for v in s.visits] == [
        (1, 1, _at(D1, 10, 0), _at(D1, 10, 30)), (2, 1, _at(D1, 11, 0), _at(D1, 11, 30))]
    assert s.day_returns == {1: _at(D1, 12, 50)}  # 11:30 + 80 km to stop 4
    assert s.distance_m == (60 + 30 + 80) * 1000
    empty = schedule([], HAND, first_day=D1)
    assert (empty.visits, empty.day_returns, empty.distance_m, empty.days) == ([], {}, 0.0, 0)
