"""The meeting deck: slides, titles, table contents equal to the store, nothing off the slide;
converted with LibreOffice and rasterised where LibreOffice is installed (CI)."""

import math
import re
import shutil
import subprocess
from datetime import date

import pytest
from pptx import Presentation
from sqlalchemy import select

from exports.deck import ROWS_PER_SLIDE, shapes_inside
from layers.classify import classify
from onemap import meetings, services
from onemap.cli import main
from store import models as m
from store import queries
from store.db import reader
from tests.conftest import MANAGER_ACTOR
from tests.store_counts import count

AS_OF = date(2026, 11, 23)


def _texts(slide) -> list[str]:
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame and sh.text_frame.text]


def test_deck_contents_match_the_store(demo_dir, tmp_path):
    path = meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "deck.pptx", as_of=AS_OF, title="11月调度会")
    prs = Presentation(str(path))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 16:9
    titles = [_texts(s)[0].split("\n")[0] for s in prs.slides]
    want = count(AS_OF)
    with reader() as s:
        refs = {t.id: t.ref for t in s.scalars(select(m.Task))}
    overdue_refs = [refs[i] for i in want.overdue]
    assert titles[:4] == ["11月调度会", "全市总览", "各区县情况", "区县排名"]
    assert titles.count("逾期问题清单") == 1
    assert titles[-3:] == ["重点区域", "断面水质（2026年10月）", "2026年10月不达标的断面和水源地"]  # tests/test_deck_water.py
    assert "数据截至 2026年11月23日" in _texts(prs.slides[0])[-1]
    # figures and tables equal the store's
    overview = "\n".join(_texts(prs.slides[1]))
    assert f"问题/任务　{len(want.total)} 项" in overview and f"逾期　{len(want.overdue)} 项" in overview
    table_rows = []
    for sl in prs.slides:
        if _texts(sl)[0].startswith("逾期问题清单"):
            t = next(sh.table for sh in sl.shapes if sh.has_table)
            assert len(t.rows) <= ROWS_PER_SLIDE + 1
            table_rows += [t.cell(i, 0).text for i in range(1, len(t.rows))]
    assert sorted(table_rows) == sorted(r[:17] + "…" if len(r) > 18 else r for r in overdue_refs)
    # the ranking: every county and zone of the region (and the city's departments), the store's figures
    rank = next(sh.table for sh in prs.slides[3].shapes if sh.has_table)
    places = services.active_region().places
    expect = {p.name: len(want.place_overdue[p.code]) for p in places.local_places()}
    expect["市直部门"] = len(want.place_overdue[places.city.code])
    got = {rank.cell(i, 0).text: int(rank.cell(i, 1).text) for i in range(1, len(rank.rows))}
    assert got == expect
    assert list(got.values()) == sorted(got.values(), reverse=True)
    # …and all of them beside the map on 各区县情况
    beside = "\n".join(_texts(prs.slides[2]))
    for name, n in expect.items():
        assert f"{name}　逾期 {n}" in beside, name
    assert shapes_inside(path) == []
    assert sum(1 for s in prs.slides for sh in s.shapes if sh.shape_type == 13) == 3  # three maps


def _places_picture(prs):
    return next(sh for sh in prs.slides[2].shapes if sh.shape_type == 13)


def test_legend_colours_are_the_map_fills(demo_dir, tmp_path):
    """The places map: its legend (alt text) names the classes of the store's counts, and each
    legend colour fills a large area of the picture (a county, not only its legend swatch)."""
    import io

    import numpy as np
    from PIL import Image
    from scipy import ndimage

    path = meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "deck.pptx", as_of=AS_OF)
    pic = _places_picture(Presentation(str(path)))
    want = count(AS_OF)
    places = services.active_region().places
    values = [len(want.place_overdue[p.code]) for p in places.local_places()]
    classes = classify(values)
    descr = pic._element.nvPicPr.cNvPr.get("descr")
    assert descr == "逾期（项）分级：" + "；".join(f"{k.label} {k.color}" for k in classes.classes)
    assert all(re.fullmatch(r"\d+(–\d+)?", k.label) for k in classes.classes)
    img = np.asarray(Image.open(io.BytesIO(pic.image.blob)).convert("RGB")).astype(int)
    hexes = img[..., 0] * 65536 + img[..., 1] * 256 + img[..., 2]
    county_codes = {p.code for p in places.counties}
    for k in classes.classes:
        blobs, n = ndimage.label(hexes == int(k.color[1:], 16))
        sizes = sorted(np.bincount(blobs.ravel())[1:], reverse=True)
        # the legend swatch and at least one filled county or zone circle of that colour
        assert len([x for x in sizes if x >= 300]) >= 2, (k.label, k.color, sizes[:5])
        if any(classes.of(len(want.place_overdue[c])) == k for c in county_codes):
            assert sizes[0] > 20_000, (k.label, sizes[:3])  # a county's area, not a swatch
    # no fill in the picture outside the legend's colours (the old 5-step ramp, say)
    for old in ("#FFF5EB", "#FDD0A2", "#D94801", "#7F2704"):
        if old not in {k.color for k in classes.classes}:
            assert not (hexes == int(old[1:], 16)).any(), old


def test_every_chinese_run_names_an_east_asian_typeface(demo_dir, tmp_path):
    from pptx.oxml.ns import qn

    path = meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "deck.pptx", as_of=AS_OF)
    runs = 0
    for slide in Presentation(str(path)).slides:
        for r in slide._element.iter(qn("a:r")):
            text = "".join(t.text or "" for t in r.iter(qn("a:t")))
            if not re.search(r"[\u4e00-\u9fff]", text):
                continue
            runs += 1
            rpr = r.find(qn("a:rPr"))
            assert rpr is not None, text
            ea, latin = rpr.find(qn("a:ea")), rpr.find(qn("a:latin"))
            assert ea is not None and ea.get("typeface") == "Noto Sans CJK SC", text
            assert latin is not None and latin.getnext() is ea  # schema order: latin, ea
    assert runs > 100


def _lines(text: str, width_pt: float, size_pt: float) -> int:
    """An estimate of our own (not the deck's): CJK one em, other characters 0.6 em."""
    n, cur = 1, 0.0
    for ch in text:
        w = size_pt * (1.0 if ord(ch) > 0x2E7F else 0.6)
        if cur + w > width_pt and cur > 0:
            n, cur = n + 1, w
        else:
            cur += w
    return n


def test_no_table_cell_clips(demo_dir, tmp_path):
    path = meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "deck.pptx", as_of=AS_OF)
    prs = Presentation(str(path))
    checked = 0
    for slide in prs.slides:
        for sh in slide.shapes:
            if not sh.has_table:
                continue
            t = sh.table
            assert sh.top + sum(r.height for r in t.rows) <= prs.slide_height - 12700 * 20  # above the notice
            for i, row in enumerate(t.rows):
                for j, col in enumerate(t.columns):
                    cell = t.cell(i, j)
                    size = max(r.font.size.pt for p in cell.text_frame.paragraphs for r in p.runs)
                    assert size >= 16
                    width = (col.width - cell.margin_left - cell.margin_right) / 12700
                    need = _lines(cell.text, width, size) * size * 1.45 + (cell.margin_top + cell.margin_bottom) / 12700
                    assert need <= row.height / 12700, (cell.text, need, row.height / 12700)
                    checked += 1
    assert checked > 40


def test_cli_deck_and_views(demo_dir, tmp_path):
    assert main(["deck", str(tmp_path / "a.pptx"), "--as-of", "2026-11-23", "--views", "全市总览,逾期问题清单"]) == 0
    titles = [_texts(s)[0].split("\n")[0] for s in Presentation(str(tmp_path / "a.pptx")).slides]
    assert titles[1] == "全市总览" and titles[2].startswith("逾期问题清单") and "各区县情况" not in titles
    assert main(["deck", str(tmp_path / "b.pptx"), "--views", "不存在"]) == 1


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice (libreoffice-impress) and poppler-utils needed")
def test_deck_converts_and_renders(demo_dir, tmp_path):
    path = meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "deck.pptx", as_of=AS_OF)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "deck.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "slide")], check=True)
    n = len(Presentation(str(path)).slides)
    assert len(list(tmp_path.glob("slide*.png"))) == n
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "全市总览" in text and "逾期问题清单" in text and "数据截至" in text


def test_one_slide_per_saved_view(demo_dir, tmp_path):
    import json

    from store import repo
    from store.db import transaction

    views = [{"title": "乐平市矿山", "page": "map", "params": {"place": "360281", "kind": "矿山修复点"},
              "center": [28.9, 117.3], "zoom": 11},
             {"title": "各区县逾期", "page": "overview", "params": {}},
             {"title": "乐平市逾期清单", "page": "ledger", "params": {"place": "360281", "flag": "逾期"}}]
    with transaction() as s:
        repo.set_meta(s, "views", json.dumps(views, ensure_ascii=False))
    path = meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "v.pptx", as_of=AS_OF)  # saved views are the default
    prs = Presentation(str(path))
    titles = [_texts(s)[0].split("\n")[0] for s in prs.slides]
    assert titles[1:5] == ["乐平市矿山", "各区县逾期", "区县排名", "乐平市逾期清单"]
    mines = "\n".join(_texts(prs.slides[1]))
    with reader() as s:
        sites = queries.sites_frame(s)
    n = int(((sites["county_code"] == "360281") & (sites["kind"] == "矿山修复点")).sum())
    assert f"{n} 个" in mines
    table = next(sh.table for sh in prs.slides[4].shapes if sh.has_table)
    assert all("逾期" in table.cell(i, 4).text for i in range(1, len(table.rows)))
    assert shapes_inside(path) == []
    # by name on the command line
    assert main(["deck", str(tmp_path / "w.pptx"), "--views", "各区县逾期,逾期问题清单"]) == 0
    titles = [_texts(s)[0].split("\n")[0] for s in Presentation(str(tmp_path / "w.pptx")).slides]
    assert titles[1] == "各区县逾期" and titles[2] == "区县排名" and titles[3].startswith("逾期问题清单")


def test_slide_extent_is_the_saved_bounds():
    from exports.deck import _extent_of

    # bounds saved with the view (Leaflet's [[south, west], [north, east]]) are used as they are
    view = {"center": [29.0, 117.2], "zoom": 11, "bounds": [[28.9, 117.1], [29.1, 117.35]]}
    assert _extent_of(view) == (117.1, 28.9, 117.35, 29.1)
    # a view saved before bounds were recorded: Web Mercator for a 900 × 640 px map
    w, s, e, n = _extent_of({"center": [0.0, 0.0], "zoom": 0})
    assert (w, e) == (-450 * 360 / 256, 450 * 360 / 256)
    assert s == pytest.approx(-n) and n == pytest.approx(math.degrees(2 * math.atan(math.exp(math.radians(
        320 * 360 / 256))) - math.pi / 2))
    assert _extent_of({"title": "x"}) is None


def test_cropped_map_labels_only_counties_inside(demo_dir):
    import shapely

    from exports.static_map import _label_points
    from geo.crs import metric_crs_for

    counties = services.active_region().counties()
    crs = metric_crs_for(float(counties.total_bounds[[0, 2]].mean()))
    c = counties.to_crs(crs)
    lp = counties.set_index("name").loc["乐平市"].geometry.representative_point()
    box = shapely.box(lp.x - 0.1, lp.y - 0.1, lp.x + 0.1, lp.y + 0.1)
    import geopandas as gpd

    view = gpd.GeoSeries([box], crs=4326).to_crs(crs).iloc[0]
    labels = _label_points(c, view)
    assert [r["name"] for r, _, _ in labels] == ["乐平市"]
    assert all(view.contains(shapely.Point(x, y)) for _, x, y in labels)
    # the whole city: every county labelled at a point inside itself
    assert sorted(r["name"] for r, _, _ in _label_points(c, None)) == sorted(counties["name"])


def test_the_deck_maps_draw_every_character(demo_dir, tmp_path):
    """The map images carry the illustrative-position note (示意位置…) and every county and
    site label: none may come out as empty boxes (a subset font lacked 示, 意, 置)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        meetings.meeting_deck(MANAGER_ACTOR, tmp_path / "deck.pptx", as_of=AS_OF, title="11月调度会")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
